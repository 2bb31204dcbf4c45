"""The budget page: one month's budgets against what was spent, and the edits."""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET, require_POST

from accounts.time_zone import user_today

from .. import access
from ..categories import category_book
from ..currency import home_currency
from ..households.services import household_of
from ..selectors import add_months, month_start
from .forms import BudgetAddForm, BudgetAmountForm
from .report import budget_lines, totals_per_kind
from .services import (
    BudgetError,
    budget_delete,
    budget_set,
    budgets_copy_last_month,
    budgets_from_average,
)


def _month(request, today: dt.date) -> dt.date:
    """?month=YYYY-MM, else the user's current month; junk is the current month too."""
    try:
        return dt.datetime.strptime(request.GET.get("month", "")[:7], "%Y-%m").date()
    except ValueError:
        return month_start(today)


def _month_from_post(request, today: dt.date) -> dt.date:
    try:
        return dt.datetime.strptime(request.POST.get("month", "")[:7], "%Y-%m").date()
    except ValueError:
        return month_start(today)


def _back(month: dt.date) -> HttpResponseRedirect:
    return HttpResponseRedirect(f"/budgets/?month={month:%Y-%m}")


def _page(request, *, month: dt.date, today: dt.date, add_form=None, status=200):
    user = request.user
    # The "mine / household" switch (as on the dashboard): the viewer's own budgets over the
    # spending of every account they can see, their own and those their household shares.
    in_household = household_of(user) is not None
    household = in_household and request.GET.get("view") == "household"
    book = category_book(user=user)
    lines = budget_lines(user=user, month=month, today=today, book=book, household=household)
    add_form = add_form or BudgetAddForm(categories=access.categories_visible(user))
    context = {
        "month": month,
        "previous": add_months(month, -1),
        "next": add_months(month, 1),
        "current": month_start(today),
        "lines": lines,
        "totals": totals_per_kind(lines),
        "add_form": add_form,
        "home": home_currency(user),
        "household": household,
        "in_household": in_household,
    }
    return render(request, "finance/budgets/page.html", context, status=status)


@login_required
@require_GET
def budget_page(request):
    today = user_today(request.user)
    return _page(request, month=_month(request, today), today=today)


@login_required
@require_POST
def budget_add(request):
    today = user_today(request.user)
    month = _month_from_post(request, today)
    form = BudgetAddForm(
        request.POST,
        categories=access.categories_visible(request.user),
        budgeted=set(access.budgets_visible(request.user).values_list("category_id", flat=True)),
    )
    if form.is_valid():
        try:
            # Budgets are planned in the home currency; spending converts into it.
            budget_set(
                user=request.user,
                month=month,
                currency=home_currency(request.user),
                **form.cleaned_data,
            )
        except BudgetError as exc:
            form.add_error("category", str(exc))
        else:
            messages.success(request, "Budget saved.")
            return _back(month)
    return _page(request, month=month, today=today, add_form=form, status=400)


@login_required
@require_POST
def budget_edit(request, public_id):
    budget = get_object_or_404(
        access.budgets_visible(request.user).select_related("category"), public_id=public_id
    )
    today = user_today(request.user)
    month = _month_from_post(request, today)
    form = BudgetAmountForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Enter an amount of zero or more, like 250 or 99.50.")
        return _page(request, month=month, today=today, status=400)
    budget_set(
        user=request.user,
        category=budget.category,
        currency=budget.currency,
        month=month,
        **form.cleaned_data,
    )
    messages.success(request, f"Budget saved from {month:%B %Y} on.")
    return _back(month)


@login_required
@require_POST
def budget_remove(request, public_id):
    budget = get_object_or_404(access.budgets_visible(request.user), public_id=public_id)
    budget_delete(user=request.user, budget=budget)
    messages.success(request, "Budget removed.")
    return _back(_month_from_post(request, user_today(request.user)))


@login_required
@require_POST
def budget_copy(request):
    month = _month_from_post(request, user_today(request.user))
    count = budgets_copy_last_month(user=request.user, month=month)
    messages.success(request, f"Copied last month's amounts ({count} changed).")
    return _back(month)


@login_required
@require_POST
def budget_average(request):
    month = _month_from_post(request, user_today(request.user))
    count = budgets_from_average(user=request.user, month=month)
    messages.success(request, f"Set {count} budgets from your average of the last 3 months.")
    return _back(month)
