"""The daily refresh and the daily health check: a dispatcher over due times.

Beat runs each pass every minute. A pass claims a bounded batch of items whose due time has
come (oldest first) by moving their due time forward by a lease, then works on them: the refresh
enqueues one immediate sync per item, the health check checks them in-line. The claim is
`SELECT ... FOR UPDATE SKIP LOCKED` on PostgreSQL (two passes at once take disjoint rows) and a
conditional UPDATE per row elsewhere (the second writer finds the due time already moved), so a
second beat, a manual run or a redelivered task never takes an item twice. The outcome then sets
the item's next daily slot (banking.schedule); an item whose work was lost (a worker killed, the
broker down) comes due again when the lease runs out.

The batch is bounded by a per-minute budget shared by every pass (a Redis counter), so the daily
work never takes more than its share of Plaid's per-client limit, and memory and queue length
stay bounded by the batch, not by the number of items.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from . import schedule, sync
from .health import check as health_check
from .models import PlaidItem, SyncRun

logger = logging.getLogger(__name__)

Status = PlaidItem.Status
# Daily syncs skip these: nothing to sync, or only the owner can fix it (their reconnect syncs).
NOT_REFRESHED = {*sync.NO_SYNC_STATES, Status.LOGIN_REQUIRED}
BUDGET_KEY = "dispatch-budget:{}:{}"


def items_dispatch_due(*, now: datetime | None = None) -> int:
    """One pass of the daily refresh: enqueue a sync for each claimed due item. Returns how many
    syncs were asked for."""
    now = now or timezone.now()
    pks = _claim_within_budget(
        "next_refresh_at", now=now, per_minute=settings.DISPATCH_SYNCS_PER_MINUTE
    )
    asked = 0
    for item in PlaidItem.objects.filter(pk__in=pks).only("pk", "item_id", "status", "kind"):
        outcome = "ignored"
        if item.status not in NOT_REFRESHED:
            outcome = sync.sync_request(item=item, trigger=SyncRun.Trigger.DAILY, requested_at=now)
        if outcome == "ignored":
            item_schedule_next(item, field="next_refresh_at", now=now)
        else:
            # The sync's outcome sets the next slot; until then the lease holds the item.
            asked += 1
    return asked


def items_check_health_due(*, now: datetime | None = None) -> dict[str, int]:
    """One pass of the daily health check over the claimed due items; one failing item never
    stops the others. Returns counts by state."""
    now = now or timezone.now()
    pks = _claim_within_budget(
        "next_health_check_at", now=now, per_minute=settings.HEALTH_CHECKS_PER_MINUTE
    )
    counts = health_check.items_check_health(PlaidItem.objects.filter(pk__in=pks).order_by("pk"))
    # Each item to its own next slot (a crash mid-batch leaves the rest to the lease).
    for item in PlaidItem.objects.filter(pk__in=pks).only("pk", "item_id"):
        item_schedule_next(item, field="next_health_check_at", now=now)
    return counts


def item_schedule_next(item: PlaidItem, *, field: str, now: datetime | None = None) -> None:
    kind = schedule.HEALTH if field == "next_health_check_at" else schedule.REFRESH
    due = schedule.daily_slot(item.item_id, after=now or timezone.now(), kind=kind)
    PlaidItem.objects.filter(pk=item.pk).update(**{field: due})


def _claim_within_budget(field: str, *, now: datetime, per_minute: int) -> list[int]:
    """Reserve up to the rest of this minute's budget, claim that many, give back the unused."""
    key = BUDGET_KEY.format(field, int(now.timestamp() // 60))
    cache.add(key, 0, timeout=180)
    try:
        used = cache.incr(key, per_minute)
    except ValueError:
        # The counter expired or the cache is down: claim no more than one minute's budget.
        used = per_minute
    allowed = max(0, min(per_minute, 2 * per_minute - used))
    claimed = _claim(field, now=now, limit=allowed) if allowed else []
    if len(claimed) < per_minute:
        try:
            cache.decr(key, per_minute - len(claimed))
        except ValueError:
            logger.warning("dispatch budget counter %s expired mid-pass", key)
    return claimed


def _claim(field: str, *, now: datetime, limit: int) -> list[int]:
    lease_until = now + timedelta(seconds=settings.DISPATCH_LEASE_SECONDS)
    # Manual items are never due: nothing at Plaid to refresh or check.
    due = PlaidItem.objects.linked().filter(
        Q(**{f"{field}__lte": now}) | Q(**{f"{field}__isnull": True})
    )
    oldest_first = due.order_by(F(field).asc(nulls_first=True), "pk")
    if connection.features.has_select_for_update_skip_locked:
        with transaction.atomic():
            locked = oldest_first.select_for_update(skip_locked=True)
            pks = list(locked.values_list("pk", flat=True)[:limit])
            PlaidItem.objects.filter(pk__in=pks).update(**{field: lease_until})
        return pks
    claimed = []
    for pk, seen in oldest_first.values_list("pk", field)[:limit]:
        unchanged = {field: seen} if seen is not None else {f"{field}__isnull": True}
        if PlaidItem.objects.filter(pk=pk, **unchanged).update(**{field: lease_until}):
            claimed.append(pk)
    return claimed
