"""Deliveries are processed by a drain task, published at most once per drain cycle."""

import hashlib
import itertools
import json
import time
import uuid
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from banking import tasks
from banking.models import PlaidItem, WebhookEvent
from banking.webhooks import drain

from .signing import body_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def item(alice):
    return PlaidItem.objects.create(user=alice, item_id="item-drain-1", access_token="access-x")


@pytest.fixture
def handled(monkeypatch):
    """Every event the sync handler is run for, in order."""
    calls = []
    monkeypatch.setattr(
        "banking.sync.sync_request",
        lambda *, item, trigger, countdown=0: calls.append(item.pk) or "queued",
    )
    return calls


class PublishLog(list):
    """Task names published, in order; `.delays` holds each publish's countdown."""

    delays: list


@pytest.fixture
def publishes(monkeypatch):
    """Drain publishes, recorded instead of run (the drain is run by hand in these tests)."""
    calls = PublishLog()
    calls.delays = []

    def enqueue(task, *args, countdown=None):
        calls.append(task.name)
        calls.delays.append(countdown)
        return True

    monkeypatch.setattr("banking.webhooks.drain.enqueue_on_commit", enqueue)
    return calls


def event_for(
    item, webhook_type="TRANSACTIONS", code="SYNC_UPDATES_AVAILABLE", extra=None, **fields
):
    body = json.dumps(
        {
            "webhook_type": webhook_type,
            "webhook_code": code,
            "item_id": item.item_id,
            **(extra or {}),
        }
    )
    return WebhookEvent.objects.create(
        webhook_type=webhook_type,
        webhook_code=code,
        plaid_item_id=item.item_id,
        item=item,
        body=body,
        body_sha256=hashlib.sha256(body.encode()).hexdigest(),
        token_sha256=uuid.uuid4().hex,
        **fields,
    )


_deliveries = itertools.count()


def deliver(plaid_key, item, django_capture_on_commit_callbacks):
    # Separate deliveries: the same body under the same iat and kid would be one replayed.
    body = body_for(
        {
            "delivery": next(_deliveries),
            "webhook_type": "TRANSACTIONS",
            "webhook_code": "SYNC_UPDATES_AVAILABLE",
            "item_id": item.item_id,
            "environment": "sandbox",
        }
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = Client().post(
            "/webhook",
            data=body,
            content_type="application/json",
            HTTP_PLAID_VERIFICATION=plaid_key.sign(body),
        )
    assert response.status_code == 200
    return WebhookEvent.objects.order_by("-pk").first()


def test_it_publishes_one_drain_for_many_deliveries(
    item, plaid_key, publishes, django_capture_on_commit_callbacks
):
    for _ in range(3):
        deliver(plaid_key, item, django_capture_on_commit_callbacks)
    assert publishes == ["banking.webhook_tasks.drain_webhook_events"]
    # Delayed a moment, so a burst is drained in batches rather than one event at a time.
    assert publishes.delays == [drain.DRAIN_DELAY_SECONDS]
    assert drain.DRAIN_DELAY_SECONDS > 0
    assert WebhookEvent.objects.filter(outcome="pending").count() == 3


def test_an_event_stored_while_a_drain_is_queued_is_processed_by_that_drain(
    item, plaid_key, publishes, handled, django_capture_on_commit_callbacks
):
    first = deliver(plaid_key, item, django_capture_on_commit_callbacks)
    # The drain is queued, not started: the next delivery publishes nothing ...
    second = deliver(plaid_key, item, django_capture_on_commit_callbacks)
    assert len(publishes) == 1
    # ... because the queued drain, when it runs, sees it.
    assert drain.webhook_events_drain() == 2
    assert set(WebhookEvent.objects.values_list("outcome", flat=True)) == {"processed"}
    assert handled == [item.pk]  # one sync asked for both
    assert {first.pk, second.pk} == set(WebhookEvent.objects.values_list("pk", flat=True))
    # Once a drain has started, a new delivery publishes a new drain.
    deliver(plaid_key, item, django_capture_on_commit_callbacks)
    assert len(publishes) == 2


def test_a_drain_processes_events_in_received_order(alice, item, handled):
    other = PlaidItem.objects.create(user=alice, item_id="item-drain-2", access_token="access-y")
    now = timezone.now()
    late, early = event_for(item), event_for(other)
    WebhookEvent.objects.filter(pk=early.pk).update(received_at=now - timedelta(seconds=5))
    WebhookEvent.objects.filter(pk=late.pk).update(received_at=now)
    assert drain.webhook_events_drain(batch=1) == 2
    assert handled == [other.pk, item.pk]


def test_a_drain_asks_once_per_item_for_a_burst_of_sync_updates(alice, item, handled):
    other = PlaidItem.objects.create(user=alice, item_id="item-drain-2", access_token="access-y")
    for _ in range(3):
        event_for(item)
        event_for(other)
    assert drain.webhook_events_drain() == 6
    assert sorted(handled) == sorted([item.pk, other.pk])
    assert list(WebhookEvent.objects.values_list("attempts", flat=True)) == [1] * 6


def test_a_status_change_in_the_same_batch_is_seen_by_the_next_sync_update(item, handled):
    event_for(item)
    event_for(
        item,
        "ITEM",
        "USER_PERMISSION_REVOKED",
        extra={"error": {"error_code": "USER_PERMISSION_REVOKED"}},
    )
    after = event_for(item)
    assert drain.webhook_events_drain() == 3
    after.refresh_from_db()
    # The first sync update asked for a sync; the one after the revocation is ignored.
    assert handled == [item.pk]
    assert after.outcome == "ignored"


def test_overlapping_drains_never_process_an_event_twice(item, monkeypatch):
    events = [event_for(item) for _ in range(6)]
    runs = []

    def handler(item, payload):
        runs.append(len(runs))
        if len(runs) == 1:
            # A second drain (another worker) runs while the first is mid-batch: it takes
            # what is still pending, and the first then finds its remaining claims taken.
            drain.webhook_events_drain(batch=2)
        return "processed"

    monkeypatch.setattr(
        "banking.webhooks.handle.HANDLERS",
        {("TRANSACTIONS", "SYNC_UPDATES_AVAILABLE"): handler},
    )
    drain.webhook_events_drain(batch=4)
    assert len(runs) == len(events)
    assert list(WebhookEvent.objects.values_list("attempts", flat=True)) == [1] * len(events)
    assert set(WebhookEvent.objects.values_list("outcome", flat=True)) == {"processed"}


def test_a_failing_event_does_not_stop_the_drain_and_is_left_for_a_retry(item, monkeypatch):
    bad, good = event_for(item), event_for(item)

    def handler(event_item, payload):
        if len(calls) == 0:
            calls.append("boom")
            raise RuntimeError("plaid down")
        calls.append("ok")
        return "processed"

    calls = []
    monkeypatch.setattr(
        "banking.webhooks.handle.HANDLERS",
        {("TRANSACTIONS", "SYNC_UPDATES_AVAILABLE"): handler},
    )
    assert drain.webhook_events_drain() == 1
    bad.refresh_from_db()
    good.refresh_from_db()
    assert (bad.outcome, good.outcome) == ("pending", "processed")
    assert "plaid down" in bad.error
    # The next ordinary drain leaves it to its retry; the sweeper's drain takes it.
    assert drain.webhook_events_drain() == 0
    assert drain.webhook_events_drain(sweep=True) == 1
    bad.refresh_from_db()
    assert bad.outcome == "processed"
    assert bad.attempts == 2


def test_the_sweeper_drains_events_that_never_reached_a_worker(
    item, handled, django_capture_on_commit_callbacks
):
    event = event_for(item)
    WebhookEvent.objects.filter(pk=event.pk).update(
        received_at=timezone.now() - timedelta(minutes=5)
    )
    # Tasks run eagerly in tests: the sweeper's drain processes the event at once.
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.requeue_stale_webhook_events() == 1
    event.refresh_from_db()
    assert event.outcome == "processed"
    assert tasks.requeue_stale_webhook_events() == 0


def test_the_sweeper_retakes_the_claim_of_a_crashed_worker(
    item, handled, django_capture_on_commit_callbacks
):
    event = event_for(item, outcome="processing", attempts=1)
    WebhookEvent.objects.filter(pk=event.pk).update(
        claimed_at=timezone.now() - timedelta(minutes=30)
    )
    assert drain.webhook_events_drain() == 0  # not an ordinary drain's business
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.requeue_stale_webhook_events() == 1
    event.refresh_from_db()
    assert event.outcome == "processed"


def test_with_the_broker_down_the_event_waits_pending_and_the_next_delivery_tries_again(
    item, plaid_key, monkeypatch, django_capture_on_commit_callbacks
):
    attempts = []

    def dead_broker(task, *args, countdown=None):
        attempts.append(task.name)
        return False

    monkeypatch.setattr("banking.webhooks.drain.enqueue_on_commit", dead_broker)
    event = deliver(plaid_key, item, django_capture_on_commit_callbacks)
    assert event.outcome == "pending"
    assert cache.get(drain.DRAIN_KEY) is None
    deliver(plaid_key, item, django_capture_on_commit_callbacks)
    assert len(attempts) == 2


def test_process_webhook_event_still_processes_one_event(item, handled):
    event = event_for(item)
    assert tasks.process_webhook_event.delay(event.pk).get() == "processed"
    assert tasks.process_webhook_event.delay(event.pk).get() is None
    assert handled == [item.pk]


class Clock:
    def __init__(self):
        self.now = time.time()

    def __call__(self):
        return self.now


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def delayed_drains(monkeypatch, settings, clock):
    """Drains run DRAIN_DELAY_SECONDS after they are asked for, as with a real worker (tasks
    otherwise run at once in tests), and this process's drain window starts empty, on a clock
    the test moves. Returns the list of cache.add calls for the drain key."""
    settings.CELERY_TASK_ALWAYS_EAGER = False
    monkeypatch.setattr(drain, "drain_window", drain.DrainWindow(clock=clock))
    adds = []
    real_add = cache.add

    def add(key, *args, **kwargs):
        if key == drain.DRAIN_KEY:
            adds.append(key)
        return real_add(key, *args, **kwargs)

    monkeypatch.setattr(cache, "add", add)
    return adds


def test_deliveries_while_a_queued_drain_cannot_have_started_ask_redis_nothing(
    item, plaid_key, publishes, delayed_drains, clock, django_capture_on_commit_callbacks
):
    for _ in range(3):
        deliver(plaid_key, item, django_capture_on_commit_callbacks)
    assert publishes == ["banking.webhook_tasks.drain_webhook_events"]
    assert delayed_drains == [drain.DRAIN_KEY]  # one Redis call for three deliveries
    # Once the drain may have started, the next delivery asks again (and publishes anew, as
    # the drain deleted the key when it started).
    drain.webhook_events_drain()
    clock.now = drain.drain_window.covers_until + 0.01
    deliver(plaid_key, item, django_capture_on_commit_callbacks)
    assert len(publishes) == 2
    assert len(delayed_drains) == 2


def test_a_drain_queued_by_another_process_covers_this_ones_deliveries(
    item, plaid_key, publishes, delayed_drains, django_capture_on_commit_callbacks
):
    cache.set(drain.DRAIN_KEY, time.time(), 30)  # another web process queued a drain
    for _ in range(3):
        deliver(plaid_key, item, django_capture_on_commit_callbacks)
    assert publishes == []
    assert len(delayed_drains) == 1  # the first delivery read when it was asked for
    assert WebhookEvent.objects.filter(outcome="pending").count() == 3
