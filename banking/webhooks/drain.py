"""Celery tasks for webhooks, and the drain that feeds them.

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
webhook_handlers.webhook_events_claim, also used for a single event), so several workers or
overlapping drains process each event exactly once, and a burst costs a few queries per batch
rather than several per event.
"""

import logging
import time
from datetime import timedelta

from celery import shared_task
from django.core.cache import cache
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from config.tasks_util import enqueue_on_commit

from . import webhook_handlers
from .models import WebhookEvent

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


def _retry_countdown(attempts: int) -> int:
    return min(600, 10 * 4 ** max(0, attempts - 1))


@shared_task(
    name="banking.webhook_tasks.process_webhook_event",
    bind=True,
    max_retries=MAX_RETRIES,
    acks_late=True,
)
def process_webhook_event(self, event_id: int) -> str | None:
    # Idempotent: the service claims the event with a conditional UPDATE, so a duplicate
    # enqueue (a drain, the sweeper, redelivery after a worker crash) finds nothing to do.
    try:
        return webhook_handlers.webhook_event_process(event_id=event_id)
    except Exception as exc:
        if self.request.is_eager or self.request.retries >= MAX_RETRIES:
            webhook_handlers.webhook_event_fail(event_id=event_id, error=repr(exc))
            raise
        raise self.retry(exc=exc, countdown=min(600, 10 * 4**self.request.retries))


# Until when (wall clock) a drain that is known to be queued cannot have started yet; see
# _drain_request_now. Per process; a race between threads costs at most one extra Redis call.
_queued_drain_covers_until = 0.0


def _drains_run_at_once() -> bool:
    return bool(drain_webhook_events.app.conf.task_always_eager)


def _drain_request_now() -> bool:
    global _queued_drain_covers_until
    now = time.time()
    if now < _queued_drain_covers_until:
        return True  # the queued drain has not started: its first query will see the event
    if cache.add(DRAIN_KEY, now, DRAIN_KEY_SECONDS):
        # Redis down: add answers True (fails open) and this publish fails fast; the event
        # waits for the sweeper, and the request still answers at once.
        if not enqueue_on_commit(drain_webhook_events, countdown=DRAIN_DELAY_SECONDS):
            cache.delete(DRAIN_KEY)  # nothing is queued: let the next delivery try again
            return False
        queued_at = now
    else:
        # A queued drain that has not started yet will see the event. The key holds when that
        # drain was asked for.
        queued_at = cache.get(DRAIN_KEY)
    # That drain starts DRAIN_DELAY_SECONDS after it was asked for, not sooner, so until shortly
    # before then every delivery this process stores is seen by it without asking Redis: at
    # 200 deliveries a second, two Redis calls a second instead of one per delivery. The
    # margin absorbs a difference between our clock and the worker's (Celery starts a delayed
    # task by the worker's clock). Eager tasks (tests) run at once, so they have no window.
    if isinstance(queued_at, float) and not _drains_run_at_once():
        _queued_drain_covers_until = queued_at + DRAIN_DELAY_SECONDS - DRAIN_WINDOW_MARGIN_SECONDS
    return True


def webhook_drain_request() -> None:
    """Make sure a drain runs after the current transaction commits (at most one queued)."""
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(_drain_request_now)
    else:
        _drain_request_now()


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
    Outcome = WebhookEvent.Outcome
    skipped: set[int] = set()
    done = 0
    while True:
        if sweep:
            due = Q(outcome=Outcome.PENDING) | webhook_handlers.abandoned_claims()
        else:
            due = Q(outcome=Outcome.PENDING, error="")
        started = time.monotonic()
        events = webhook_handlers.webhook_events_claim(due=due, exclude=skipped, limit=batch)
        if not events:
            return done
        processed, failed = webhook_handlers.webhook_events_process(events)
        done += processed
        for pk, exc in failed:
            skipped.add(pk)
            _retry_later(pk, exc)
        if len(events) < batch:
            return done
        # A backlog is worked off at half the database's attention, leaving the rest to the web
        # requests that are storing new deliveries (Plaid waits for those, nobody for these).
        time.sleep(min(DRAIN_PAUSE_MAX_SECONDS, time.monotonic() - started))


def _retry_later(pk: int, exc: Exception) -> None:
    attempts = WebhookEvent.objects.filter(pk=pk).values_list("attempts", flat=True).first()
    logger.warning("webhook event failed", extra={"event": pk, "error": repr(exc)[:200]})
    if attempts is None:
        return
    if attempts > MAX_RETRIES:
        webhook_handlers.webhook_event_fail(event_id=pk, error=repr(exc))
        return
    if process_webhook_event.app.conf.task_always_eager:
        # Tests run tasks inline: a retry now would just fail again; the sweeper retries.
        return
    try:
        process_webhook_event.apply_async(
            args=(pk,), countdown=_retry_countdown(attempts), retry=False
        )
    except Exception:  # broker trouble: the event stays pending for the sweeper
        logger.exception("could not schedule webhook retry", extra={"event": pk})


@shared_task(name="banking.webhook_tasks.drain_webhook_events", acks_late=True)
def drain_webhook_events() -> int:
    return webhook_events_drain()


@shared_task(name="banking.webhook_tasks.requeue_stale_webhook_events")
def requeue_stale_webhook_events() -> int:
    """The safety net (beat, every few minutes): if any event has waited too long (broker down
    at receipt, a lost drain, a failed event due for retry, a crashed worker's claim), run one
    drain that takes them all. Returns how many were waiting."""
    now = timezone.now()
    Outcome = WebhookEvent.Outcome
    stuck = WebhookEvent.objects.filter(
        Q(outcome=Outcome.PENDING, received_at__lt=now - SWEEP_AFTER)
        | webhook_handlers.abandoned_claims()
    ).count()
    if stuck:
        enqueue_on_commit(sweep_webhook_events)
    return stuck


@shared_task(name="banking.webhook_tasks.sweep_webhook_events", acks_late=True)
def sweep_webhook_events() -> int:
    return webhook_events_drain(sweep=True)
