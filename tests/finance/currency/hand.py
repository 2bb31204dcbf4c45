"""Sums done by hand for the two-currency tests: the last rate on or before each day, read
straight from the rates table, a factor of target/source per euro, rounded once at the end,
half up. Deliberately not finance.currency's code."""

import datetime as dt
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from banking.models import Account, Transaction
from finance.categories import category_book
from finance.meta import COUNTED
from finance.models import ExchangeRate

TODAY = dt.date.today()
THIS_MONTH = TODAY.replace(day=1)
LAST_MONTH = (THIS_MONTH - dt.timedelta(days=1)).replace(day=1)


def cents(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def rate_on(currency: str, day: dt.date) -> Decimal:
    if currency == "EUR":
        return Decimal(1)
    return (
        ExchangeRate.objects.filter(currency=currency, date__lte=day).order_by("-date").first().rate
    )


def to_home(amount: Decimal, currency: str, home: str, day: dt.date) -> Decimal:
    if currency == home:
        return amount
    return amount * (rate_on(home, day) / rate_on(currency, day))


def counted_rows(user, **filters):
    book = category_book(user=user)
    for t in Transaction.objects.filter(COUNTED, user=user, **filters):
        category = book.resolve(t.category_override, t.pfc_detailed, t.pfc_primary)
        if book.counts(category):
            yield t, (book.root(category).code if category else "")


def expected_net_worth(user, home: str) -> Decimal:
    total = Decimal(0)
    for a in Account.objects.filter(item__user=user, current_balance__isnull=False):
        sign = -1 if a.is_liability else 1
        total += sign * to_home(a.current_balance, a.iso_currency_code, home, TODAY)
    return cents(total)


def expected_spending(user, home: str, start: dt.date, end: dt.date) -> tuple[Decimal, dict]:
    total, categories = Decimal(0), defaultdict(Decimal)
    for t, root in counted_rows(user, amount__gt=0, date__gte=start, date__lte=end):
        converted = to_home(t.amount, t.iso_currency_code, home, t.date)
        total += converted
        categories[root] += converted
    return cents(total), {code: cents(v) for code, v in categories.items()}
