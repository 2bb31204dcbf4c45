"""Changing budgets: set a month's amount (from then on), remove, copy last month's plan,
or plan from the average of the last three months."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django.db import IntegrityError, transaction

from .. import access
from ..categories import category_book
from ..models import Budget, BudgetMonth, Category
from ..selectors import add_months
from .report import amount_for, budget_plans, budgets_edited
from .spending import spent_by_month

AVERAGE_MONTHS = 3


class BudgetError(ValueError):
    pass


def budget_set(
    *,
    user,
    category: Category | None,
    currency: str,
    month: dt.date,
    amount: Decimal,
    rollover: bool | None = None,
) -> Budget:
    """The budget's amount from `month` on (until a later change). Creates the budget (in
    `currency`) when the category has none; an earlier month moves its start back."""
    if amount < 0:
        raise BudgetError("A budget cannot be below zero.")
    if category is not None and category.kind not in (
        Category.Kind.SPENDING,
        Category.Kind.INCOME,
    ):
        raise BudgetError(f"“{category.name}” counts in no total, so it cannot have a budget.")
    with transaction.atomic():
        try:
            with transaction.atomic():
                # One budget per category (and one total), whatever its currency.
                budget, created = access.budgets_visible(user).get_or_create(
                    category=category,
                    defaults={
                        "user": user,
                        "currency": currency,
                        "start_month": month,
                        "rollover": bool(rollover),
                    },
                )
        except IntegrityError:
            # A concurrent request created it first: change that one.
            budget, created = (
                access.budgets_visible(user).get(category=category),
                False,
            )
        budget = access.budgets_visible(user).select_for_update().get(pk=budget.pk)
        fields = []
        if month < budget.start_month:
            budget.start_month = month
            fields.append("start_month")
        if rollover is not None and not created and rollover != budget.rollover:
            budget.rollover = rollover
            fields.append("rollover")
        if fields:
            budget.save(update_fields=fields)
        BudgetMonth.objects.update_or_create(
            budget=budget, month=month, defaults={"amount": amount}
        )
        budgets_edited(user.pk)
    return budget


def budget_delete(*, user, budget: Budget) -> None:
    access.budgets_visible(user).filter(pk=budget.pk).delete()
    budgets_edited(user.pk)


def budgets_copy_last_month(*, user, month: dt.date) -> int:
    """This month's amounts become last month's again (undoing this month's changes) for every
    budget that ran last month. Returns how many budgets changed."""
    last = add_months(month, -1)
    changed = 0
    with transaction.atomic():
        budgets = list(access.budgets_visible(user))
        plans = budget_plans(budgets)
        for budget in budgets:
            plan = plans[budget.pk]
            before, now = amount_for(budget, plan, last), amount_for(budget, plan, month)
            if before is not None and before != now:
                BudgetMonth.objects.update_or_create(
                    budget=budget, month=month, defaults={"amount": before}
                )
                changed += 1
        budgets_edited(user.pk)
    return changed


def budgets_from_average(*, user, month: dt.date) -> int:
    """Every category budget's amount for `month` on becomes what was spent on average over
    the three months before it (converted into the budget's currency at each transaction's
    date), rounded to a whole unit, half up. Returns how many were set."""
    book = category_book(user=user)
    budgets = list(
        access.budgets_visible(user).filter(category__isnull=False).select_related("category")
    )
    if not budgets:
        return 0
    first = add_months(month, -AVERAGE_MONTHS)
    spent = spent_by_month(
        user=user, book=book, budgets=budgets, first=first, last=add_months(month, -1)
    )
    with transaction.atomic():
        for budget in budgets:
            # Unrounded converted sums, rounded once below.
            total = sum(
                (spent[(budget.pk, add_months(first, i))].exact for i in range(AVERAGE_MONTHS)),
                Decimal("0"),
            )
            average = (total / AVERAGE_MONTHS).quantize(Decimal("1"), ROUND_HALF_UP)
            budget_set(
                user=user,
                category=budget.category,
                currency=budget.currency,
                month=month,
                amount=average.quantize(Decimal("0.01")),
            )
    return len(budgets)
