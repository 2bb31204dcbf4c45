"""The portfolio (/investments/), its holdings CSV and the liabilities page (/liabilities/)."""

from __future__ import annotations

import uuid

from allauth.account.decorators import reauthentication_required
from django.contrib.auth.decorators import login_required
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from accounts.models import SecurityEvent
from accounts.security import security_event_record

from . import selectors
from .export import holdings_csv


def _account(request):
    """The ?account= filter: one of the user's investment accounts, else 404."""
    raw = request.GET.get("account")
    if not raw:
        return None
    try:
        public_id = uuid.UUID(raw)
    except ValueError as exc:
        raise Http404("No such account") from exc
    account = selectors.investment_accounts(request.user).filter(public_id=public_id).first()
    if account is None:
        raise Http404("No such account")
    return account


@login_required
@require_GET
def portfolio(request):
    account = _account(request)
    every = request.GET.get("all") == "1"
    accounts = list(selectors.investment_accounts(request.user).order_by("name", "pk"))
    context = {
        "portfolios": selectors.portfolio(
            request.user, account, limit=None if every else selectors.ROWS_SHOWN
        ),
        "investment_transactions": selectors.investment_transactions_for(
            request.user, account, accounts=accounts
        ),
        "accounts": accounts,
        "account": account,
    }
    return render(request, "finance/wealth/portfolio.html", context)


@login_required
@require_GET
# Like the transactions export: a stolen session must prove itself again first.
@reauthentication_required
def holdings_export(request):
    account = _account(request)
    security_event_record(
        user=request.user,
        kind=SecurityEvent.Kind.DATA_EXPORTED,
        request=request,
        format="csv",
        filters="holdings",
    )
    response = StreamingHttpResponse(
        holdings_csv(selectors.portfolio(request.user, account, limit=None)),
        content_type="text/csv; charset=utf-8",
    )
    filename = f"holdings-{timezone.localdate().isoformat()}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@require_GET
def liabilities(request):
    rows = selectors.liabilities_for(request.user)
    context = {
        "cards": [lb for lb in rows if lb.kind == "credit"],
        "loans": [lb for lb in rows if lb.kind != "credit"],
        "payments_due": selectors.payments_due(request.user, days=30),
    }
    return render(request, "finance/wealth/liabilities.html", context)
