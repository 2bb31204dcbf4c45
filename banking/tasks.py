"""Every Celery task of banking: thin adapters that load by id and call one service.

Task names are pinned (banking.task_names): they are a contract with beat's rows and with
messages already queued, whatever module the code lives in. Tasks are enqueued with
transaction.on_commit, so a worker never looks for rows that are not committed yet. Retries: a
transient Plaid error (rate limit, 5xx, institution down, PRODUCT_NOT_READY) retries with
exponential backoff and jitter, at most SYNC_MAX_RETRIES times; then the item shows "having
trouble" until a later sync succeeds.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime

from celery import Task, shared_task
from django.conf import settings

from . import dispatch, outbox, removal, retention, sync, wealth
from . import task_names as names
from .models import PlaidItem
from .webhooks import drain

# A run with no heartbeat for this long lost its worker (a page is at most a rate-limit wait
# plus Plaid's timeout, far shorter).
STUCK_AFTER_SECONDS = 15 * 60
# An outbox row still undelivered this long after its sync lost its task (worker died, broker
# down, a hook raised); the on-commit task usually delivers it within a second.
OUTBOX_SWEEP_AFTER_SECONDS = 60


def retry_delay(retries: int) -> float:
    """Exponential backoff with "equal jitter": half fixed, half random, capped."""
    ceiling = min(settings.SYNC_RETRY_MAX_SECONDS, settings.SYNC_RETRY_BASE_SECONDS * 2**retries)
    return ceiling / 2 + random.uniform(0, ceiling / 2)


# --- Sync -----------------------------------------------------------------------------------------
@shared_task(name=names.SYNC_ITEM, bind=True, acks_late=True)
def sync_item(
    self: Task, item_id: int, trigger: str = "webhook", requested_at: float | None = None
) -> str:
    item = PlaidItem.objects.filter(pk=item_id).first()
    if item is None:
        return "gone"
    asked = datetime.fromtimestamp(requested_at, UTC) if requested_at is not None else None
    try:
        return sync.item_sync(item=item, trigger=trigger, requested_at=asked).outcome
    except (sync.SyncInProgress, sync.SyncNotAllowed, sync.SyncNotNeeded) as exc:
        return type(exc).__name__
    except sync.SyncFailed as exc:
        if not exc.retryable:
            return exc.error_code
        if self.request.retries < settings.SYNC_MAX_RETRIES:
            sync.sync_run_mark_retrying(exc.run)
            raise self.retry(
                countdown=retry_delay(self.request.retries),
                max_retries=settings.SYNC_MAX_RETRIES,
            )
        sync.item_sync_give_up(item=item, error_code=exc.error_code)
        return exc.error_code


@shared_task(name=names.REFRESH_ITEM, bind=True, acks_late=True)
def refresh_item(self: Task, item_id: int) -> str:
    """ "Refresh now": ask Plaid to look for new transactions, then sync."""
    item = PlaidItem.objects.filter(pk=item_id).first()
    if item is None:
        return "gone"
    return sync.item_refresh(item=item)


@shared_task(name=names.DISPATCH_DUE_SYNCS)
def dispatch_due_syncs() -> int:
    return dispatch.items_dispatch_due()


@shared_task(name=names.REFRESH_ALL_ITEMS)
def refresh_all_items() -> int:
    # The old daily fan-out's name, still in beat rows and queued messages: one dispatch pass.
    return dispatch.items_dispatch_due()


@shared_task(name=names.CLEANUP_STUCK_SYNCS)
def cleanup_stuck_syncs() -> int:
    return sync.sync_runs_reclaim_stuck(older_than_seconds=STUCK_AFTER_SECONDS)


# --- Item health, removal, retention --------------------------------------------------------------
@shared_task(name=names.CHECK_ITEM_HEALTH)
def check_item_health() -> dict[str, int]:
    return dispatch.items_check_health_due()


@shared_task(name=names.ITEM_REMOVE_RETRY, ignore_result=True)
def item_remove_retry(item_pk: int) -> None:
    removal.item_remove_retry(item_pk=item_pk)


@shared_task(name=names.SWEEP_REMOVALS)
def sweep_removals() -> int:
    return removal.items_removal_sweep()


@shared_task(name=names.PRUNE_LOGS)
def prune_logs() -> dict[str, int]:
    return retention.logs_prune()


# --- Webhooks -------------------------------------------------------------------------------------
@shared_task(
    name=names.PROCESS_WEBHOOK_EVENT, bind=True, max_retries=drain.MAX_RETRIES, acks_late=True
)
def process_webhook_event(self: Task, event_id: int) -> str | None:
    # Idempotent: the service claims the event with a conditional UPDATE, so a duplicate
    # enqueue (a drain, the sweeper, redelivery after a worker crash) finds nothing to do.
    try:
        return drain.webhook_event_process(event_id=event_id)
    except Exception as exc:
        if self.request.is_eager or self.request.retries >= drain.MAX_RETRIES:
            drain.webhook_event_fail(event_id=event_id, error=repr(exc))
            raise
        raise self.retry(exc=exc, countdown=min(600, 10 * 4**self.request.retries))


@shared_task(name=names.DRAIN_WEBHOOK_EVENTS, acks_late=True)
def drain_webhook_events() -> int:
    return drain.webhook_events_drain()


@shared_task(name=names.REQUEUE_STALE_WEBHOOK_EVENTS)
def requeue_stale_webhook_events() -> int:
    return drain.webhook_events_requeue_stale()


@shared_task(name=names.SWEEP_WEBHOOK_EVENTS, acks_late=True)
def sweep_webhook_events() -> int:
    return drain.webhook_events_drain(sweep=True)


# --- Sync outbox ----------------------------------------------------------------------------------
@shared_task(name=names.OUTBOX_DELIVER, acks_late=True)
def outbox_deliver(outbox_id: int) -> str:
    return outbox.outbox_deliver(outbox_id=outbox_id)


@shared_task(name=names.OUTBOX_SWEEP)
def outbox_sweep() -> int:
    return outbox.outbox_deliver_pending(older_than_seconds=OUTBOX_SWEEP_AFTER_SECONDS)


# --- Liabilities and investments ------------------------------------------------------------------
@shared_task(name=names.WEALTH_REFRESH, acks_late=True)
def wealth_refresh(item_id: int, parts: list[str] | None = None) -> dict[str, object]:
    item = PlaidItem.objects.filter(pk=item_id).first()
    if item is None:
        return {}
    return wealth.item_wealth_refresh(item, parts)
