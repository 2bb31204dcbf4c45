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

import json
import logging
import time
from datetime import timedelta

from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from config.tasks_util import enqueue_on_commit

from . import notifications, ratelimit
from . import plaid as plaid_api
from .models import Account, PlaidItem, SyncPage, SyncRun
from .outbox import outbox_record
from .sync_apply import PAGE_SIZE, apply_accounts, apply_page

logger = logging.getLogger(__name__)

MAX_RESTARTS = 3
# A sync waits this long for a rate-limit slot (no transaction is open, and giving up would
# throw away pages already fetched).
FETCH_PATIENCE_SECONDS = 90
QUEUED_KEY = "sync-queued:{}"
QUEUED_TTL = 10 * 60
MUTATION = "TRANSACTIONS_SYNC_MUTATION_DURING_PAGINATION"

Status = PlaidItem.Status
Outcome = SyncRun.Outcome
NO_SYNC_STATES = {Status.REVOKED, Status.REMOVING}
# Statuses a successful sync disproves.
HEALED_BY_SYNC = {Status.LOGIN_REQUIRED, Status.ERROR}
# Errors that update mode (the user signing in again) fixes.
LOGIN_ERRORS = {
    "ITEM_LOGIN_REQUIRED",
    "ACCESS_NOT_GRANTED",
    "NO_ACCOUNTS",
    "ADDITIONAL_CONSENT_REQUIRED",
    "INVALID_CREDENTIALS",
    "INVALID_MFA",
    "USER_SETUP_REQUIRED",
}
REVOKED_ERRORS = {"INVALID_ACCESS_TOKEN", "ITEM_NOT_FOUND"}
# Our own configuration problems: staff are alerted by the wrapper; the item is not to blame.
CONFIG_ERRORS = {"CIRCUIT_OPEN", "TOKEN_ENVIRONMENT_MISMATCH", "INVALID_API_KEYS"}


class SyncError(Exception):
    pass


class SyncInProgress(SyncError):
    """Another sync of this item is running; this request was coalesced into it."""


class SyncNotAllowed(SyncError):
    """The item is revoked or being removed."""


class SyncAborted(SyncError):
    """The run lost its claim (reclaimed as stuck) or the cursor moved under it."""


class SyncFailed(SyncError):
    def __init__(self, run: SyncRun, error: Exception):
        self.run = run
        self.error = error
        self.error_code = getattr(error, "error_code", "") or type(error).__name__
        self.retryable = bool(getattr(error, "retryable", False))
        super().__init__(f"sync of item {run.item_id} failed: {self.error_code}")


# --- Requests (webhooks, linking, schedules, buttons) -------------------------------------------
def sync_request(*, item: PlaidItem, trigger: str, countdown: int = 0) -> str:
    """Ask for a sync in the background. Returns 'queued', 'coalesced' or 'ignored'.

    Coalescing: while a sync runs, the request becomes one more pass after it; while a task is
    queued (a Redis key for QUEUED_TTL), the request joins it. Never two tasks for one item.
    """
    if item.status in NO_SYNC_STATES:
        return "ignored"
    if SyncRun.objects.filter(item=item, outcome=Outcome.RUNNING).update(rerun_requested=True):
        return "coalesced"
    key = QUEUED_KEY.format(item.pk)
    if not cache.add(key, trigger, timeout=countdown + QUEUED_TTL):
        return "coalesced"
    item_pk = item.pk

    def enqueue():
        from . import tasks

        try:
            tasks.sync_item.apply_async((item_pk, trigger), countdown=countdown or None)
        except Exception:
            # Broker down: forget the marker so the next request (or the schedule) tries again.
            cache.delete(key)
            logger.exception("could not enqueue a sync of item %s", item_pk)

    # A worker must never look for an item (or its new status) that is not committed yet.
    transaction.on_commit(enqueue)
    return "queued"


def items_refresh_all(*, window_seconds: float) -> int:
    """The daily fan-out: one sync task per syncable item, spread evenly over the window so
    Plaid's per-client limits hold. Returns how many were asked for."""
    items = list(
        PlaidItem.objects.exclude(status__in=[*NO_SYNC_STATES, Status.LOGIN_REQUIRED])
        .order_by("pk")
        .only("pk", "status", "item_id")
    )
    step = window_seconds / len(items) if items else 0
    for n, item in enumerate(items):
        sync_request(item=item, trigger=SyncRun.Trigger.DAILY, countdown=int(n * step))
    return len(items)


class RefreshUnavailable(Exception):
    """The background queue cannot be reached: nothing was started; the user may try again."""


def item_refresh_request(*, item: PlaidItem, throttle_seconds: int) -> bool:
    """ "Refresh now": at most once per `throttle_seconds` per item (claimed with one
    conditional UPDATE, so double clicks and two tabs count once). True when accepted."""
    if item.status in NO_SYNC_STATES:
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
    from . import tasks

    if not enqueue_on_commit(tasks.refresh_item, item.pk):
        # Broker down: give the claim back so the user's next click is not throttled.
        PlaidItem.objects.filter(pk=item.pk, last_refresh_requested_at=now).update(
            last_refresh_requested_at=None
        )
        raise RefreshUnavailable(item.item_id)
    return True


def item_refresh(*, item: PlaidItem) -> str:
    """Ask Plaid to check the bank now (/transactions/refresh), then sync what is there. Plaid
    finds more later and says so with SYNC_UPDATES_AVAILABLE, which syncs again."""
    try:
        plaid_api.transactions_refresh(item)
    except plaid_api.PlaidError as exc:
        if exc.error_code in LOGIN_ERRORS | REVOKED_ERRORS:
            _item_error(item, exc)
            return exc.error_code
        # Refresh is best effort (and limited to 2/min per item); the sync still runs.
        logger.info("refresh of item %s failed: %s", item.item_id, exc.error_code)
    return sync_request(item=item, trigger=SyncRun.Trigger.MANUAL)


def item_sync_status(item: PlaidItem) -> dict:
    """What the progress poller needs: is a sync queued or running, and how the last went."""
    last = SyncRun.objects.filter(item=item).order_by("-started_at").first()
    running = last is not None and last.outcome == Outcome.RUNNING
    requested = item.last_refresh_requested_at
    # Between the click and the worker starting there is no run yet: show it as queued.
    queued = bool(
        requested
        and (last is None or last.started_at < requested)
        and timezone.now() - requested < timedelta(minutes=2)
    )
    return {
        "status": item.status,
        "status_display": item.get_status_display(),
        "in_progress": running or queued,
        "phase": "running" if running else "queued" if queued else "idle",
        "pages": last.pages if last else 0,
        "last_run": None
        if last is None
        else {
            "trigger": last.trigger,
            "outcome": last.outcome,
            "outcome_display": last.get_outcome_display(),
            "started_at": last.started_at.isoformat(),
            "finished_at": last.finished_at.isoformat() if last.finished_at else None,
            "added": last.added,
            "modified": last.modified,
            "removed": last.removed,
            "error_code": last.error_code,
        },
        "last_successful_sync_at": item.last_successful_sync_at.isoformat()
        if item.last_successful_sync_at
        else None,
    }


# --- The sync ------------------------------------------------------------------------------------
def item_sync(*, item: PlaidItem, trigger: str) -> SyncRun:
    """Run one whole sync now, in this process. Raises SyncInProgress, SyncNotAllowed or
    SyncFailed (with .retryable); returns the finished SyncRun otherwise."""
    if item.status in NO_SYNC_STATES:
        raise SyncNotAllowed(item.status)
    run = _claim(item, trigger)
    cache.delete(QUEUED_KEY.format(item.pk))
    # The claim makes this process the only one moving the cursor; read it fresh (a caller's
    # object may be older than the last sync).
    item.refresh_from_db(fields=["transactions_cursor", "status", "is_stale", "notified_state"])
    try:
        _sync(item, run)
    except Exception as exc:
        _finish_failed(run, exc)
        if isinstance(exc, plaid_api.PlaidError):
            _item_error(item, exc)
        if isinstance(exc, plaid_api.PlaidError | SyncAborted):
            raise SyncFailed(run, exc) from exc
        raise
    if run.outcome == Outcome.SUCCESS:
        if item.status in HEALED_BY_SYNC:
            notifications.item_set_status(item=item, status=Status.HEALTHY, source="sync")
        if item.is_stale:
            notifications.item_set_stale(item=item, stale=False, source="sync")
        if SyncRun.objects.filter(pk=run.pk, rerun_requested=True).exists():
            # Read after the run released its claim, so a request that saw it running is
            # never lost: either it set the flag before this read, or it found no running run.
            sync_request(item=item, trigger=trigger)
    return run


def _claim(item: PlaidItem, trigger: str) -> SyncRun:
    now = timezone.now()
    try:
        with transaction.atomic():
            run = SyncRun.objects.create(item=item, trigger=trigger, heartbeat_at=now)
    except IntegrityError:
        SyncRun.objects.filter(item=item, outcome=Outcome.RUNNING).update(rerun_requested=True)
        raise SyncInProgress(f"a sync of item {item.item_id} is already running") from None
    PlaidItem.objects.filter(pk=item.pk).update(last_sync_attempt_at=now)
    return run


def _sync(item: PlaidItem, run: SyncRun) -> None:
    original = item.transactions_cursor
    started = time.monotonic()
    with ratelimit.patience(FETCH_PATIENCE_SECONDS):
        fetched = _fetch(item, run, original)
        run.fetch_ms = int((time.monotonic() - started) * 1000)
        if fetched is None:
            _finish(run, Outcome.NOT_READY)
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
    _apply_staged(item, run, original, cursor, update_status, accounts)
    run.apply_ms = int((time.monotonic() - started) * 1000)
    SyncRun.objects.filter(pk=run.pk).update(apply_ms=run.apply_ms)


def _fetch(item: PlaidItem, run: SyncRun, original: str):
    """Stage every page of the update. None when Plaid has nothing yet (NOT_READY)."""
    while True:
        SyncPage.objects.filter(run=run).delete()
        cursor, seq, accounts, account_ids = original, 0, {}, set()
        try:
            while True:
                page = plaid_api.transactions_sync(item, cursor, count=PAGE_SIZE)
                update_status = page.get("transactions_update_status") or ""
                if update_status == "NOT_READY" and not page["next_cursor"]:
                    return None
                _stage_page(run, seq, page)
                seq += 1
                for account in page["accounts"]:
                    accounts[account["account_id"]] = account
                for txn in page["added"] + page["modified"]:
                    account_ids.add(txn["account_id"])
                cursor = page["next_cursor"]
                run.pages = seq
                SyncRun.objects.filter(pk=run.pk).update(heartbeat_at=timezone.now(), pages=seq)
                if not page["has_more"]:
                    return accounts, account_ids, cursor, update_status
        except plaid_api.PlaidError as exc:
            if exc.error_code != MUTATION or run.restarts >= MAX_RESTARTS:
                raise
            run.restarts += 1
            SyncRun.objects.filter(pk=run.pk).update(restarts=run.restarts)
            logger.info("item %s: data changed mid-pagination, restarting", item.item_id)


def _compact(t: dict) -> dict:
    pfc = t.get("personal_finance_category") or {}
    loc = t.get("location") or {}
    return {
        "transaction_id": t["transaction_id"],
        "account_id": t["account_id"],
        "amount": str(t["amount"]),
        "iso_currency_code": t.get("iso_currency_code") or "",
        "unofficial_currency_code": t.get("unofficial_currency_code") or "",
        "date": t["date"],
        "authorized_date": t.get("authorized_date"),
        "datetime": t.get("datetime"),
        "name": (t.get("name") or "")[:300],
        "merchant_name": (t.get("merchant_name") or "")[:300],
        "logo_url": (t.get("logo_url") or "")[:500],
        "website": (t.get("website") or "")[:300],
        "pending": bool(t.get("pending")),
        "pending_transaction_id": t.get("pending_transaction_id") or "",
        "pfc_primary": (pfc.get("primary") or "")[:64],
        "pfc_detailed": (pfc.get("detailed") or "")[:128],
        "pfc_confidence": (pfc.get("confidence_level") or "")[:16],
        "payment_channel": (t.get("payment_channel") or "")[:16],
        "city": (loc.get("city") or "")[:120],
        "region": (loc.get("region") or "")[:120],
    }


def _stage_page(run: SyncRun, seq: int, page: dict) -> None:
    payload = {
        "added": [_compact(t) for t in page["added"]],
        "modified": [_compact(t) for t in page["modified"]],
        "removed": [r["transaction_id"] for r in page["removed"]],
    }
    SyncPage.objects.create(run=run, seq=seq, payload=json.dumps(payload))


def _apply_staged(item, run, original, cursor, update_status, accounts) -> None:
    now = timezone.now()
    counts = {"added": 0, "modified": 0, "removed": 0}
    with transaction.atomic():
        # Both checks come first: on PostgreSQL they also lock the item row for this short
        # transaction. A run reclaimed as stuck, or a cursor someone else moved, means these
        # pages are not ours to apply.
        if not SyncRun.objects.filter(pk=run.pk, outcome=Outcome.RUNNING).update(heartbeat_at=now):
            raise SyncAborted("the run was reclaimed")
        moved = PlaidItem.objects.filter(pk=item.pk, transactions_cursor=original).update(
            transactions_cursor=cursor,
            transactions_update_status=update_status,
            last_successful_sync_at=now,
            updated_at=now,
        )
        if not moved:
            raise SyncAborted("the cursor moved during the sync")
        account_pks = apply_accounts(item, accounts, now)
        carried: dict[str, tuple[str, str]] = {}
        page_ids = list(
            SyncPage.objects.filter(run=run).order_by("seq").values_list("pk", flat=True)
        )
        for page_id in page_ids:
            # One page in memory at a time, whatever the item's history size.
            payload = SyncPage.objects.filter(pk=page_id).values_list("payload", flat=True).get()
            apply_page(item, json.loads(payload), account_pks, carried, counts)
        outbox_record(item=item, run=run)
        SyncPage.objects.filter(run=run).delete()
        _finish(run, Outcome.SUCCESS, **counts)
    item.transactions_cursor = cursor
    item.transactions_update_status = update_status
    item.last_successful_sync_at = now


def _finish(run: SyncRun, outcome: str, error_code: str = "", **counts) -> None:
    fields = {"outcome": outcome, "finished_at": timezone.now(), "error_code": error_code[:64]}
    fields.update(counts, fetch_ms=run.fetch_ms, apply_ms=run.apply_ms, pages=run.pages)
    SyncRun.objects.filter(pk=run.pk).update(**fields)
    for name, value in fields.items():
        setattr(run, name, value)


def _finish_failed(run: SyncRun, exc: Exception) -> None:
    code = getattr(exc, "error_code", "") or type(exc).__name__
    try:
        SyncPage.objects.filter(run=run).delete()
        _finish(run, Outcome.FAILED, error_code=code)
    except Exception:
        # The database itself may be what failed; cleanup_stuck_syncs reclaims the run later.
        logger.exception("could not record the failure of sync run %s", run.pk)


def _item_error(item: PlaidItem, exc) -> None:
    code = exc.error_code
    message = exc.display_message or ""
    if code in LOGIN_ERRORS:
        status = Status.LOGIN_REQUIRED
    elif code in REVOKED_ERRORS:
        status = Status.REVOKED
    elif exc.retryable or code in CONFIG_ERRORS or code == MUTATION:
        return  # transient: the task retries; after the last retry, item_sync_give_up
    else:
        status = Status.ERROR
    notifications.item_set_status(
        item=item, status=status, error_code=code, message=message, source="sync"
    )


def sync_run_mark_retrying(run: SyncRun) -> None:
    SyncRun.objects.filter(pk=run.pk).update(outcome=Outcome.RETRYING)


def item_sync_give_up(*, item: PlaidItem, error_code: str, message: str = "") -> None:
    """Retries are spent on a transient error: show the trouble (the daily run tries again)."""
    notifications.item_set_status(
        item=item, status=Status.ERROR, error_code=error_code, message=message, source="sync"
    )


def sync_runs_reclaim_stuck(*, older_than_seconds: int) -> int:
    """Runs whose worker died (no heartbeat for a while) release their claim."""
    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    stuck = SyncRun.objects.filter(outcome=Outcome.RUNNING, heartbeat_at__lt=cutoff)
    pks = list(stuck.values_list("pk", flat=True))
    SyncRun.objects.filter(pk__in=pks, outcome=Outcome.RUNNING).update(
        outcome=Outcome.FAILED, error_code="STUCK", finished_at=timezone.now()
    )
    # Staged pages of any finished run are garbage (a crash between fetch and cleanup).
    SyncPage.objects.exclude(run__outcome=Outcome.RUNNING).delete()
    return len(pks)


def sync_runs_for_item(item: PlaidItem, limit: int = 20):
    return SyncRun.objects.filter(item=item).order_by("-started_at")[:limit]
