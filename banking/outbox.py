"""The sync outbox: banking announces each committed sync; other apps react through hooks.

banking knows only this registry, never the hooks (finance registers its own in its
AppConfig.ready()). The flow:

1. outbox_record() runs inside the sync's apply transaction and writes one SyncOutbox row
   naming the item, the run and the transactions added, modified and removed. The row commits
   with the rows it names or not at all.
2. On commit, the banking.tasks.outbox_deliver task is sent for the row; outbox_deliver()
   claims it with a conditional UPDATE (so two workers never both deliver it), calls every
   hook and marks it delivered.
3. A worker that died, a broker that was down, or a hook that raised leaves the row
   undelivered; the banking.tasks.outbox_sweep beat task delivers it again. Hooks are
   idempotent, so a second delivery changes nothing more.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from datetime import timedelta
from functools import partial
from typing import Any

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from config.tasks_util import BROKER_ERRORS, bulk_queue

from . import task_names as names
from .models import PlaidItem, SyncOutbox, SyncRun

logger = logging.getLogger(__name__)

# A claim older than this lost its worker; hooks are quick, far shorter than this.
CLAIM_LEASE_SECONDS = 5 * 60

OutboxHook = Callable[[SyncOutbox], None]
_hooks: dict[str, OutboxHook] = {}


def outbox_hook_register(name: str, fn: OutboxHook) -> None:
    """Call fn(outbox_row) for every committed sync. Registering a name again replaces it."""
    _hooks[name] = fn


RemovalHook = Callable[[list[int]], None]
_removal_hooks: dict[str, RemovalHook] = {}


def removal_hook_register(name: str, fn: RemovalHook) -> None:
    """Call fn(transaction_pks) inside a sync's apply transaction, just before those pending
    rows are deleted: what another app attached to them would go with them, and a posted
    successor (announced later through the outbox) may want it back."""
    _removal_hooks[name] = fn


def removal_hooks_run(transaction_pks: list[int]) -> None:
    for fn in list(_removal_hooks.values()):
        fn(transaction_pks)


class Announcement:
    """What a sync's pages add, modify and remove, gathered while they are applied (the same
    pages, in order, so nothing is read twice). Each transaction_id maps to the pk its latest
    write returned: a row Plaid sent for an account we skipped was never written and has none,
    so it is not announced."""

    def __init__(self) -> None:
        self.added: dict[str, int | None] = {}
        self.modified: dict[str, int | None] = {}
        self.removed: dict[str, None] = {}

    def page(self, page: dict[str, Any]) -> None:
        """A page, before its rows are written: removed, then added, then modified."""
        added, modified, removed = self.added, self.modified, self.removed
        for t_id in page["removed"]:
            added.pop(t_id, None)
            modified.pop(t_id, None)
            removed[t_id] = None
        for row in page["added"]:
            t_id = row["transaction_id"]
            removed.pop(t_id, None)
            added[t_id] = None
        for row in page["modified"]:
            t_id = row["transaction_id"]
            if t_id not in added:
                modified[t_id] = None

    def written(self, rows: Iterable[tuple[int, str]]) -> None:
        """(pk, transaction_id) of the rows the page's upsert wrote."""
        added, modified = self.added, self.modified
        for pk, t_id in rows:
            if t_id in added:
                added[t_id] = pk
            if t_id in modified:
                modified[t_id] = pk

    def added_ids(self) -> list[int]:
        return _pks(self.added)

    def modified_ids(self) -> list[int]:
        return _pks(self.modified)


def _pks(written: dict[str, int | None]) -> list[int]:
    return sorted(pk for pk in written.values() if pk is not None)


def outbox_record(
    *,
    item: PlaidItem,
    run: SyncRun,
    announced: Announcement,
    prepared: Callable[[list[int]], dict[str, Any]] | None = None,
) -> SyncOutbox:
    """Announce the run's applied pages; call inside the apply transaction. `prepared(added_ids)`
    says what the row preparers (banking.sync.prewrite) did while the pages were written."""
    added_ids = announced.added_ids()
    row = SyncOutbox.objects.create(
        item=item,
        run=run,
        added=added_ids,
        modified=announced.modified_ids(),
        removed=list(announced.removed),
        prepared=prepared(added_ids) if prepared else {},
    )
    transaction.on_commit(partial(_send, row.pk, bulk=run.trigger == SyncRun.Trigger.DAILY))
    return row


def _send(outbox_id: int, *, bulk: bool = False) -> None:
    # A daily sync's reactions wait their turn with the daily syncs: thousands of them on the
    # user queue would put every Refresh click and webhook behind them.
    routing = {"queue": bulk_queue()} if bulk else {}
    try:
        # By name: banking.tasks imports this module.
        names.task(names.OUTBOX_DELIVER).apply_async(
            kwargs={"outbox_id": outbox_id}, retry=False, **routing
        )
    except BROKER_ERRORS as exc:
        # The sweeper delivers it once the broker is back.
        logger.warning(
            "could not enqueue an outbox delivery",
            extra={"outbox_id": outbox_id, "error": exc.__class__.__name__},
        )


def outbox_deliver(*, outbox_id: int) -> str:
    """Call every hook with the row, then mark it delivered: 'delivered', 'failed' (a hook
    raised; the row stays for the sweeper) or 'skipped' (delivered, gone or claimed)."""
    now = timezone.now()
    lease_lost = now - timedelta(seconds=CLAIM_LEASE_SECONDS)
    claimed = (
        SyncOutbox.objects.filter(pk=outbox_id, delivered_at__isnull=True)
        .filter(Q(claimed_at__isnull=True) | Q(claimed_at__lt=lease_lost))
        .update(claimed_at=now, attempts=F("attempts") + 1)
    )
    if not claimed:
        return "skipped"
    row = SyncOutbox.objects.select_related("item", "run").get(pk=outbox_id)
    mine = SyncOutbox.objects.filter(pk=outbox_id, claimed_at=now)
    for name, hook in list(_hooks.items()):
        try:
            hook(row)
        except Exception as exc:
            logger.exception("outbox hook failed", extra={"hook": name, "outbox_id": outbox_id})
            mine.update(claimed_at=None, last_error=f"{name}: {type(exc).__name__}"[:500])
            return "failed"
    mine.update(claimed_at=None, delivered_at=timezone.now(), last_error="")
    return "delivered"


def outbox_deliver_pending(*, older_than_seconds: float, limit: int = 500) -> int:
    """Deliver rows still undelivered this long after their sync committed; the number
    delivered."""
    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    pending = SyncOutbox.objects.filter(delivered_at__isnull=True, created_at__lte=cutoff)
    ids = list(pending.order_by("pk").values_list("pk", flat=True)[:limit])
    return sum(outbox_deliver(outbox_id=pk) == "delivered" for pk in ids)
