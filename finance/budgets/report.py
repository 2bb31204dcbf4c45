"""Reading budgets against what was spent: one grouped query over the months a report needs,
resolved through the user's CategoryBook like every other total (finance.totals), converted
into each budget's (home) currency at each transaction's date (budgets/spending.py)."""

from __future__ import annotations

import calendar
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.core.cache import cache

from accounts.time_zone import user_today

from .. import access
from ..categories import CategoryBook, category_book
from ..currency import HomeTotal
from ..models import Budget, BudgetMonth, Category
from ..selectors import add_months, month_start
from ..versions import (
    RATES_VERSION_KEY,
    edits_version_key,
    synced_version_key,
    version_bump,
    versions_stamp,
)
from .spending import BudgetTargets, budget_kind, spent_by_month

ZERO = Decimal("0.00")
SPENDING = Category.Kind.SPENDING
# The dashboard card is cached under the versions that retire it; the TTL is a safety net.
CARD_SECONDS = 60 * 60


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
    # What `spent` is made of per currency, and what could not be converted (shown apart).
    spent_detail: HomeTotal | None = None

    @property
    def unconverted(self) -> list:
        return self.spent_detail.unconverted if self.spent_detail else []

    @property
    def has_breakdown(self) -> bool:
        """Anything but the budget's own currency: the page shows the parts (rendering the
        breakdown for every plain line would cost a template per line)."""
        detail = self.spent_detail
        return bool(detail) and (detail.mixed or bool(detail.unconverted))

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


Plan = list[tuple[dt.date, Decimal]]


def budget_plans(budgets: list[Budget]) -> dict[int, Plan]:
    """Each budget's amount changes, oldest first, read as plain tuples in one query."""
    plans: dict[int, Plan] = defaultdict(list)
    rows = (
        BudgetMonth.objects.filter(budget_id__in=[b.pk for b in budgets])
        .order_by("month")
        .values_list("budget_id", "month", "amount")
    )
    for budget_id, month, amount in rows:
        plans[budget_id].append((month, amount))
    return plans


def amount_for(budget: Budget, plan: Plan, month: dt.date) -> Decimal | None:
    """The budget's amount for a month (the latest change at or before it), None before it
    starts."""
    if month < budget.start_month:
        return None
    amount = None
    for changed, value in plan:
        if changed <= month:
            amount = value
    return amount


def budgets_covering(
    book: CategoryBook, budgets: list[Budget], categories, targets: BudgetTargets | None = None
) -> list[Budget]:
    """The budgets a row of one of these categories (None: uncategorised) counts towards:
    the total budget for spending, and every budget whose category is it or above it."""
    targets = targets or BudgetTargets(book, budgets)
    hit = {b.pk for category in categories if book.counts(category) for b in targets.of(category)}
    return [b for b in budgets if b.pk in hit]


def budget_lines(
    *,
    user,
    month: dt.date,
    today: dt.date,
    book: CategoryBook | None = None,
    only: list[Budget] | None = None,
    household: bool = False,
    plans: dict[int, Plan] | None = None,
) -> list[BudgetLine]:
    """Every budget active in `month` (or those of `only`) with what it had, spent and has
    left, and (for the current month) where the pace so far ends. Each month's spending is
    rounded to cents once (a rollover carries the rounded figures). With `household`, the
    spending on accounts the household shares counts too. `plans`: the budgets' amounts, when
    the caller has them (budget_plans)."""
    if only is None:
        only = list(access.budgets_visible(user))
    budgets = [b for b in only if b.start_month <= month]
    if not budgets:
        return []
    book = book or category_book(user=user)
    if plans is None:
        plans = budget_plans(budgets)
    rolling = [b.start_month for b in budgets if b.rollover]
    first = min([month, *rolling])
    spent = spent_by_month(
        user=user, book=book, budgets=budgets, first=first, last=month, household=household
    )
    lines = []
    for b in budgets:
        plan = plans[b.pk]
        budgeted = amount_for(b, plan, month) or ZERO
        carried = ZERO
        if b.rollover:
            m = b.start_month
            while m < month:
                carried = (amount_for(b, plan, m) or ZERO) + carried - spent[(b.pk, m)].amount
                m = add_months(m, 1)
        category = book.by_pk.get(b.category_id) if b.category_id else None
        label = book.live(category).name if category else "All spending"
        line = BudgetLine(
            budget=b,
            label=label,
            kind=budget_kind(book, b),
            currency=b.currency,
            budgeted=budgeted,
            carried=carried,
            spent=spent[(b.pk, month)].amount,
            spent_detail=spent[(b.pk, month)],
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


def budgets_version_key(user_id: int) -> str:
    return f"finance:budgets:{user_id}"


def budgets_edited(user_id: int) -> None:
    """A budget changed: the cached dashboard card computed before, and the budgets the alerts
    hook keeps (finance.alerts.standing), are retired."""
    version_bump(budgets_version_key(user_id))


def budget_card_context(user) -> dict:
    """The card, cached per user and (their) day under the versions a change bumps: a
    committed sync (finance.hooks), a category or rule edit, a budget change. With Redis down
    it is computed each time."""
    today = user_today(user)
    keys = [
        edits_version_key(user.pk),
        synced_version_key(user.pk),
        budgets_version_key(user.pk),
        RATES_VERSION_KEY,
    ]
    stamp, _ = versions_stamp(keys)
    key = f"finance:budget-card:{user.pk}:{today.isoformat()}:{stamp}"
    lines = cache.get(key)
    if lines is None:
        lines = budgets_closest(user=user, today=today)
        cache.set(key, lines, CARD_SECONDS)
    return {"budgets_closest": lines}
