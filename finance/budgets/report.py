"""Reading budgets against what was spent: one grouped query over the months a report needs,
resolved through the user's CategoryBook like every other total (finance.totals)."""

from __future__ import annotations

import calendar
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Q, Sum
from django.db.models.functions import TruncMonth

from accounts.time_zone import user_today

from .. import access
from ..categories import CategoryBook, category_book
from ..meta import COUNTED
from ..models import Budget, Category
from ..selectors import add_months, month_start
from ..totals import CATEGORY_COLUMNS, negative, positive, with_splits

ZERO = Decimal("0.00")
SPENDING = Category.Kind.SPENDING


@dataclass
class BudgetLine:
    budget: Budget
    label: str
    kind: str
    currency: str
    budgeted: Decimal
    carried: Decimal = ZERO
    spent: Decimal = ZERO
    projection: Decimal | None = None
    months_spent: dict = field(default_factory=dict)

    @property
    def available(self) -> Decimal:
        return self.budgeted + self.carried

    @property
    def left(self) -> Decimal:
        return self.available - self.spent

    @property
    def ratio(self) -> Decimal:
        """Spent over available; a budget of nothing is full as soon as anything is spent."""
        if self.available <= 0:
            return Decimal("1") if self.spent > 0 else ZERO
        return self.spent / self.available

    @property
    def percent(self) -> int:
        return int((self.ratio * 100).to_integral_value(ROUND_HALF_UP))

    @property
    def bar_percent(self) -> int:
        return max(0, min(100, self.percent))

    @property
    def over(self) -> bool:
        return self.spent > self.available

    @property
    def projected_over(self) -> bool:
        return self.projection is not None and self.projection > self.available


def amount_for(budget: Budget, month: dt.date) -> Decimal | None:
    """The budget's amount for a month (the latest change at or before it), None before it
    starts. Reads the prefetched `months`."""
    if month < budget.start_month:
        return None
    amount = None
    for row in budget.months.all():
        if row.month <= month:
            amount = row.amount
    return amount


def budget_kind(budget: Budget) -> str:
    return budget.category.kind if budget.category_id else SPENDING


def spent_by_month(
    *, user, book: CategoryBook, budgets: list[Budget], first: dt.date, last: dt.date
) -> dict[tuple[int, dt.date], Decimal]:
    """{(budget pk, month): spent} for months first..last (month starts); income budgets count
    money in, every other budget money out."""
    end = add_months(last, 1) - dt.timedelta(days=1)
    rows = (
        access.transactions_visible(user)
        .filter(COUNTED, date__gte=first, date__lte=end)
        .annotate(month=TruncMonth("date"))
        .values("iso_currency_code", "month", *CATEGORY_COLUMNS)
        .annotate(
            out=Sum("amount", filter=Q(amount__gt=0)), into=Sum("amount", filter=Q(amount__lt=0))
        )
        .order_by()
    )
    rows = with_splits(
        rows,
        user=user,
        start=first,
        end=end,
        keys=lambda r: {"month": month_start(r["date"])},
        totals={"out": positive, "into": negative},
        memo=book.memo,
    )
    covers: dict[int, set[int]] = {
        b.pk: book.subtree(book.live(book.by_pk[b.category_id]))
        for b in budgets
        if b.category_id and b.category_id in book.by_pk
    }
    by_currency: dict[str, list[Budget]] = defaultdict(list)
    for b in budgets:
        by_currency[b.currency].append(b)
    spent: dict[tuple[int, dt.date], Decimal] = defaultdict(lambda: ZERO)
    for r in rows:
        candidates = by_currency.get(r["iso_currency_code"] or "USD")
        if not candidates:
            continue
        category = book.resolve(*(r[c] for c in CATEGORY_COLUMNS))
        if not book.counts(category):
            continue
        month = r["month"].date() if isinstance(r["month"], dt.datetime) else r["month"]
        kind = category.kind if category else SPENDING
        for b in candidates:
            if b.category_id is None:
                if kind != SPENDING:
                    continue
            elif category is None or category.pk not in covers.get(b.pk, ()):
                continue
            if budget_kind(b) == Category.Kind.INCOME:
                spent[(b.pk, month)] -= r["into"] or ZERO
            else:
                spent[(b.pk, month)] += r["out"] or ZERO
    return spent


def budget_lines(
    *, user, month: dt.date, today: dt.date, book: CategoryBook | None = None
) -> list[BudgetLine]:
    """Every budget active in `month` with what it had, spent and has left, and (for the
    current month) where the pace so far ends."""
    budgets = [
        b
        for b in access.budgets_visible(user).select_related("category").prefetch_related("months")
        if b.start_month <= month
    ]
    if not budgets:
        return []
    book = book or category_book(user=user)
    rolling = [b.start_month for b in budgets if b.rollover]
    first = min([month, *rolling])
    spent = spent_by_month(user=user, book=book, budgets=budgets, first=first, last=month)
    lines = []
    for b in budgets:
        budgeted = amount_for(b, month) or ZERO
        carried = ZERO
        if b.rollover:
            m = b.start_month
            while m < month:
                carried = (amount_for(b, m) or ZERO) + carried - spent[(b.pk, m)]
                m = add_months(m, 1)
        label = book.live(b.category).name if b.category_id else "All spending"
        line = BudgetLine(
            budget=b,
            label=label,
            kind=budget_kind(b),
            currency=b.currency,
            budgeted=budgeted,
            carried=carried,
            spent=spent[(b.pk, month)],
        )
        line.projection = _projection(line.spent, month, today)
        lines.append(line)
    lines.sort(key=lambda x: (x.budget.category_id is not None, x.kind, x.label.lower()))
    return lines


def _projection(spent: Decimal, month: dt.date, today: dt.date) -> Decimal | None:
    if month_start(today) > month:
        return spent
    if month_start(today) < month:
        return None
    days = calendar.monthrange(month.year, month.month)[1]
    return (spent / today.day * days).quantize(Decimal("0.01"))


def totals_per_kind(lines: list[BudgetLine]) -> list[dict]:
    """Category budgets summed per (kind, currency); the total budget is a line of its own."""
    sums: dict[tuple[str, str], dict] = {}
    for line in lines:
        if line.budget.category_id is None:
            continue
        row = sums.setdefault(
            (line.kind, line.currency),
            {
                "kind": Category.Kind(line.kind).label,
                "currency": line.currency,
                "budgeted": ZERO,
                "spent": ZERO,
                "left": ZERO,
            },
        )
        row["budgeted"] += line.available
        row["spent"] += line.spent
        row["left"] += line.left
    return [sums[k] for k in sorted(sums)]


def budgets_closest(*, user, today: dt.date, top: int = 3) -> list[BudgetLine]:
    """The dashboard card: this month's spending budgets nearest (or past) their limit."""
    lines = [
        line
        for line in budget_lines(user=user, month=month_start(today), today=today)
        if line.kind == SPENDING and line.budget.category_id
    ]
    return sorted(lines, key=lambda x: -x.ratio)[:top]


def budget_card_context(user) -> dict:
    return {"budgets_closest": budgets_closest(user=user, today=user_today(user))}
