"""Plaid Link: the connect page, link tokens, the public token exchange, the OAuth return."""

import json
import math
import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.debug import sensitive_variables
from django.views.decorators.http import require_GET, require_POST

from config.client_ip import client_ip

from .. import link as link_service
from ..models import LinkSession, PlaidItem
from ..plaid import config as plaid_config

MAX_JSON_BYTES = 64 * 1024


def json_body(request) -> dict | None:
    """The request's JSON object, or None if it is not one (too big, not JSON, not a dict)."""
    if len(request.body) > MAX_JSON_BYTES:
        return None
    try:
        data = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        return None
    return data if isinstance(data, dict) else None


def json_error(message: str, status: int = 400, code: str = "") -> JsonResponse:
    # The code lets the page say what to do next (wait, pick another bank); never a token.
    return JsonResponse({"error": message, "error_code": code}, status=status)


def link_context(**extra) -> dict:
    return {
        "plaid_link_script_url": plaid_config.link_script_url(),
        "link_token_url": reverse("link_token"),
        "link_exchange_url": reverse("link_exchange"),
        **extra,
    }


@login_required
@require_GET
def link_page(request):
    return render(request, "banking/link/link.html", link_context())


def link_throttled(request) -> JsonResponse | None:
    """A 429 in the same JSON shape as every other Link error when this person or this client
    address has started or finished Link too often lately; None to go on."""
    wait = link_service.link_attempt_wait(user=request.user, ip=client_ip(request))
    if not wait:
        return None
    seconds = math.ceil(wait)
    minutes = math.ceil(seconds / 60)
    response = json_error(
        f"Too many attempts to connect a bank. Please try again in {minutes} "
        f"minute{'s' if minutes != 1 else ''}.",
        429,
    )
    response["Retry-After"] = str(seconds)
    return response


@login_required
@require_POST
def link_token(request):
    throttled = link_throttled(request)
    if throttled:
        return throttled
    data = json_body(request)
    if data is None:
        return json_error("Send a JSON object.")
    item = None
    if data.get("item"):
        item = get_object_or_404(
            # Update mode needs an item Plaid knows: a manual one is not found here.
            PlaidItem.objects.for_user(request.user)
            .linked()
            .exclude(status=PlaidItem.Status.REMOVING),
            public_id=_uuid_or_404(data["item"]),
        )
    try:
        session = link_service.link_session_create(user=request.user, item=item)
    except link_service.LinkError as exc:
        return json_error(exc.message, exc.status, exc.code)
    return JsonResponse(
        {"link_token": session.link_token, "expiration": session.expires_at.isoformat()}
    )


def _uuid_or_404(value):
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise Http404("No such bank connection.")


@login_required
@require_POST
@sensitive_variables("data", "public_token")
def link_exchange(request):
    throttled = link_throttled(request)
    if throttled:
        return throttled
    data = json_body(request)
    if data is None:
        return json_error("Send a JSON object.")
    public_token, metadata = data.get("public_token"), data.get("metadata")
    if not isinstance(public_token, str) or not public_token:
        return json_error("public_token is missing.")
    if not isinstance(metadata, dict):
        return json_error("metadata (Link's onSuccess metadata) is missing.")
    try:
        item = link_service.item_link(
            user=request.user, public_token=public_token, metadata=metadata
        )
    except link_service.LinkError as exc:
        return json_error(exc.message, exc.status)
    link_service.link_session_complete(user=request.user, link_token=data.get("link_token"))
    messages.success(
        request, f"{item.display_name} is connected. Your transactions are on their way."
    )
    return JsonResponse({"redirect": reverse("dashboard"), "item": str(item.public_id)})


@login_required
@require_GET
def oauth_callback(request):
    try:
        session = link_service.link_session_for_oauth(
            user=request.user, oauth_state_id=request.GET.get("oauth_state_id", "")
        )
    except link_service.LinkError as exc:
        return render(request, "banking/link/error.html", {"message": exc.message}, status=400)
    if session.purpose == LinkSession.Purpose.UPDATE and session.item_id:
        success_url = reverse("bank_reconnected", args=[session.item.public_id])
    else:
        success_url = reverse("link_exchange")
    return render(
        request,
        "banking/link/oauth.html",
        link_context(session=session, success_url=success_url),
    )
