"""The banks page, one bank's page, reconnect (update mode) and removal."""

from itertools import groupby

from allauth.account.decorators import reauthentication_required
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import SecurityEvent
from accounts.security import security_event_record

from .. import link as link_service
from .. import live, removal
from .. import sync as sync_service
from ..models import Account, PlaidItem
from .link import json_body, json_error, link_context

MANUAL_RECONNECT = "{} holds imported accounts: it is not connected to a bank to reconnect."


def _item_for_user(request, public_id) -> PlaidItem:
    return get_object_or_404(
        PlaidItem.objects.for_user(request.user).select_related("institution"),
        public_id=public_id,
    )


@login_required
@require_GET
def bank_list(request):
    items = (
        PlaidItem.objects.for_user(request.user)
        .select_related("institution")
        .prefetch_related(Prefetch("accounts", queryset=Account.objects.filter(hidden=False)))
        .order_by("institution__name", "created_at")
    )
    groups = [
        {"institution": institution, "items": list(group)}
        for institution, group in groupby(items, key=lambda item: item.institution)
    ]
    return render(request, "banking/banks/list.html", {"groups": groups})


def bank_context(item: PlaidItem, notice: str = "") -> dict:
    return {
        "item": item,
        "accounts": item.accounts.filter(hidden=False),
        "sync_runs": sync_service.sync_runs_for_item(item),
        "activity": live.items_activity([item])[0],
        "notice": notice,
    }


def bank_live_response(request, item: PlaidItem, notice: str = ""):
    return live.live_fragment(
        render(request, "banking/banks/_live.html", bank_context(item, notice))
    )


@login_required
@require_GET
def bank_detail(request, public_id):
    item = _item_for_user(request, public_id)
    return render(request, "banking/banks/detail.html", bank_context(item))


@login_required
@require_GET
def bank_live(request, public_id):
    return bank_live_response(request, _item_for_user(request, public_id))


@login_required
@require_GET
def bank_reconnect(request, public_id):
    item = _item_for_user(request, public_id)
    if item.is_manual:
        messages.warning(request, MANUAL_RECONNECT.format(item.display_name))
        return redirect("bank_detail", public_id=item.public_id)
    if item.status == PlaidItem.Status.REMOVING:
        messages.info(request, "This bank connection is being removed.")
        return redirect("bank_detail", public_id=item.public_id)
    return render(
        request,
        "banking/banks/reconnect.html",
        link_context(item=item, success_url=reverse("bank_reconnected", args=[item.public_id])),
    )


@login_required
@require_POST
def bank_reconnected(request, public_id):
    item = _item_for_user(request, public_id)
    if item.is_manual:
        return json_error(MANUAL_RECONNECT.format(item.display_name), 409)
    data = json_body(request)
    if data is None:
        return json_error("Send a JSON object.")
    try:
        link_service.item_reconnected(item=item, metadata=data.get("metadata"))
    except link_service.LinkError as exc:
        return json_error(exc.message, exc.status)
    link_service.link_session_complete(user=request.user, link_token=data.get("link_token"))
    messages.success(request, f"{item.display_name} is reconnected.")
    return JsonResponse({"redirect": reverse("bank_detail", args=[item.public_id])})


@login_required
@require_http_methods(["GET", "POST"])
def bank_remove(request, public_id):
    # Ownership first, so another user's id is a 404 and never a password prompt.
    item = _item_for_user(request, public_id)
    if request.method == "GET":
        return render(request, "banking/banks/remove.html", {"item": item})
    return _bank_remove_confirmed(request, item)


# A stolen session must not be able to wipe someone's banks: the password (or a TOTP code)
# again if the last one is older than ACCOUNT_REAUTHENTICATION_TIMEOUT. allauth keeps the POST
# and replays it once the user has proved themselves.
@reauthentication_required
def _bank_remove_confirmed(request, item: PlaidItem):
    name = item.display_name
    security_event_record(
        user=request.user,
        kind=SecurityEvent.Kind.BANK_REMOVED,
        request=request,
        bank=name,
        item=str(item.public_id),
    )
    if removal.item_remove(item=item):
        messages.success(request, f"{name} is disconnected and its data deleted.")
    else:
        messages.warning(
            request,
            f"We could not reach Plaid to disconnect {name}. It shows as being removed while "
            "we keep trying; its data is deleted once Plaid confirms.",
        )
    return redirect("bank_list")
