"""Handling a recorded webhook: what each Plaid code does to our data.

A webhook is a trigger, never the truth: transactions are fetched through the sync service, and
item states go through the one notification service (so a webhook and a failed sync reporting
the same state send one email). Every handler is idempotent: running it twice for the same
event (or for two deliveries of the same news) leaves the same state and does no double work.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

from django.utils import timezone
from django.utils.dateparse import parse_datetime

from .. import sync, wealth
from ..health import status as item_status
from ..health.errors import Entry, decide
from ..models import Account, PlaidItem, WebhookEvent
from .announce import recurring_hooks_run

logger = logging.getLogger(__name__)

Outcome = WebhookEvent.Outcome
# Plaid often sends several webhooks for one item within moments (SYNC_UPDATES_AVAILABLE next
# to the legacy codes, or after a refresh): a webhook's sync starts a moment later, and every
# webhook for the item until then joins it (sync_request coalesces while one is queued).
WEBHOOK_SYNC_DELAY_SECONDS = 5


def _sync(item: PlaidItem) -> str:
    if item.status in sync.NO_SYNC_STATES:
        return Outcome.IGNORED
    # The sync service coalesces: a webhook arriving during a running sync adds no second one.
    sync.sync_request(item=item, trigger="webhook", countdown=WEBHOOK_SYNC_DELAY_SECONDS)
    return Outcome.PROCESSED


def _set_status(item: PlaidItem, status: str, *, error_code: str = "", message: str = "") -> str:
    item_status.item_set_status(
        item=item, status=status, error_code=error_code, message=message, source="webhook"
    )
    return Outcome.PROCESSED


def on_sync_updates_available(item: PlaidItem, payload: dict) -> str:
    return _sync(item)


def on_legacy_transactions(item: PlaidItem, payload: dict) -> str:
    # DEFAULT_UPDATE / INITIAL_UPDATE / HISTORICAL_UPDATE / TRANSACTIONS_REMOVED are still sent
    # alongside SYNC_UPDATES_AVAILABLE; /transactions/sync already covers them.
    return Outcome.IGNORED


def on_recurring_update(item: PlaidItem, payload: dict) -> str:
    # The streams may name transactions not synced yet: sync too, and the post-sync hooks
    # refresh the streams again once they are here.
    if item.status in sync.NO_SYNC_STATES:
        return Outcome.IGNORED
    recurring_hooks_run(item)
    return _sync(item)


def on_item_error(item: PlaidItem, payload: dict) -> str:
    error = payload.get("error")
    if not isinstance(error, dict):
        error = {}
    code = str(error.get("error_code") or "")
    status = decide(code, Entry.WEBHOOK).status or PlaidItem.Status.ERROR
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
    fields: dict[str, object] = {
        "webhook_acknowledged_at": timezone.now(),
        "updated_at": timezone.now(),
    }
    url = payload.get("new_webhook_url")
    if isinstance(url, str) and url:
        fields["webhook_url"] = url[:500]
    PlaidItem.objects.filter(pk=item.pk).update(**fields)
    return Outcome.PROCESSED


def _wealth(item: PlaidItem, payload: dict, part: str) -> str:
    error = payload.get("error")
    if isinstance(error, dict) and error.get("error_code"):
        # Plaid reports the product failing on the item: the error table decides the status.
        return on_item_error(item, payload)
    if item.status in sync.NO_SYNC_STATES:
        return Outcome.IGNORED
    return Outcome.PROCESSED if wealth.wealth_refresh_request(item, [part]) else Outcome.IGNORED


def on_liabilities_update(item: PlaidItem, payload: dict) -> str:
    return _wealth(item, payload, wealth.LIABILITIES)


def on_holdings_update(item: PlaidItem, payload: dict) -> str:
    return _wealth(item, payload, wealth.HOLDINGS)


def on_investments_transactions_update(item: PlaidItem, payload: dict) -> str:
    return _wealth(item, payload, wealth.INVESTMENT_TRANSACTIONS)


Handler = Callable[[PlaidItem, dict[str, Any]], str]

HANDLERS: dict[tuple[str, str], Handler] = {
    ("TRANSACTIONS", "SYNC_UPDATES_AVAILABLE"): on_sync_updates_available,
    ("TRANSACTIONS", "DEFAULT_UPDATE"): on_legacy_transactions,
    ("TRANSACTIONS", "INITIAL_UPDATE"): on_legacy_transactions,
    ("TRANSACTIONS", "HISTORICAL_UPDATE"): on_legacy_transactions,
    ("TRANSACTIONS", "TRANSACTIONS_REMOVED"): on_legacy_transactions,
    ("TRANSACTIONS", "RECURRING_TRANSACTIONS_UPDATE"): on_recurring_update,
    ("ITEM", "ERROR"): on_item_error,
    ("ITEM", "PENDING_EXPIRATION"): on_pending_expiration,
    ("ITEM", "PENDING_DISCONNECT"): on_pending_disconnect,
    ("ITEM", "USER_PERMISSION_REVOKED"): on_permission_revoked,
    ("ITEM", "USER_ACCOUNT_REVOKED"): on_account_revoked,
    ("ITEM", "LOGIN_REPAIRED"): on_login_repaired,
    ("ITEM", "NEW_ACCOUNTS_AVAILABLE"): on_new_accounts_available,
    ("ITEM", "WEBHOOK_UPDATE_ACKNOWLEDGED"): on_webhook_update_acknowledged,
    ("LIABILITIES", "DEFAULT_UPDATE"): on_liabilities_update,
    ("HOLDINGS", "DEFAULT_UPDATE"): on_holdings_update,
    ("INVESTMENTS_TRANSACTIONS", "DEFAULT_UPDATE"): on_investments_transactions_update,
    ("INVESTMENTS_TRANSACTIONS", "HISTORICAL_UPDATE"): on_investments_transactions_update,
}


def webhook_event_dispatch(event: WebhookEvent) -> str:
    """Run the event's handler; returns its outcome."""
    if event.item is None:
        # Recorded and flagged at receipt; maybe the item was linked a moment later.
        item = PlaidItem.objects.linked().filter(item_id=event.plaid_item_id).first()
        if item is None:
            logger.warning(
                "webhook for unknown item",
                extra={"plaid_item_id": event.plaid_item_id, "event": event.pk},
            )
            return Outcome.UNKNOWN_ITEM
        WebhookEvent.objects.filter(pk=event.pk).update(item=item, flagged=False)
        event.item = item
    if event.item.is_manual:
        # Plaid never knew a manual item: a webhook naming one acts on nothing.
        logger.warning("webhook for a manual item", extra={"event": event.pk})
        return Outcome.UNKNOWN_ITEM
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
