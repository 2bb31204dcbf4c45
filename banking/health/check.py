"""The daily health check of every bank connection.

Per item: /item/get, then
- Plaid reports an error on the item, or /item/get fails -> the status banking.health.errors
  gives the code for the health check (transient codes are only logged);
- consent expires within CONSENT_WARNING_DAYS -> pending_expiration;
- no error any more while we still show one (a LOGIN_REPAIRED webhook we never got) -> healthy;
- no successful sync for STALE_AFTER_DAYS -> stale.
Every change goes through banking.health.status, which emails once per change of state, so
running this daily never repeats yesterday's email.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from .. import plaid as plaid_api
from ..models import PlaidItem
from . import status as item_status
from .errors import Entry, decide

logger = logging.getLogger(__name__)

Status = PlaidItem.Status
CONSENT_WARNING_DAYS = 7
# Statuses that /item/get showing no error disproves.
CLEARED_BY_NO_ERROR = {Status.LOGIN_REQUIRED, Status.ERROR, Status.PENDING_EXPIRATION}
SKIPPED = {Status.REVOKED, Status.REMOVING}


def check_item_health(*, item: PlaidItem) -> str:
    """Check one item; returns the state it is in afterwards ('skipped' if not checked)."""
    if item.is_manual or item.status in SKIPPED:
        return "skipped"
    now = timezone.now()
    try:
        data = plaid_api.item_get(item)
    except plaid_api.PlaidError as exc:
        decision = decide(exc.error_code, Entry.HEALTH, retryable=exc.retryable)
        if decision.status is None:
            # Transient, or our own configuration: tomorrow's check will see.
            logger.warning("health check of %s failed: %s", item.item_id, exc.error_code)
            return "skipped"
        _set(item, decision.status, exc.error_code, exc.display_message)
    else:
        plaid_item = data.get("item") or {}
        error = plaid_item.get("error") or None
        consent = parse_datetime(plaid_item.get("consent_expiration_time") or "")
        if consent != item.consent_expiration_time:
            PlaidItem.objects.filter(pk=item.pk).update(consent_expiration_time=consent)
            item.consent_expiration_time = consent
        if error:
            code = str(error.get("error_code") or "")
            decision = decide(code, Entry.HEALTH)
            if decision.status is not None:
                _set(item, decision.status, code, error.get("display_message"))
            else:
                logger.warning("item %s reports %s", item.item_id, code)
        elif consent and consent <= now + timedelta(days=CONSENT_WARNING_DAYS):
            when = consent.date().isoformat()
            _set(item, Status.PENDING_EXPIRATION, "", f"Access to this bank expires on {when}.")
        elif item.status in CLEARED_BY_NO_ERROR:
            _set(item, Status.HEALTHY, "", "")
    stale_after = timedelta(days=settings.STALE_AFTER_DAYS)
    last = item.last_successful_sync_at or item.created_at
    item_status.item_set_stale(item=item, stale=last < now - stale_after, source="health")
    return item_status.item_state(item.status, item.is_stale)


def _set(item: PlaidItem, status: str, code: str, message: str | None) -> None:
    item_status.item_set_status(
        item=item, status=status, error_code=code, message=message or "", source="health"
    )


def items_check_health(items: QuerySet[PlaidItem]) -> dict[str, int]:
    """Check each item; one failing item never stops the others. Returns counts by state."""
    counts: dict[str, int] = {}
    for item in items.select_related("user").iterator():
        try:
            state = check_item_health(item=item)
        except Exception:
            logger.exception("health check of item %s crashed", item.item_id)
            state = "crashed"
        counts[state] = counts.get(state, 0) + 1
    return counts
