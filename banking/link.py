"""Services for Plaid Link: link tokens, new connections, update mode, the OAuth return."""

from __future__ import annotations

import logging
import re
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.views.decorators.debug import sensitive_variables

from . import plaid as plaid_api
from . import schedule, sync
from .health.errors import Action, Entry, decide
from .models import Account, Institution, LinkSession, PlaidItem

logger = logging.getLogger(__name__)

_OAUTH_STATE_ID = re.compile(r"^[A-Za-z0-9-]{8,64}$")


REMOVING_MESSAGE = "This bank connection is being removed; it cannot be reconnected."


class LinkError(Exception):
    """A link step failed; `message` is safe to show to the user."""

    def __init__(self, message: str, *, status: int = 400, code: str = ""):
        super().__init__(message)
        self.message, self.status, self.code = message, status, code

    @classmethod
    def from_plaid(cls, exc: plaid_api.PlaidError) -> LinkError:
        # 4xx from Plaid means the input was bad (a forged or reused token); the rest is
        # Plaid's or the bank's trouble.
        status = 400 if exc.error_type == "INVALID_INPUT" else 502
        decision = decide(exc.error_code, Entry.LINK, retryable=exc.retryable)
        message = decision.message
        if exc.display_message and decision.action is not Action.START_OVER:
            message = exc.display_message
        return cls(message, status=status, code=exc.error_code)


# --- Link tokens --------------------------------------------------------------------------------
def link_attempt_wait(*, user, ip: str) -> float:
    """Count one Link attempt (a token or an exchange) for this person and this client address:
    0.0 if both are within LINK_ATTEMPTS_PER_USER / _PER_IP per LINK_THROTTLE_WINDOW_SECONDS,
    else the seconds until one is (and nothing is counted). Each attempt is a Plaid call and a
    stored LinkSession, so one account or one address must not be able to make thousands.

    Without Redis it lets the attempt through, like the Plaid rate limiter: the shared
    user-triggered window and Plaid's own 429 still bound the damage."""
    windows = [
        (cache.make_key(f"link-throttle:user:{user.pk}"), settings.LINK_ATTEMPTS_PER_USER),
        (cache.make_key(f"link-throttle:ip:{ip}"), settings.LINK_ATTEMPTS_PER_IP),
    ]
    try:
        return plaid_api.window_try(windows, settings.LINK_THROTTLE_WINDOW_SECONDS)
    except plaid_api.REDIS_DOWN as exc:
        logger.warning("link throttle unavailable (%s); allowing", type(exc).__name__)
        return 0.0


def link_session_create(*, user, item: PlaidItem | None = None) -> LinkSession:
    """Mint a link token (new connection, or update mode for `item`) and remember its purpose
    server-side, so the OAuth return can reopen Link with the same token."""
    try:
        token = plaid_api.link_token_create(
            user=user, item=item, account_selection=bool(item and item.new_accounts_available)
        )
    except plaid_api.PlaidError as exc:
        raise LinkError.from_plaid(exc)
    expires_at = parse_datetime(str(token["expiration"])) or timezone.now() + timedelta(hours=4)
    return LinkSession.objects.create(
        user=user,
        link_token=token["link_token"],
        purpose=LinkSession.Purpose.UPDATE if item else LinkSession.Purpose.NEW,
        item=item,
        expires_at=expires_at,
    )


def link_session_complete(*, user, link_token: str | None) -> None:
    if link_token:
        LinkSession.objects.for_user(user).filter(
            link_token=link_token, completed_at__isnull=True
        ).update(completed_at=timezone.now())


def link_session_for_oauth(*, user, oauth_state_id: str) -> LinkSession:
    """The link session to resume after an OAuth redirect: the user's latest open one.

    Plaid keeps the oauth_state_id → link token mapping; we keep which of our sessions was
    waiting, and refuse a state id seen before (a reload) or seen on another user's session.
    """
    if not oauth_state_id or not _OAUTH_STATE_ID.match(oauth_state_id):
        raise LinkError("This bank sign-in link is not valid. Please connect again.")
    if LinkSession.objects.filter(oauth_state_id=oauth_state_id).exists():
        raise LinkError(
            "This bank sign-in was already completed or belongs to another session. "
            "Please connect again."
        )
    session = (
        LinkSession.objects.for_user(user)
        .filter(completed_at__isnull=True, expires_at__gt=timezone.now())
        .order_by("-created_at")
        .first()
    )
    if session is None:
        raise LinkError("This bank sign-in has expired. Please connect again.")
    session.oauth_state_id = oauth_state_id
    session.save(update_fields=["oauth_state_id"])
    return session


# --- New connections ----------------------------------------------------------------------------
def _text(value) -> str:
    return value or ""


def accounts_upsert(*, item: PlaidItem, raw_accounts: list[dict]) -> list[Account]:
    """Store Plaid's accounts for an item, keyed by account_id (idempotent)."""
    now = timezone.now()
    stored = []
    for raw in raw_accounts:
        balances = raw.get("balances") or {}
        account, _ = Account.objects.update_or_create(
            account_id=raw["account_id"],
            item=item,
            defaults={
                "name": _text(raw.get("name"))[:200],
                "official_name": _text(raw.get("official_name"))[:300],
                "mask": _text(raw.get("mask"))[:8],
                "type": _text(raw.get("type"))[:32],
                "subtype": _text(raw.get("subtype"))[:64],
                "current_balance": balances.get("current"),
                "available_balance": balances.get("available"),
                "limit": balances.get("limit"),
                "iso_currency_code": _text(balances.get("iso_currency_code")),
                "unofficial_currency_code": _text(balances.get("unofficial_currency_code")),
                "balances_updated_at": now,
            },
        )
        stored.append(account)
    return stored


def institution_upsert(*, institution_id: str, fallback_name: str = "") -> Institution | None:
    if not institution_id:
        return None
    try:
        raw = plaid_api.institution_get(institution_id)
    except plaid_api.PlaidError:
        # A missing logo is no reason to fail a link; keep what we know.
        institution, _ = Institution.objects.get_or_create(
            institution_id=institution_id, defaults={"name": fallback_name or institution_id}
        )
        return institution
    color = raw.get("primary_color") or ""
    institution, _ = Institution.objects.update_or_create(
        institution_id=institution_id,
        defaults={
            "name": (raw.get("name") or fallback_name or institution_id)[:200],
            "logo": raw.get("logo") or "",
            "primary_color": color if re.fullmatch(r"#[0-9A-Fa-f]{3,8}", color) else "",
            "url": (raw.get("url") or "")[:200],
            "oauth": bool(raw.get("oauth")),
        },
    )
    return institution


def _is_duplicate(*, user, institution: Institution | None, raw_accounts: list[dict]) -> bool:
    if institution is None:
        return False
    masks = sorted(a.get("mask") or "" for a in raw_accounts)
    others = PlaidItem.objects.for_user(user).filter(institution=institution)
    for other in others.prefetch_related("accounts"):
        if sorted(a.mask for a in other.accounts.all()) == masks:
            return True
    return False


def _remove_quietly(item: PlaidItem) -> None:
    try:
        plaid_api.item_remove(item)
    except plaid_api.PlaidError as exc:
        # Logged with the item id so staff can remove it by hand (it is billed until then).
        logger.error("could not remove abandoned item %s at Plaid: %s", item.item_id, exc)


def _status_from_plaid_error(error: dict[str, Any] | None) -> tuple[str, str, str]:
    if not error:
        return PlaidItem.Status.HEALTHY, "", ""
    code = error.get("error_code") or ""
    return (
        decide(code, Entry.LINK).status or PlaidItem.Status.ERROR,
        code,
        error.get("display_message") or "",
    )


@sensitive_variables("public_token", "exchanged")
def item_link(*, user, public_token: str, metadata: dict | None = None) -> PlaidItem:
    """Exchange a public token and store the new item with its institution and accounts.

    Either everything is stored or nothing is: if any step after the exchange fails, the new
    item is removed at Plaid again (an abandoned item is still billed).
    """
    try:
        exchanged = plaid_api.public_token_exchange(public_token)
    except plaid_api.PlaidError as exc:
        raise LinkError.from_plaid(exc)
    item = PlaidItem(
        user=user, item_id=exchanged["item_id"], access_token=exchanged["access_token"]
    )
    try:
        raw_item = plaid_api.item_get(item)["item"]
        raw_accounts = plaid_api.accounts_get(item)
        institution = institution_upsert(
            institution_id=raw_item.get("institution_id") or "",
            fallback_name=raw_item.get("institution_name") or "",
        )
    except plaid_api.PlaidError as exc:
        _remove_quietly(item)
        raise LinkError.from_plaid(exc)

    if _is_duplicate(user=user, institution=institution, raw_accounts=raw_accounts):
        # Plaid's advice: keep the existing item, remove the new one at once.
        _remove_quietly(item)
        raise LinkError(
            f"You have already connected these accounts at {institution.name}.",
            status=409,
            code="DUPLICATE_ITEM",
        )

    status, error_code, error_message = _status_from_plaid_error(raw_item.get("error"))
    consent = raw_item.get("consent_expiration_time")
    try:
        with transaction.atomic():
            item.institution = institution
            item.status, item.error_code, item.error_message = status, error_code, error_message
            item.products = raw_item.get("products") or raw_item.get("billed_products") or []
            item.webhook_url = raw_item.get("webhook") or ""
            item.consent_expiration_time = parse_datetime(consent) if consent else None
            now = timezone.now()
            item.next_refresh_at = schedule.daily_slot(item.item_id, after=now)
            item.next_health_check_at = schedule.daily_slot(
                item.item_id, after=now, kind=schedule.HEALTH
            )
            item.save()
            accounts_upsert(item=item, raw_accounts=raw_accounts)
            transaction.on_commit(lambda: sync.sync_request(item=item, trigger="initial"))
    except Exception:
        _remove_quietly(item)
        raise
    logger.info(
        "item %s linked for user %s (link_session_id=%s)",
        item.item_id,
        user.pk,
        (metadata or {}).get("link_session_id", ""),
    )
    return item


# --- Update mode --------------------------------------------------------------------------------
def item_reconnected(*, item: PlaidItem, metadata: dict | None = None) -> PlaidItem:
    """Update mode finished in Link. The access token does not change (no exchange): we check
    the item with Plaid, refresh accounts (their ids may change) and enqueue a sync.

    An item being removed stays removed: marking it healthy would cancel a removal the user
    asked for and keep it billed at Plaid."""
    if item.status == PlaidItem.Status.REMOVING:
        raise LinkError(REMOVING_MESSAGE, status=409, code="removing")
    raw_item, raw_accounts = {"error": None}, None
    try:
        raw_item = plaid_api.item_get(item)["item"]
        if not raw_item.get("error"):
            raw_accounts = plaid_api.accounts_get(item)
    except plaid_api.PlaidError as exc:
        if not exc.retryable:
            raise LinkError.from_plaid(exc)
        # Link said it worked; a hiccup now should not undo that. The sync will tell.
    status, error_code, error_message = _status_from_plaid_error(raw_item.get("error"))
    consent = raw_item.get("consent_expiration_time")
    with transaction.atomic():
        # The removal may have started while Plaid was being asked: re-read under a lock.
        current = PlaidItem.objects.select_for_update().filter(pk=item.pk)
        if not current.exclude(status=PlaidItem.Status.REMOVING).exists():
            raise LinkError(REMOVING_MESSAGE, status=409, code="removing")
        item.status, item.error_code, item.error_message = status, error_code, error_message
        if status == PlaidItem.Status.HEALTHY:
            item.new_accounts_available = False
            item.notified_state = ""
        if consent:
            item.consent_expiration_time = parse_datetime(consent)
        item.save()
        if raw_accounts is not None:
            accounts_upsert(item=item, raw_accounts=raw_accounts)
        if status == PlaidItem.Status.HEALTHY:
            transaction.on_commit(lambda: sync.sync_request(item=item, trigger="manual"))
    if status != PlaidItem.Status.HEALTHY:
        raise LinkError(error_message or "Your bank still needs you to sign in again.")
    return item
