"""Processing a recorded webhook: what each Plaid code does to our data.

A webhook is a trigger, never the truth: transactions are fetched through the sync service, and
item states go through the one notification service (so a webhook and a failed sync reporting
the same state send one email). Every handler is idempotent: running it twice for the same
event (or for two deliveries of the same news) leaves the same state and does no double work.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import timedelta

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from .models import Account, PlaidItem, WebhookEvent

# One list of which errors mean "sign in again" and which items are not synced: the sync
# service's, so a webhook and a failed sync always agree.
from .sync import LOGIN_ERRORS, NO_SYNC_STATES

logger = logging.getLogger(__name__)

Outcome = WebhookEvent.Outcome
# A worker that died mid-event leaves a claim behind; after this long another may take it.
STALE_CLAIM = timedelta(minutes=10)
# Plaid often sends several webhooks for one item within moments (SYNC_UPDATES_AVAILABLE next
# to the legacy codes, or after a refresh): a webhook's sync starts a moment later, and every
# webhook for the item until then joins it (sync_request coalesces while one is queued).
WEBHOOK_SYNC_DELAY_SECONDS = 5


def _sync(item: PlaidItem) -> str:
    if item.status in NO_SYNC_STATES:
        return Outcome.IGNORED
    from . import sync

    # The sync service coalesces: a webhook arriving during a running sync adds no second one.
    sync.sync_request(item=item, trigger="webhook", countdown=WEBHOOK_SYNC_DELAY_SECONDS)
    return Outcome.PROCESSED


def _set_status(item: PlaidItem, status: str, *, error_code: str = "", message: str = "") -> str:
    from . import notifications

    notifications.item_set_status(
        item=item, status=status, error_code=error_code, message=message, source="webhook"
    )
    return Outcome.PROCESSED


def on_sync_updates_available(item: PlaidItem, payload: dict) -> str:
    return _sync(item)


def on_legacy_transactions(item: PlaidItem, payload: dict) -> str:
    # DEFAULT_UPDATE / INITIAL_UPDATE / HISTORICAL_UPDATE / TRANSACTIONS_REMOVED are still sent
    # alongside SYNC_UPDATES_AVAILABLE; /transactions/sync already covers them.
    return Outcome.IGNORED


def on_item_error(item: PlaidItem, payload: dict) -> str:
    error = payload.get("error") if isinstance(payload.get("error"), dict) else {}
    code = str(error.get("error_code") or "")
    if code == "USER_PERMISSION_REVOKED":
        return on_permission_revoked(item, payload)
    status = PlaidItem.Status.LOGIN_REQUIRED if code in LOGIN_ERRORS else PlaidItem.Status.ERROR
    return _set_status(
        item, status, error_code=code, message=str(error.get("display_message") or "")
    )


def on_pending_expiration(item: PlaidItem, payload: dict) -> str:
    when = parse_datetime(str(payload.get("consent_expiration_time") or ""))
    if when and item.consent_expiration_time != when:
        item.consent_expiration_time = when
        item.save(update_fields=["consent_expiration_time", "updated_at"])
    message = f"Access to this bank expires on {when.date().isoformat()}." if when else ""
    return _set_status(item, PlaidItem.Status.PENDING_EXPIRATION, message=message)


def on_pending_disconnect(item: PlaidItem, payload: dict) -> str:
    when = parse_datetime(str(payload.get("disconnect_time") or ""))
    if when and item.disconnect_time != when:
        item.disconnect_time = when
        item.save(update_fields=["disconnect_time", "updated_at"])
    message = f"This connection will stop on {when.date().isoformat()}." if when else ""
    return _set_status(
        item,
        PlaidItem.Status.PENDING_DISCONNECT,
        error_code=str(payload.get("reason") or ""),
        message=message,
    )


def on_permission_revoked(item: PlaidItem, payload: dict) -> str:
    # Syncing stops (NO_SYNC_STATES) and the bank page offers removal for a revoked item.
    return _set_status(item, PlaidItem.Status.REVOKED, error_code="USER_PERMISSION_REVOKED")


def on_account_revoked(item: PlaidItem, payload: dict) -> str:
    account_id = payload.get("account_id")
    if not isinstance(account_id, str) or not account_id:
        return Outcome.IGNORED
    # Only that account: it leaves totals (Account.objects.visible()) but the item stays.
    changed = Account.objects.filter(item=item, account_id=account_id).update(revoked=True)
    return Outcome.PROCESSED if changed else Outcome.IGNORED


def on_login_repaired(item: PlaidItem, payload: dict) -> str:
    if item.status == PlaidItem.Status.REVOKED:
        return Outcome.IGNORED
    _set_status(item, PlaidItem.Status.HEALTHY)
    item.refresh_from_db()
    return _sync(item)


def on_new_accounts_available(item: PlaidItem, payload: dict) -> str:
    # The bank page shows a banner offering update mode with account selection.
    PlaidItem.objects.filter(pk=item.pk).update(
        new_accounts_available=True, updated_at=timezone.now()
    )
    return Outcome.PROCESSED


def on_webhook_update_acknowledged(item: PlaidItem, payload: dict) -> str:
    fields = {"webhook_acknowledged_at": timezone.now(), "updated_at": timezone.now()}
    url = payload.get("new_webhook_url")
    if isinstance(url, str) and url:
        fields["webhook_url"] = url[:500]
    PlaidItem.objects.filter(pk=item.pk).update(**fields)
    return Outcome.PROCESSED


HANDLERS: dict[tuple[str, str], Callable[[PlaidItem, dict], str]] = {
    ("TRANSACTIONS", "SYNC_UPDATES_AVAILABLE"): on_sync_updates_available,
    ("TRANSACTIONS", "DEFAULT_UPDATE"): on_legacy_transactions,
    ("TRANSACTIONS", "INITIAL_UPDATE"): on_legacy_transactions,
    ("TRANSACTIONS", "HISTORICAL_UPDATE"): on_legacy_transactions,
    ("TRANSACTIONS", "TRANSACTIONS_REMOVED"): on_legacy_transactions,
    ("ITEM", "ERROR"): on_item_error,
    ("ITEM", "PENDING_EXPIRATION"): on_pending_expiration,
    ("ITEM", "PENDING_DISCONNECT"): on_pending_disconnect,
    ("ITEM", "USER_PERMISSION_REVOKED"): on_permission_revoked,
    ("ITEM", "USER_ACCOUNT_REVOKED"): on_account_revoked,
    ("ITEM", "LOGIN_REPAIRED"): on_login_repaired,
    ("ITEM", "NEW_ACCOUNTS_AVAILABLE"): on_new_accounts_available,
    ("ITEM", "WEBHOOK_UPDATE_ACKNOWLEDGED"): on_webhook_update_acknowledged,
}


def abandoned_claims() -> Q:
    """Events a worker claimed and never finished (it died): another may take them now."""
    return Q(outcome=Outcome.PROCESSING, claimed_at__lt=timezone.now() - STALE_CLAIM)


def webhook_event_process(*, event_id: int) -> str | None:
    """Claim and process one event. Returns the outcome, or None if someone else has it."""
    claimable = Q(outcome=Outcome.PENDING) | abandoned_claims()
    events = webhook_events_claim(due=claimable & Q(pk=event_id), limit=1)
    if not events:
        return None
    try:
        outcome = _dispatch(events[0])
    except Exception as exc:
        _put_back(event_id, exc)
        raise
    _finish(outcome, [event_id])
    return outcome


def webhook_events_claim(*, due: Q, exclude=(), limit: int) -> list[WebhookEvent]:
    """Take up to `limit` due events, oldest first, in one short transaction; rows another
    worker is claiming at this moment are skipped, not waited for. Each event's item is loaded
    once per batch (decrypting one access token per item, not one per event)."""
    with transaction.atomic():
        pks = list(
            WebhookEvent.objects.select_for_update(skip_locked=True)
            .filter(due)
            .exclude(pk__in=exclude)
            .order_by("received_at", "pk")
            .values_list("pk", flat=True)[:limit]
        )
        if not pks:
            return []
        WebhookEvent.objects.filter(pk__in=pks).update(
            outcome=Outcome.PROCESSING, claimed_at=timezone.now(), attempts=F("attempts") + 1
        )
    events = list(WebhookEvent.objects.filter(pk__in=pks).order_by("received_at", "pk"))
    items = PlaidItem.objects.in_bulk({event.item_id for event in events if event.item_id})
    for event in events:
        if event.item_id:
            event.item = items.get(event.item_id)
    return events


def webhook_events_process(events: list[WebhookEvent]) -> tuple[int, list[tuple[int, Exception]]]:
    """Process claimed events in order. Returns (how many were processed, [(pk, exception)] for
    those that raised; each of those is put back as pending with its error).

    A burst of SYNC_UPDATES_AVAILABLE for one item asks for one sync: the first event's request
    stands for the rest of the batch, as the sync service would coalesce them anyway. Any other
    handler may change the item, so after one the item is re-read and the next sync event asks
    again. Outcomes are written with one UPDATE per outcome.
    """
    finished: dict[str, list[int]] = {}
    failed: list[tuple[int, Exception]] = []
    sync_asked: dict[int, str] = {}
    for event in events:
        handler = HANDLERS.get((event.webhook_type, event.webhook_code))
        is_sync = handler is on_sync_updates_available
        try:
            if is_sync and event.item is not None and event.item.pk in sync_asked:
                outcome = sync_asked[event.item.pk]
            else:
                outcome = _dispatch(event)
                _after_handler(event, handler, outcome, sync_asked)
        except Exception as exc:
            _put_back(event.pk, exc)
            failed.append((event.pk, exc))
            continue
        finished.setdefault(outcome, []).append(event.pk)
    for outcome, pks in finished.items():
        _finish(outcome, pks)
    return sum(len(pks) for pks in finished.values()), failed


def _after_handler(event: WebhookEvent, handler, outcome: str, sync_asked: dict[int, str]) -> None:
    if event.item is None or handler in (None, on_legacy_transactions):
        return
    if handler is on_sync_updates_available:
        sync_asked[event.item.pk] = outcome
    else:  # it may have changed the item: the next sync update asks again, with fresh state
        sync_asked.pop(event.item.pk, None)
        event.item.refresh_from_db()


def _put_back(pk: int, exc: Exception) -> None:
    # Pending again, with its error, so the task's retry (or the sweeper) can take it again.
    WebhookEvent.objects.filter(pk=pk).update(
        outcome=Outcome.PENDING, claimed_at=None, error=repr(exc)[:2000]
    )


def _finish(outcome: str, pks: list[int]) -> None:
    WebhookEvent.objects.filter(pk__in=pks).update(
        outcome=outcome, processed_at=timezone.now(), error=""
    )


def webhook_event_fail(*, event_id: int, error: str) -> None:
    WebhookEvent.objects.filter(pk=event_id).exclude(outcome=Outcome.PROCESSED).update(
        outcome=Outcome.FAILED, processed_at=timezone.now(), error=error[:2000]
    )


def _dispatch(event: WebhookEvent) -> str:
    if event.item is None:
        # Recorded and flagged at receipt; maybe the item was linked a moment later.
        item = PlaidItem.objects.filter(item_id=event.plaid_item_id).first()
        if item is None:
            logger.warning(
                "webhook for unknown item",
                extra={"plaid_item_id": event.plaid_item_id, "event": event.pk},
            )
            return Outcome.UNKNOWN_ITEM
        WebhookEvent.objects.filter(pk=event.pk).update(item=item, flagged=False)
        event.item = item
    handler = HANDLERS.get((event.webhook_type, event.webhook_code))
    if handler is None:
        logger.info(
            "webhook code not handled",
            extra={"webhook_type": event.webhook_type, "webhook_code": event.webhook_code},
        )
        return Outcome.IGNORED
    try:
        payload = json.loads(event.body)
    except ValueError:
        return Outcome.IGNORED
    return handler(event.item, payload if isinstance(payload, dict) else {})
