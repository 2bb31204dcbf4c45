"""Transactions sync: Plaid's /transactions/sync cursor applied atomically, one sync per item.

The shape of a sync (item_sync):
1. Claim: insert a running SyncRun. A partial unique index allows one running run per item, so
   a second sync of the same item (another worker, a webhook, the command line) fails to claim
   and is coalesced into a `rerun_requested` flag instead of running twice.
2. Fetch: pages of count=500 from the stored cursor until has_more is false, each written to the
   SyncPage staging table. No database transaction is open meanwhile: a 100k-row item is 200
   calls and minutes under Plaid's per-item limit, and holding a transaction that long would
   lock SQLite and block users' edits. TRANSACTIONS_SYNC_MUTATION_DURING_PAGINATION throws the
   staged pages away and restarts from the original cursor (Plaid's rule). NOT_READY (an empty
   cursor before the first pull) applies nothing; the SYNC_UPDATES_AVAILABLE webhook or the
   next schedule brings the item back.
3. Apply: one short transaction upserts the staged pages in order (bulk INSERT .. ON CONFLICT
   on transaction_id), deletes removed rows, updates balances and saves the new cursor. The
   cursor is compare-and-swapped against the one we started from, so the rows and the cursor
   that describes them commit together or not at all; a crash anywhere before the commit
   leaves transactions, accounts, balances and cursor exactly as they were.

Pending -> posted: a posted transaction naming `pending_transaction_id` takes over the user's
category and notes from the pending one. The pending row is removed in the same update (maybe
on another page), and both changes commit together, so nobody sees both counted at once.
"""

from __future__ import annotations

import logging
import time
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from config.tasks_util import bulk_queue, enqueue_on_commit

from .. import plaid as plaid_api
from .. import schedule, task_names
from ..health import status as item_status
from ..health.errors import Action, Entry, decide
from ..models import Account, PlaidItem, SyncRun
from ..plaid import ratelimit
from .apply import apply_staged
from .errors import SyncAborted, SyncFailed, SyncInProgress, SyncNotAllowed, SyncNotNeeded
from .fetch import fetch_pages
from .runs import run_finish, run_finish_failed, runs_reclaim_stuck

logger = logging.getLogger(__name__)

# A sync waits this long for a rate-limit slot (no transaction is open, and giving up would
# throw away pages already fetched).
FETCH_PATIENCE_SECONDS = 90
# One marker per queue: a click or webhook must not wait behind a daily sync queued on the bulk
# queue, while a daily request may join a sync already queued for a person.
QUEUED_KEY = "sync-queued:{}"
BULK_QUEUED_KEY = "sync-queued-bulk:{}"
QUEUED_TTL = 10 * 60

Status = PlaidItem.Status
Outcome = SyncRun.Outcome
NO_SYNC_STATES = {Status.REVOKED, Status.REMOVING}
# Statuses a successful sync disproves.
HEALED_BY_SYNC = {Status.LOGIN_REQUIRED, Status.ERROR}


# --- Requests (webhooks, linking, schedules, buttons) -------------------------------------------
def sync_request(
    *, item: PlaidItem, trigger: str, countdown: int = 0, requested_at: datetime | None = None
) -> str:
    """Ask for a sync in the background. Returns 'queued', 'coalesced' or 'ignored'.
    A daily request made at `requested_at` (the dispatcher's claim; default now) is dropped by
    the worker if a sync succeeded since (SyncNotNeeded).

    Coalescing: while a sync runs, the request becomes one more pass after it; while a task is
    queued (a Redis key for QUEUED_TTL), the request joins it. Never two tasks for one item.
    """
    if item.is_manual or item.status in NO_SYNC_STATES:
        return "ignored"
    # The daily refresh's syncs wait their turn on the bulk queue; everything else is a person
    # or Plaid waiting now.
    bulk = trigger == SyncRun.Trigger.DAILY
    running = SyncRun.objects.filter(item=item, outcome=Outcome.RUNNING)
    if bulk and running.exists():
        # A sync running now is the daily sync; if it dies, the dispatcher's lease brings the
        # item back. A pass after it would sync the item twice in a day.
        return "coalesced"
    if not bulk and running.update(rerun_requested=True):
        return "coalesced"
    if bulk and cache.get(QUEUED_KEY.format(item.pk)):
        return "coalesced"
    key = (BULK_QUEUED_KEY if bulk else QUEUED_KEY).format(item.pk)
    # A daily request still queued when the lease runs out is presumed lost (a killed worker's
    # reserved message waits out the broker's visibility timeout): the marker must not keep the
    # dispatcher from asking again, and requested_at makes a late duplicate a no-op.
    ttl = min(QUEUED_TTL, settings.DISPATCH_LEASE_SECONDS) if bulk else QUEUED_TTL
    if not cache.add(key, trigger, timeout=countdown + ttl):
        return "coalesced"
    item_pk = item.pk
    routing = {"queue": bulk_queue()} if bulk else {}
    asked = (requested_at or timezone.now()).timestamp()
    args = (item_pk, trigger, asked) if bulk else (item_pk, trigger)

    def enqueue() -> None:
        try:
            task_names.task(task_names.SYNC_ITEM).apply_async(
                args, countdown=countdown or None, **routing
            )
        except Exception:
            # Broker down: forget the marker so the next request (or the schedule) tries again.
            cache.delete(key)
            logger.exception("could not enqueue a sync of item %s", item_pk)

    # A worker must never look for an item (or its new status) that is not committed yet.
    transaction.on_commit(enqueue)
    return "queued"


def sync_runs_reclaim_stuck(*, older_than_seconds: int) -> int:
    """Release the claims of runs whose worker died. A request that coalesced into such a run
    (a click, a webhook) is not dropped with it: its item is asked for again."""
    reclaimed = runs_reclaim_stuck(older_than_seconds=older_than_seconds)
    triggers = {run.item_id: run.trigger for run in reclaimed if run.rerun_requested}
    items = PlaidItem.objects.filter(pk__in=triggers).only("pk", "item_id", "status", "kind")
    for item in items:
        sync_request(item=item, trigger=triggers[item.pk])
    return len(reclaimed)


class RefreshUnavailable(Exception):
    """The background queue cannot be reached: nothing was started; the user may try again."""


def item_refresh_request(*, item: PlaidItem, throttle_seconds: int) -> bool:
    """ "Refresh now": at most once per `throttle_seconds` per item (claimed with one
    conditional UPDATE, so double clicks and two tabs count once). True when accepted."""
    if item.is_manual or item.status in NO_SYNC_STATES:
        return False
    now = timezone.now()
    cutoff = now - timedelta(seconds=throttle_seconds)
    claimed = (
        PlaidItem.objects.filter(pk=item.pk)
        .filter(Q(last_refresh_requested_at__isnull=True) | Q(last_refresh_requested_at__lt=cutoff))
        .update(last_refresh_requested_at=now)
    )
    if not claimed:
        return False
    item.last_refresh_requested_at = now
    if not enqueue_on_commit(task_names.task(task_names.REFRESH_ITEM), item.pk):
        # Broker down: give the claim back so the user's next click is not throttled.
        PlaidItem.objects.filter(pk=item.pk, last_refresh_requested_at=now).update(
            last_refresh_requested_at=None
        )
        raise RefreshUnavailable(item.item_id)
    return True


def item_refresh(*, item: PlaidItem) -> str:
    """Ask Plaid to check the bank now (/transactions/refresh), then sync what is there. Plaid
    finds more later and says so with SYNC_UPDATES_AVAILABLE, which syncs again."""
    if item.is_manual:
        return "manual"
    try:
        plaid_api.transactions_refresh(item)
    except plaid_api.PlaidError as exc:
        # Only what the owner must fix stops here; anything else, the sync will meet again.
        if decide(exc.error_code, Entry.SYNC).action in (Action.RECONNECT, Action.REMOVE):
            _item_error(item, exc)
            return exc.error_code
        # Refresh is best effort (and limited to 2/min per item); the sync still runs.
        logger.info("refresh of item %s failed: %s", item.item_id, exc.error_code)
    return sync_request(item=item, trigger=SyncRun.Trigger.MANUAL)


# --- The sync ------------------------------------------------------------------------------------
def item_sync(*, item: PlaidItem, trigger: str, requested_at: datetime | None = None) -> SyncRun:
    """Run one whole sync now, in this process. Raises SyncInProgress, SyncNotAllowed,
    SyncNotNeeded (a sync succeeded after `requested_at`) or SyncFailed (with .retryable);
    returns the finished SyncRun otherwise."""
    if item.is_manual:
        raise SyncNotAllowed("manual")
    if item.status in NO_SYNC_STATES:
        raise SyncNotAllowed(item.status)
    run = _claim(item, trigger)
    cache.delete_many([QUEUED_KEY.format(item.pk), BULK_QUEUED_KEY.format(item.pk)])
    # The claim makes this process the only one moving the cursor; read it fresh (a caller's
    # object may be older than the last sync).
    item.refresh_from_db(
        fields=[
            "transactions_cursor",
            "status",
            "is_stale",
            "notified_state",
            "last_successful_sync_at",
        ]
    )
    synced = item.last_successful_sync_at
    if requested_at is not None and synced is not None and synced >= requested_at:
        # Checked under the claim: a sync that succeeded first has committed its time.
        SyncRun.objects.filter(pk=run.pk).delete()
        raise SyncNotNeeded(f"item {item.item_id} synced after the request")
    try:
        _sync_with_current_token(item, run)
    except Exception as exc:
        run_finish_failed(run, exc)
        if isinstance(exc, plaid_api.PlaidError):
            _item_error(item, exc)
        if isinstance(exc, plaid_api.PlaidError | SyncAborted):
            raise SyncFailed(run, exc) from exc
        raise
    if run.outcome != Outcome.SUCCESS:
        _schedule_next_daily(item)  # a success set it with its commit
    else:
        if item.status in HEALED_BY_SYNC:
            item_status.item_set_status(item=item, status=Status.HEALTHY, source="sync")
        if item.is_stale:
            item_status.item_set_stale(item=item, stale=False, source="sync")
        if SyncRun.objects.filter(pk=run.pk, rerun_requested=True).exists():
            # Read after the run released its claim, so a request that saw it running is
            # never lost: either it set the flag before this read, or it found no running run.
            sync_request(item=item, trigger=trigger)
    return run


def _schedule_next_daily(item: PlaidItem) -> None:
    # Whatever asked for this sync, the item is fresh: the daily dispatcher's lease on it (if
    # any) is over and its next daily sync is its next slot.
    due = schedule.daily_slot(item.item_id, after=timezone.now())
    PlaidItem.objects.filter(pk=item.pk).update(next_refresh_at=due)


def _claim(item: PlaidItem, trigger: str) -> SyncRun:
    now = timezone.now()
    try:
        with transaction.atomic():
            run = SyncRun.objects.create(item=item, trigger=trigger, heartbeat_at=now)
    except IntegrityError:
        if trigger != SyncRun.Trigger.DAILY:  # the running sync is the day's (sync_request)
            SyncRun.objects.filter(item=item, outcome=Outcome.RUNNING).update(rerun_requested=True)
        raise SyncInProgress(f"a sync of item {item.item_id} is already running") from None
    PlaidItem.objects.filter(pk=item.pk).update(last_sync_attempt_at=now)
    return run


def _sync_with_current_token(item: PlaidItem, run: SyncRun) -> None:
    try:
        _sync(item, run)
    except plaid_api.PlaidError as exc:
        if exc.error_code != "INVALID_ACCESS_TOKEN" or not _token_rotated(item):
            raise
        # rotate_plaid_access_tokens replaced the token under us: that is not a revoked item.
        # Once more with the new token (fetch restarts from the original cursor).
        _sync(item, run)


def _token_rotated(item: PlaidItem) -> bool:
    current = PlaidItem.objects.filter(pk=item.pk).values_list("access_token", flat=True).first()
    if current is None or current == item.access_token:
        return False
    item.access_token = current
    return True


def _sync(item: PlaidItem, run: SyncRun) -> None:
    original = item.transactions_cursor
    started = time.monotonic()
    with ratelimit.patience(FETCH_PATIENCE_SECONDS):
        fetched = fetch_pages(item, run, original)
        run.fetch_ms = int((time.monotonic() - started) * 1000)
        if fetched is None:
            run_finish(run, Outcome.NOT_READY)
            PlaidItem.objects.filter(pk=item.pk).update(transactions_update_status="NOT_READY")
            return
        accounts, account_ids, cursor, update_status = fetched
        known = set(Account.objects.filter(item=item).values_list("account_id", flat=True))
        if account_ids - known - set(accounts):
            # A transaction names an account we have never seen (shared later, or renamed by
            # account churn): fetch them all, with balances, before applying.
            for account in plaid_api.accounts_get(item):
                accounts[account["account_id"]] = account
    started = time.monotonic()
    apply_staged(item, run, original, cursor, update_status, accounts)
    run.apply_ms = int((time.monotonic() - started) * 1000)
    SyncRun.objects.filter(pk=run.pk).update(apply_ms=run.apply_ms)


def _item_error(item: PlaidItem, exc: plaid_api.PlaidError) -> None:
    decision = decide(exc.error_code, Entry.SYNC, retryable=exc.retryable)
    if decision.status is None:
        return  # transient (the task retries; after the last retry, item_sync_give_up) or ours
    item_status.item_set_status(
        item=item,
        status=decision.status,
        error_code=exc.error_code,
        message=exc.display_message or "",
        source="sync",
    )


def item_sync_give_up(*, item: PlaidItem, error_code: str, message: str = "") -> None:
    """Retries are spent on a transient error: show the trouble (the daily run tries again)."""
    _schedule_next_daily(item)
    item_status.item_set_status(
        item=item, status=Status.ERROR, error_code=error_code, message=message, source="sync"
    )
