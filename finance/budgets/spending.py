"""What each budget's categories spent, month by month, in the budget's currency.

Budgets are in the user's home currency (the one set when the budget was made). Every counted
row counts towards the budgets of its category whatever its own currency: it is converted at
its transaction's date (finance.currency: the ECB rate of that day, or the last one before;
Decimal, unrounded until a month's figure is shown, then rounded once to cents, half up). A row
that cannot be converted (no rate, an unofficial currency such as a crypto code) is kept apart
in the month's HomeTotal, by currency, and never added to the spent figure.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db.models import DateField, F, Q, Sum, Value
from django.db.models.functions import TruncMonth

from .. import access
from ..categories import CategoryBook
from ..currency import Converter, HomeTotal
from ..currency.rows import CURRENCY_COLUMNS, conversion_day, row_currency
from ..meta import COUNTED
from ..models import Budget, Category
from ..selectors import add_months, month_start
from ..totals import CATEGORY_COLUMNS, negative, positive, with_splits

SPENDING = Category.Kind.SPENDING
NO_RATES = Converter((), dt.date.min, dt.date.min)


class Spent(dict):
    """{(budget pk, month): HomeTotal in the budget's currency}; a month nothing counted in
    reads as an empty total."""

    def __init__(self, budgets: list[Budget], converter: Converter):
        super().__init__()
        self.currencies = {b.pk: b.currency for b in budgets}
        self.converter = converter

    def __missing__(self, key: tuple[int, dt.date]) -> HomeTotal:
        return HomeTotal(self.currencies.get(key[0], "USD"), self.converter)


def budget_kind(book: CategoryBook, budget: Budget) -> str:
    category = book.by_pk.get(budget.category_id) if budget.category_id else None
    return book.live(category).kind if category else SPENDING


def subtrees(book: CategoryBook, roots: set[int]) -> dict[int, set[int]]:
    """{category pk: it and everything under it} for the budgeted categories, from one pass
    over the tree (CategoryBook.subtree walks the whole tree per call)."""
    children: dict[int, list[int]] = defaultdict(list)
    for c in book.categories:
        if c.parent_id is not None and c.merged_into_id is None:
            children[c.parent_id].append(c.pk)
    out = {}
    for root in roots:
        seen, stack = {root}, [root]
        while stack:
            for child in children[stack.pop()]:
                if child not in seen:
                    seen.add(child)
                    stack.append(child)
        out[root] = seen
    return out


class BudgetTargets:
    """Which of these budgets a counted row of a category counts towards: every budget whose
    category is it or above it, and the total budgets when it is spending (or uncategorised)."""

    def __init__(self, book: CategoryBook, budgets: list[Budget]):
        live = {
            b.pk: book.live(book.by_pk[b.category_id]).pk
            for b in budgets
            if b.category_id and b.category_id in book.by_pk
        }
        trees = subtrees(book, set(live.values()))
        self.by_category: dict[int, list[Budget]] = defaultdict(list)
        for b in budgets:
            if b.pk in live:
                for pk in trees[live[b.pk]]:
                    self.by_category[pk].append(b)
        self.totals = [b for b in budgets if b.category_id is None]

    def of(self, category: Category | None) -> list[Budget]:
        if category is None:
            return self.totals
        found = self.by_category.get(category.pk, [])
        return [*self.totals, *found] if category.kind == SPENDING else found


def _rows(*, user, budgets, book, first, end, household):
    currencies = {b.currency for b in budgets}
    # With every budget in one currency (the usual case), rows already in it group without
    # their date, exactly as before conversions existed; only the others group per day.
    day = conversion_day(next(iter(currencies))) if len(currencies) == 1 else F("date")
    # One month (no rollover) needs no month column: a constant spares the database a
    # truncation per row (a Python function per row on SQLite).
    one_month = first == month_start(end)
    rows = (
        access.transactions_visible(user, household=household)
        .filter(COUNTED, date__gte=first, date__lte=end)
        .annotate(
            month=Value(first, output_field=DateField()) if one_month else TruncMonth("date"),
            day=day,
        )
        .values(*CURRENCY_COLUMNS, "month", "day", *CATEGORY_COLUMNS)
        .annotate(
            out=Sum("amount", filter=Q(amount__gt=0)), into=Sum("amount", filter=Q(amount__lt=0))
        )
        .order_by()
    )
    return with_splits(
        rows,
        user=user,
        start=first,
        end=end,
        keys=lambda r: {"month": month_start(r["date"]), "day": r["date"]},
        totals={"out": positive, "into": negative},
        memo=book.memo,
        household=household,
    )


def spent_by_month(
    *,
    user,
    book: CategoryBook,
    budgets: list[Budget],
    first: dt.date,
    last: dt.date,
    household: bool = False,
) -> Spent:
    """{(budget pk, month): HomeTotal} for months first..last (month starts); income budgets
    count money in, every other budget money out. With `household`, the rows of the accounts
    the user's household shares count too (converted the same way)."""
    end = add_months(last, 1) - dt.timedelta(days=1)
    rows = _rows(user=user, budgets=budgets, book=book, first=first, end=end, household=household)
    wanted = {b.currency for b in budgets}
    wanted |= {code for code, official in map(row_currency, rows) if official and code}
    # Rows and budgets all in one currency need no rates: no query.
    converter = Converter(wanted, first, end) if len(wanted) > 1 else NO_RATES
    spent = Spent(budgets, converter)
    targets = BudgetTargets(book, budgets)
    income = {b.pk for b in budgets if budget_kind(book, b) == Category.Kind.INCOME}
    for r in rows:
        category = book.resolve(*(r[c] for c in CATEGORY_COLUMNS))
        if not book.counts(category):
            continue
        month = r["month"].date() if isinstance(r["month"], dt.datetime) else r["month"]
        code, official = row_currency(r)
        day = r.get("day") or r.get("date") or first
        for b in targets.of(category):
            amount = -(r["into"] or 0) if b.pk in income else r["out"]
            if not amount:
                continue
            key = (b.pk, month)
            if key not in spent:
                spent[key] = HomeTotal(b.currency, converter)
            spent[key].add(amount, code, day, official=official)
    return spent
