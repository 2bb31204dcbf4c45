"""Refresh now (per item and for all of a user's items) and the live sync status."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from .. import sync
from ..models import PlaidItem
from .banks import bank_live_response

TRY_AGAIN = "We couldn't start the refresh just now. Please try again in a minute."
MANUAL = "{} holds imported accounts: it is not connected to a bank, so nothing to refresh."


def _item_for_user(request, public_id) -> PlaidItem:
    return get_object_or_404(PlaidItem.objects.for_user(request.user), public_id=public_id)


def _back(request, default: str):
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect(default)


@login_required
@require_POST
def bank_refresh(request, public_id):
    item = _item_for_user(request, public_id)
    # The item page's script posts here with fetch and shows the progress itself: it gets JSON,
    # and no flash message that would only turn up, stale, on the next page.
    wants_json = "application/json" in request.headers.get("Accept", "")
    if item.is_manual:
        text = MANUAL.format(item.display_name)
        if wants_json:
            return JsonResponse({"accepted": False, "message": text}, status=409)
        messages.warning(request, text)
        return _back(request, f"/banks/{item.public_id}/")
    try:
        accepted = sync.item_refresh_request(
            item=item, throttle_seconds=settings.REFRESH_THROTTLE_SECONDS
        )
    except sync.RefreshUnavailable:
        if wants_json:
            return JsonResponse({"accepted": False, "message": TRY_AGAIN}, status=503)
        if request.htmx:
            return bank_live_response(request, item, notice=TRY_AGAIN)
        messages.error(request, TRY_AGAIN)
        return _back(request, f"/banks/{item.public_id}/")
    if accepted:
        level, text = messages.INFO, f"Refreshing {item.display_name}…"
    elif item.status in sync.NO_SYNC_STATES:
        level = messages.WARNING
        text = f"{item.display_name} cannot be refreshed in its current state."
    else:
        minutes = max(1, settings.REFRESH_THROTTLE_SECONDS // 60)
        level = messages.INFO
        text = f"{item.display_name} was refreshed recently; try again in {minutes} minutes."
    if wants_json:
        return JsonResponse({"accepted": accepted, "message": text})
    if request.htmx:
        # The page's live region answers in place: progress if accepted, otherwise why not.
        item.refresh_from_db()
        return bank_live_response(request, item, notice="" if accepted else text)
    messages.add_message(request, level, text)
    return _back(request, f"/banks/{item.public_id}/")


@login_required
@require_POST
def refresh_all(request):
    items = (
        PlaidItem.objects.for_user(request.user).linked().exclude(status__in=sync.NO_SYNC_STATES)
    )
    try:
        accepted = sum(
            sync.item_refresh_request(item=item, throttle_seconds=settings.REFRESH_THROTTLE_SECONDS)
            for item in items
        )
    except sync.RefreshUnavailable:
        messages.error(request, TRY_AGAIN)
        return _back(request, "/banks/")
    if accepted:
        messages.info(request, f"Refreshing {accepted} bank{'s' if accepted != 1 else ''}…")
    else:
        messages.info(request, "Your banks were refreshed recently; try again in a few minutes.")
    return _back(request, "/banks/")


@login_required
@require_GET
def bank_status(request, public_id):
    item = _item_for_user(request, public_id)
    if item.is_manual:
        return JsonResponse({"error": MANUAL.format(item.display_name)}, status=409)
    return JsonResponse(sync.item_sync_status(item))
