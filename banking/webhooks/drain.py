"""Processing recorded webhooks: claiming events, and the drain that works them off.

A delivery is not published as a task of its own: at 200 webhooks a second one Celery publish
each was the largest single cost of the request. The view stores the event (pending) and asks
for a drain; one drain task then processes every pending event, in received order.

Why no event is ever left behind (the event's INSERT has committed before the drain is asked
for, see webhook_drain_request; a drain runs DRAIN_DELAY_SECONDS after it is asked for):
- if this process knows of a queued drain that cannot have started yet (it asked for it, or
  read when it was asked for, less than DRAIN_DELAY_SECONDS minus a margin ago), nothing is
  asked: that drain's first query runs after our commit;
- if cache.add(DRAIN_KEY) fails, a drain has been published that has not yet started, since a
  drain deletes the key before its first query; that query runs after our commit and sees the
  event;
- if cache.add succeeds, we publish a new drain ourselves;
- if that publish fails (broker down), the key is dropped again and the event stays pending for
  the sweeper (requeue_stale_webhook_events), which also retakes claims of crashed workers.
A drain claims a batch of events at a time (SELECT ... FOR UPDATE SKIP LOCKED, then one UPDATE;
webhook_events_claim, also used for a single event), so several workers or
overlapping drains process each event exactly once, and a burst costs a few queries per batch
rather than several per event.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Collection
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from config.tasks_util import enqueue_on_commit

from .. import task_names
from ..models import PlaidItem, WebhookEvent
from . import handle

logger = logging.getLogger(__name__)

MAX_RETRIES = 5
DRAIN_KEY = "webhook-drain-queued"
# Only bounds how long a lost drain (a worker killed before it started) can hold the key; a
# drain queued behind a long backlog is harmless if the key expires: the next delivery
# publishes a second one, which finds little or nothing to do.
DRAIN_KEY_SECONDS = 30
DRAIN_BATCH = 50
# A drain starts this long after the delivery that asked for it, so a burst is processed in
# batches (a few queries per batch) instead of one event at a time as each arrives. A webhook
# is a trigger for work measured in seconds anyway.
DRAIN_DELAY_SECONDS = 2.0
DRAIN_PAUSE_MAX_SECONDS = 0.5
DRAIN_WINDOW_MARGIN_SECONDS = 0.5
SWEEP_AFTER = timedelta(minutes=2)
# A worker that died mid-event leaves a claim behind; after this long another may take it.
STALE_CLAIM = timedelta(minutes=10)
Outcome = WebhookEvent.Outcome


class DrainWindow:
    """Until when (wall clock) a drain known to be queued cannot have started yet, per process.
    A race between threads costs at most one extra Redis call."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self.clock = clock
        self.covers_until = 0.0

    def request(self) -> bool:
        now = self.clock()
        if now < self.covers_until:
            return True  # the queued drain has not started: its first query will see the event
        if cache.add(DRAIN_KEY, now, DRAIN_KEY_SECONDS):
            # Redis down: add answers True (fails open) and this publish fails fast; the event
            # waits for the sweeper, and the request still answers at once.
            drain = task_names.task(task_names.DRAIN_WEBHOOK_EVENTS)
            if not enqueue_on_commit(drain, countdown=DRAIN_DELAY_SECONDS):
                cache.delete(DRAIN_KEY)  # nothing is queued: let the next delivery try again
                return False
            queued_at = now
        else:
            # A queued drain that has not started yet will see the event. The key holds when
            # that drain was asked for.
            queued_at = cache.get(DRAIN_KEY)
        # That drain starts DRAIN_DELAY_SECONDS after it was asked for, not sooner, so until
        # shortly before then every delivery this process stores is seen by it without asking
        # Redis: at 200 deliveries a second, two Redis calls a second instead of one per
        # delivery. The margin absorbs a difference between our clock and the worker's (Celery
        # starts a delayed task by the worker's clock). Eager tasks run at once, so they have
        # no window.
        if isinstance(queued_at, float) and not settings.CELERY_TASK_ALWAYS_EAGER:
            self.covers_until = queued_at + DRAIN_DELAY_SECONDS - DRAIN_WINDOW_MARGIN_SECONDS
        return True


drain_window = DrainWindow()


def webhook_drain_request() -> None:
    """Make sure a drain runs after the current transaction commits (at most one queued)."""
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(drain_window.request)
    else:
        drain_window.request()


def webhook_events_drain(*, sweep: bool = False, batch: int = DRAIN_BATCH) -> int:
    """Process pending events, oldest first, in batches, until a batch comes back short (the
    drain has caught up). Returns how many this call processed.

    Stopping there leaves nothing behind: an event stored after this drain started asked for a
    drain itself (the key was deleted first), so the next drain takes it, with the events that
    arrive meanwhile, as one batch.

    An event whose processing raised is handed to process_webhook_event with a backoff, and
    later drains leave it alone (error set); the sweeper's drain (sweep=True) takes those
    too, and claims left behind by crashed workers.
    """
    # First, before any query: see the module docstring.
    cache.delete(DRAIN_KEY)
    skipped: set[int] = set()
    done = 0
    while True:
        if sweep:
            due = Q(outcome=Outcome.PENDING) | abandoned_claims()
        else:
            due = Q(outcome=Outcome.PENDING, error="")
        started = time.monotonic()
        events = webhook_events_claim(due=due, exclude=skipped, limit=batch)
        if not events:
            return done
        processed, failed = webhook_events_process(events)
        done += processed
        for pk, exc in failed:
            skipped.add(pk)
            _retry_later(pk, exc)
        if len(events) < batch:
            return done
        # A backlog is worked off at half the database's attention, leaving the rest to the web
        # requests that are storing new deliveries (Plaid waits for those, nobody for these).
        time.sleep(min(DRAIN_PAUSE_MAX_SECONDS, time.monotonic() - started))


def _retry_countdown(attempts: int) -> int:
    return min(600, 10 * 4 ** max(0, attempts - 1))


def _retry_later(pk: int, exc: Exception) -> None:
    attempts = WebhookEvent.objects.filter(pk=pk).values_list("attempts", flat=True).first()
    logger.warning("webhook event failed", extra={"event": pk, "error": repr(exc)[:200]})
    if attempts is None:
        return
    if attempts > MAX_RETRIES:
        webhook_event_fail(event_id=pk, error=repr(exc))
        return
    process = task_names.task(task_names.PROCESS_WEBHOOK_EVENT)
    if process.app.conf.task_always_eager:
        # Tasks run inline (tests): a retry now would just fail again; the sweeper retries.
        return
    try:
        process.apply_async(args=(pk,), countdown=_retry_countdown(attempts), retry=False)
    except Exception:  # broker trouble: the event stays pending for the sweeper
        logger.exception("could not schedule webhook retry", extra={"event": pk})


def webhook_events_requeue_stale() -> int:
    """The safety net (beat, every few minutes): if any event has waited too long (broker down
    at receipt, a lost drain, a failed event due for retry, a crashed worker's claim), run one
    sweeping drain that takes them all. Returns how many were waiting."""
    now = timezone.now()
    stuck = WebhookEvent.objects.filter(
        Q(outcome=Outcome.PENDING, received_at__lt=now - SWEEP_AFTER) | abandoned_claims()
    ).count()
    if stuck:
        enqueue_on_commit(task_names.task(task_names.SWEEP_WEBHOOK_EVENTS))
    return stuck


# --- Claiming and processing ---------------------------------------------------------------------
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
        outcome = handle.webhook_event_dispatch(events[0])
    except Exception as exc:
        _put_back(event_id, exc)
        raise
    _finish(outcome, [event_id])
    return outcome


def webhook_events_claim(
    *, due: Q, exclude: Collection[int] = (), limit: int
) -> list[WebhookEvent]:
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
        handler = handle.HANDLERS.get((event.webhook_type, event.webhook_code))
        is_sync = handler is handle.on_sync_updates_available
        try:
            if is_sync and event.item is not None and event.item.pk in sync_asked:
                outcome = sync_asked[event.item.pk]
            else:
                outcome = handle.webhook_event_dispatch(event)
                _after_handler(event, handler, outcome, sync_asked)
        except Exception as exc:
            _put_back(event.pk, exc)
            failed.append((event.pk, exc))
            continue
        finished.setdefault(outcome, []).append(event.pk)
    for outcome, pks in finished.items():
        _finish(outcome, pks)
    return sum(len(pks) for pks in finished.values()), failed


def _after_handler(
    event: WebhookEvent, handler: handle.Handler | None, outcome: str, sync_asked: dict[int, str]
) -> None:
    if event.item is None or handler in (None, handle.on_legacy_transactions):
        return
    if handler is handle.on_sync_updates_available:
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
