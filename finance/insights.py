"""The insights page's totals: monthly spending by category and cash flow, per currency as
spent and converted to the home currency at each transaction's date. With `household`, the
household view (finance.households.totals: the owners' categories, members' transfers out)."""

import datetime as dt
from collections import defaultdict

from django.db.models import Q, Sum
from django.db.models.functions import TruncMonth

from .categories import CategoryBook, category_book
from .currency import HomeTotal, home_currency
from .currency.rows import CURRENCY_COLUMNS, RowTotals, conversion_day, row_code
from .households.totals import TotalsScope
from .meta import COUNTED
from .selectors import ZERO, add_months, month_start
from .totals import CATEGORY_COLUMNS, negative, positive

# The key of the converted view next to the per-currency ones in the insights' results.
HOME = "home"


def _month(row: dict) -> dt.date:
    month = row["month"]
    return month.date() if isinstance(month, dt.datetime) else month


def monthly_spending_by_category(
    *,
    user,
    today: dt.date,
    months: int = 12,
    book: CategoryBook | None = None,
    home: str | None = None,
    household: bool = False,
) -> dict:
    """{currency: {"months": [date, ...], "categories": {code: [Decimal per month]}}} per
    currency as spent, plus HOME: the same in the home currency (converted at each day's rate)
    with "currency" and "unconverted" (CurrencyParts nobody could convert)."""
    home = home or home_currency(user)
    first = add_months(month_start(today), -(months - 1))
    month_list = [add_months(first, i) for i in range(months)]
    book = book or category_book(user=user)
    scope = TotalsScope(user=user, book=book, household=household)
    rows = [
        row
        for part in scope.visible_parts()
        for row in part.filter(COUNTED, amount__gt=0, date__gte=first, date__lte=today)
        .annotate(month=TruncMonth("date"), day=conversion_day(home))
        .values(*CURRENCY_COLUMNS, "month", "day", *CATEGORY_COLUMNS, *scope.values)
        .annotate(total=Sum("amount"))
        .order_by()
    ]
    rows = scope.rows(
        rows,
        start=first,
        end=today,
        keys=lambda r: {"month": month_start(r["date"]), "day": r["date"]},
        totals={"total": positive},
        memo=book.memo,
    )
    convert = RowTotals(rows, home=home, start=first, end=today)
    converted: dict[str, list[HomeTotal]] = {}
    everything = convert.total()
    out: dict[str, dict] = {}
    for r in rows:
        code = scope.root(r)
        if code is None:
            continue
        cur = out.setdefault(
            row_code(r),
            {"months": month_list, "categories": defaultdict(lambda: [ZERO] * months)},
        )
        index = month_list.index(_month(r))
        cur["categories"][code][index] += r["total"]
        if code not in converted:
            converted[code] = [convert.total() for _ in month_list]
        convert.add(converted[code][index], r, r["total"])
        convert.add(everything, r, r["total"])
    if out:
        out[HOME] = {
            "months": month_list,
            "categories": {c: [t.amount for t in ts] for c, ts in converted.items()},
            "currency": home,
            "unconverted": everything.unconverted,
        }
    for cur in out.values():
        # Largest categories first: the stack and the table read in the same order.
        cur["categories"] = dict(sorted(cur["categories"].items(), key=lambda kv: -sum(kv[1])))
        cur["labels"] = {code: scope.label(code) for code in cur["categories"]}
    return out


def cash_flow(
    *,
    user,
    today: dt.date,
    months: int = 12,
    book: CategoryBook | None = None,
    home: str | None = None,
    household: bool = False,
) -> dict:
    """{currency: [{"month", "income", "spending", "net"}, ...]} per currency as spent, plus
    HOME: the same in the home currency, each month with the CurrencyParts nobody could convert
    ("income_unconverted", "spending_unconverted")."""
    home = home or home_currency(user)
    first = add_months(month_start(today), -(months - 1))
    month_list = [add_months(first, i) for i in range(months)]
    book = book or category_book(user=user)
    scope = TotalsScope(user=user, book=book, household=household)
    rows = [
        row
        for part in scope.visible_parts()
        for row in part.filter(COUNTED, date__gte=first, date__lte=today)
        .annotate(month=TruncMonth("date"), day=conversion_day(home))
        .values(*CURRENCY_COLUMNS, "month", "day", *CATEGORY_COLUMNS, *scope.values)
        .annotate(
            spending=Sum("amount", filter=Q(amount__gt=0)),
            income=Sum("amount", filter=Q(amount__lt=0)),
        )
        .order_by()
    ]
    rows = scope.rows(
        rows,
        start=first,
        end=today,
        keys=lambda r: {"month": month_start(r["date"]), "day": r["date"]},
        totals={"spending": positive, "income": negative},
        memo=book.memo,
    )
    convert = RowTotals(rows, home=home, start=first, end=today)
    converted = [{"income": convert.total(), "spending": convert.total()} for _ in month_list]
    out: dict[str, list] = {}
    for r in rows:
        if scope.root(r) is None:
            continue
        cur = out.setdefault(
            row_code(r),
            [{"month": m, "income": ZERO, "spending": ZERO} for m in month_list],
        )
        index = month_list.index(_month(r))
        income, spent = -(r["income"] or ZERO), r["spending"] or ZERO
        cur[index]["income"] += income
        cur[index]["spending"] += spent
        for name, amount in (("income", income), ("spending", spent)):
            if amount:
                convert.add(converted[index][name], r, amount)
    if out:
        out[HOME] = [
            {
                "month": month,
                "income": sums["income"].amount,
                "spending": sums["spending"].amount,
                "income_unconverted": sums["income"].unconverted,
                "spending_unconverted": sums["spending"].unconverted,
            }
            for month, sums in zip(month_list, converted, strict=True)
        ]
    for cur in out.values():
        for slot in cur:
            slot["net"] = slot["income"] - slot["spending"]
    return out
