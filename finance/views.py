"""The money pages: dashboard, transactions (list, export, edit) and insights."""

from allauth.account.decorators import reauthentication_required
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseRedirect, JsonResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods
from django_htmx.http import HttpResponseClientRefresh

from accounts.models import SecurityEvent
from accounts.security import security_event_record
from banking import live
from banking.categories import category_label
from banking.live import live_fragment
from banking.models import Transaction

from . import access, selectors
from .account_preferences import account_preference_save
from .budgets.report import budget_card_context
from .categories import category_book
from .currency import home_currency
from .export import transaction_csv
from .forms import AccountPreferenceForm, TransactionEditForm, TransactionFilterForm
from .households.services import household_of, household_view_asked, shared_edit_audit
from .insights import HOME, cash_flow, monthly_spending_by_category
from .networth.selectors import networth_card
from .pagination import (
    SORTS,
    BadCursor,
    ForeignCursor,
    list_count,
    list_scope,
    transaction_page,
)
from .recurring.selectors import dashboard_recurring
from .tags import tag_names
from .transaction_edits import transaction_annotate
from .transfers import transfer_candidates

PAGE_SIZE = 50


def _dashboard_context(user, household: bool = False) -> dict:
    today = timezone.localdate()
    # Bank connections stay the viewer's own in both views.
    connections = selectors.connections_for_user(user=user)
    if not connections and not household:
        return {"connections": [], "in_household": household_of(user) is not None}
    accounts = selectors.accounts_for_user(user=user, household=household)
    home = home_currency(user)
    if household:
        spending, top_categories = selectors.household_spending_cached(
            user=user, today=today, home=home
        )
    else:
        spending, top_categories = selectors.spending_summary_cached(
            user=user, today=today, connections=connections, home=home
        )
    return {
        "household": household,
        "in_household": household or household_of(user) is not None,
        "connections": connections,
        "activity": live.activity_summary(connections),
        "home": home,
        "balance_groups": selectors.balances_by_type(accounts, home=home, day=today),
        **networth_card(user=user, accounts=accounts, home=home, today=today, household=household),
        "spending": spending,
        "top_categories": top_categories,
        "recent": selectors.recent_transactions(user=user, household=household),
        **dashboard_recurring(user, today),
        "today": today,
        "back_to": "/",
        **budget_card_context(user),
    }


@login_required
@require_GET
def dashboard(request):
    context = _dashboard_context(request.user, household_view_asked(request))
    return render(request, "finance/dashboard.html", context)


@login_required
@require_GET
def dashboard_live(request):
    context = _dashboard_context(request.user, household_view_asked(request))
    if not context["connections"] and not context.get("household"):
        # The last bank went away in another tab: the whole page changes, not a region.
        return HttpResponseClientRefresh()
    return live_fragment(render(request, "finance/_dashboard_live.html", context))


@login_required
@require_http_methods(["GET", "POST"])
def account_preferences(request):
    accounts = selectors.accounts_for_user(user=request.user)
    rows = [
        (
            account,
            AccountPreferenceForm(
                request.POST or None,
                prefix=str(account.public_id),
                initial={
                    "nickname": account.label if account.label != account.name else "",
                    "in_totals": account.in_totals,
                    "position": account.position,
                },
            ),
        )
        for account in accounts
    ]
    if request.method == "POST" and all(form.is_valid() for _, form in rows):
        for account, form in rows:
            account_preference_save(
                account=account,
                nickname=form.cleaned_data["nickname"],
                excluded_from_totals=not form.cleaned_data["in_totals"],
                position=form.cleaned_data["position"],
            )
        messages.success(request, "Saved how your accounts are shown.")
        return redirect("/")
    status = 400 if request.method == "POST" else 200
    return render(request, "finance/account_preferences.html", {"rows": rows}, status=status)


def _filtered(request):
    """(form, queryset or None). An invalid form gives no rows, with its errors shown."""
    household = household_view_asked(request)
    data = request.GET.copy()
    data.pop("view", None)
    form = TransactionFilterForm(data or None, user=request.user, household=household)
    if form.is_bound and not form.is_valid():
        return form, None
    filters = form.cleaned_data if form.is_bound else {}
    return form, selectors.transactions_filtered(
        user=request.user, filters=filters, book=form.book, household=household
    )


@login_required
@require_GET
def transaction_list(request):
    household = household_view_asked(request)
    form, qs = _filtered(request)
    page, parts = None, None
    count_limit = settings.TRANSACTION_COUNT_LIMIT
    if qs is not None:
        data = form.cleaned_data if form.is_bound else {}
        sort = data.get("sort") or "newest"
        scope = list_scope(request.GET)
        parts = access.transaction_parts(request.user, household=household)
        try:
            # Cursors are read raw: a garbled one or one from another list restarts at page one.
            page = transaction_page(
                qs,
                sort=sort,
                after=request.GET.get("after", "")[:80],
                before=request.GET.get("before", "")[:80],
                size=PAGE_SIZE,
                scope=scope,
                parts=parts,
            )
        except ForeignCursor:
            messages.info(
                request,
                "That page link belongs to another search or sort order, "
                "so here is the first page of this one.",
            )
            page = transaction_page(qs, sort=sort, size=PAGE_SIZE, scope=scope, parts=parts)
        except BadCursor:
            messages.info(request, "That page link no longer works, so here is the first page.")
            page = transaction_page(qs, sort=sort, size=PAGE_SIZE, scope=scope, parts=parts)
    context = {
        "result_count": None if qs is None else list_count(qs, limit=count_limit, parts=parts),
        "count_limit": count_limit,
        "form": form,
        "page": page,
        "edit_form": TransactionEditForm(
            instance=Transaction(), category_choices=form.fields["category"].choices[1:]
        ),
        "has_accounts": form.fields["account"].queryset.exists(),
        "household": household,
        "editable_accounts": set(access.account_ids_editable_shared(request.user))
        if household
        else (),
        "in_household": household_of(request.user) is not None,
        # "More filters" starts open when one of them is in use or has an error.
        "more_filters_open": bool(form.errors)
        or any(request.GET.get(name) for name in form.fields if name not in ("q", "sort")),
    }
    return render(
        request, "finance/transactions/list.html", context, status=400 if qs is None else 200
    )


@login_required
@require_GET
# All of someone's history in one file: a stolen session must prove itself again first.
@reauthentication_required
def transaction_export(request):
    form, qs = _filtered(request)
    if qs is None:
        # The list page shows the same errors next to the fields.
        return redirect(f"/transactions/?{request.GET.urlencode()}")
    security_event_record(
        user=request.user,
        kind=SecurityEvent.Kind.DATA_EXPORTED,
        request=request,
        format="csv",
        filters=request.GET.urlencode()[:300],
    )
    sort = form.cleaned_data.get("sort") if form.is_bound else "newest"
    field, desc = SORTS[sort or "newest"]
    order = [f"-{field}", "-id"] if desc else [field, "id"]
    filename = f"transactions-{timezone.localdate().isoformat()}.csv"
    response = StreamingHttpResponse(
        transaction_csv(qs.order_by(*order), label=category_book(user=request.user).label),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


@login_required
@require_http_methods(["GET", "POST"])
def transaction_edit(request, public_id):
    # Own rows and rows on accounts shared for editing; view-only sharing is 404 here.
    txn = get_object_or_404(
        access.transaction_editable_shared(request.user).select_related("account", "user"),
        public_id=public_id,
    )
    # On a shared account the owner's categories apply, whoever edits.
    book = category_book(user=txn.user)
    # Read before validation: a ModelForm writes the new values onto the instance.
    before = {"category_override": txn.category_override, "notes": txn.notes}
    form = TransactionEditForm(request.POST or None, instance=txn, category_choices=book.choices())
    if request.method == "POST":
        if form.is_valid():
            shared_edit_audit(
                transaction=txn,
                actor=request.user,
                changes=_changes(before, form.cleaned_data, book),
            )
            transaction_annotate(
                transaction=txn,
                category_override=form.cleaned_data["category_override"],
                notes=form.cleaned_data["notes"],
            )
            if _wants_json(request):
                return JsonResponse(_edit_payload(txn, book))
            messages.success(request, f"Saved your changes to “{txn.name}”.")
            return HttpResponseRedirect(_safe_next(request))
        if _wants_json(request):
            return JsonResponse({"ok": False, "errors": form.errors.get_json_data()}, status=400)
    context = {"txn": txn, "form": form, "next": _safe_next(request), "tags": tag_names(txn)}
    mine = txn.user_id == request.user.pk
    context["shared_from"] = None if mine else txn.user.email
    context["transfer_candidates"] = transfer_candidates(user=request.user, txn=txn) if mine else []
    return render(
        request, "finance/transactions/edit.html", context, status=400 if form.errors else 200
    )


def _changes(before, data, book) -> list[str]:
    """What an edit changes, in words, for the audit of a shared transaction."""
    out = []
    old, new = before["category_override"], data["category_override"]
    if new != old:
        out.append(
            f"category {book.label(old) if old else 'as the bank'} → "
            f"{book.label(new) if new else 'as the bank'}"
        )
    if data["notes"] != before["notes"]:
        out.append("notes")
    return out


def _edit_payload(txn, book) -> dict:
    return {
        "ok": True,
        "category": txn.category,
        "category_label": book.label(txn.category),
        "category_override": txn.category_override,
        "notes": txn.notes,
    }


def _safe_next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target.startswith("/transactions/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return "/transactions/"


MONTH_CHOICES = (6, 12, 24)


@login_required
@require_GET
def insights(request):
    user, today = request.user, timezone.localdate()
    try:
        months = int(request.GET.get("months", 12))
    except ValueError:
        months = 12
    if months not in MONTH_CHOICES:
        months = 12
    book = category_book(user=user)
    home = home_currency(user)
    household = household_view_asked(request)
    totals = {"today": today, "months": months, "book": book, "home": home}
    by_category = monthly_spending_by_category(user=user, household=household, **totals)
    flow = cash_flow(user=user, household=household, **totals)
    # Everything in the home currency leads; each currency as spent is one click away.
    currencies = sorted((set(by_category) | set(flow)) - {HOME})
    view = request.GET.get("currency")
    if view not in currencies:
        view = HOME if currencies else None
    currency = home if view == HOME else view
    spending = by_category.get(view)
    cash = flow.get(view, [])
    chart_data = None
    if view:
        month_starts = spending["months"] if spending else [r["month"] for r in cash]
        # This month is not over: its bars are marked, so nobody reads a dip into them.
        labels = [
            m.strftime("%b %Y") + (" (so far)" if _is_this_month(m, today) else "")
            for m in month_starts
        ]
        chart_data = {
            "currency": currency,
            "labels": labels,
            "categories": [
                {
                    "code": code,
                    "label": spending["labels"].get(code) or category_label(code),
                    "values": values,
                }
                for code, values in (spending["categories"].items() if spending else [])
            ],
            "income": [r["income"] for r in cash],
            "spending": [r["spending"] for r in cash],
        }
    context = {
        "months": months,
        "month_choices": MONTH_CHOICES,
        "currencies": currencies,
        "view": view,
        "home": home,
        "currency": currency,
        "unconverted": _unconverted(spending, cash) if view == HOME else {},
        "spending": spending,
        "spending_rows": _spending_rows(spending),
        "cash": cash,
        "chart_data": chart_data,
        "this_month": today.replace(day=1),
        "household": household,
        "in_household": household or household_of(user) is not None,
    }
    return render(request, "finance/insights.html", context)


def _unconverted(spending, cash) -> dict:
    """What the converted view leaves out, summed per currency, for the note under each chart."""
    out: dict[str, dict] = {"spending": {}, "income": {}}
    parts = [("spending", p) for p in (spending or {}).get("unconverted", [])]
    for slot in cash:
        parts += [("income", p) for p in slot["income_unconverted"]]
    for kind, part in parts:
        out[kind][part.currency] = out[kind].get(part.currency, 0) + part.missing
    return out


def _is_this_month(month, today) -> bool:
    return (month.year, month.month) == (today.year, today.month)


def _spending_rows(spending):
    """The accessible table: one row per month, one column per category, plus a total."""
    if not spending:
        return []
    codes = list(spending["categories"])
    rows = []
    for i, month in enumerate(spending["months"]):
        values = [spending["categories"][code][i] for code in codes]
        rows.append({"month": month, "values": values, "total": sum(values)})
    return rows
