"""Converting amounts between currencies with the rates table, Decimal end to end.

Rounding (docs/finance.md): a conversion is exact until it is shown. The factor from A to B on a
day is rate(B) / rate(A), both per euro, computed to 28 significant digits; an amount times the
factor is summed unrounded; a figure on screen is rounded once, to cents, half up
(`money_round`). The module-level `convert()` rounds its one answer the same way.

A day without an ECB rate (a weekend, a holiday, a day not published yet) uses the last rate
published before it, however old; a day before a currency's first rate has none (None).
"""

import bisect
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Context, Decimal

from django.db.models import Max, Subquery, Value
from django.db.models.functions import Coalesce

from finance.models import ExchangeRate

EURO = "EUR"
CENT = Decimal("0.01")
_PRECISION = Context(prec=28)


def money_round(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


class Converter:
    """The rates of some currencies for days in [start, end], read in one query, so a page
    converts any number of rows for the price of one lookup."""

    def __init__(self, currencies: Iterable[str], start: dt.date, end: dt.date):
        self.start, self.end = start, end
        wanted = {c for c in currencies if c and c != EURO}
        self._days: dict[str, list[dt.date]] = defaultdict(list)
        self._rates: dict[str, list[Decimal]] = defaultdict(list)
        self._factors: dict[tuple[str, str, dt.date], Decimal | None] = {}
        if not wanted:
            return
        # The last rate on or before `start` carries into the range's first days. The lower
        # bound is the earliest of those per-currency days, one uncorrelated subquery run
        # once (a correlated one per row would scan every rate since 1999).
        anchor = Subquery(
            ExchangeRate.objects.filter(currency__in=wanted, date__lte=start)
            .values("currency")
            .annotate(latest=Max("date"))
            .order_by("latest")
            .values("latest")[:1]
        )
        rows = (
            ExchangeRate.objects.filter(currency__in=wanted, date__lte=end)
            .filter(date__gte=Coalesce(anchor, Value(start)))
            .order_by("currency", "date")
            .values_list("currency", "date", "rate")
        )
        for currency, day, rate in rows:
            self._days[currency].append(day)
            self._rates[currency].append(rate)

    def rate(self, currency: str, day: dt.date) -> Decimal | None:
        """Units of `currency` per euro on `day`."""
        if currency == EURO:
            return Decimal(1)
        if not self.start <= day <= self.end:
            raise ValueError(f"{day} is outside the converter's days {self.start}..{self.end}")
        days = self._days.get(currency)
        if not days:
            return None
        index = bisect.bisect_right(days, day) - 1
        return self._rates[currency][index] if index >= 0 else None

    def factor(self, from_ccy: str, to_ccy: str, day: dt.date) -> Decimal | None:
        key = (from_ccy, to_ccy, day)
        if key not in self._factors:
            if from_ccy == to_ccy:
                self._factors[key] = Decimal(1)
            else:
                source, target = self.rate(from_ccy, day), self.rate(to_ccy, day)
                self._factors[key] = (
                    None if source is None or target is None else _PRECISION.divide(target, source)
                )
        return self._factors[key]

    def convert(self, amount: Decimal, from_ccy: str, to_ccy: str, day: dt.date) -> Decimal | None:
        """Unrounded; None when either currency has no rate on or before `day`."""
        if from_ccy == to_ccy:
            return amount
        factor = self.factor(from_ccy, to_ccy, day)
        return None if factor is None else _PRECISION.multiply(amount, factor)

    def convert_many(
        self, items: Iterable[tuple[Decimal, str, dt.date]], to_ccy: str
    ) -> list[Decimal | None]:
        """[(amount, currency, day), ...] -> each converted (unrounded) or None."""
        return [self.convert(amount, ccy, to_ccy, day) for amount, ccy, day in items]


def convert(amount: Decimal, from_ccy: str, to_ccy: str, on_date: dt.date) -> Decimal | None:
    """One amount, rounded to cents; one query. For many rows, use a Converter."""
    converted = Converter({from_ccy, to_ccy}, on_date, on_date).convert(
        amount, from_ccy, to_ccy, on_date
    )
    return None if converted is None else money_round(converted)
