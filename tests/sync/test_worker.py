"""A real Celery worker (and beat) in another process, against Redis and the test database."""

import json
import time
from pathlib import Path

import pytest
from django.utils import timezone

from banking import dispatch, link, sync, tasks
from banking import plaid as plaid_api
from banking.models import PlaidItem, SyncOutbox, SyncRun
from config.celery import app
from tests.emulator_client import emulator_call
from tests.workers import worker_starter

from .conftest import emulator_truth, our_rows

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def start_worker(plaid_settings, emulator, tmp_path):
    with worker_starter(
        emulator_url=emulator.url,
        log_dir=tmp_path,
        prefix="test-sync",
        SYNC_RETRY_BASE_SECONDS="0.2",
    ) as start:
        yield start


@pytest.fixture
def worker_queue(start_worker):
    """Tasks published by this test go to a queue only our worker consumes."""
    return start_worker.queue


def wait_for(predicate, timeout=60, what="condition", logs=None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    detail = "".join(p.read_text()[-3000:] for p in (logs or []))
    raise AssertionError(f"timed out waiting for {what}\n{detail}")


def test_a_real_worker_runs_the_first_sync_and_a_webhook_sync(
    alice, start_worker, emulator, tmp_path
):
    start_worker()
    public_token = plaid_api.sandbox_public_token_create("ins_109508")
    item = link.item_link(user=alice, public_token=public_token, metadata=None)  # enqueues
    logs = list(tmp_path.glob("worker-*.log"))

    wait_for(
        lambda: SyncRun.objects.filter(item=item, outcome="success").exists(),
        what="the initial sync",
        logs=logs,
    )
    assert our_rows(item) == emulator_truth(emulator, item.item_id)

    emulator_call(emulator, "POST", f"/emulator/items/{item.item_id}/advance", {"days": 2})
    item.refresh_from_db()
    assert sync.sync_request(item=item, trigger="webhook") == "queued"
    wait_for(
        lambda: SyncRun.objects.filter(item=item, trigger="webhook", outcome="success").exists(),
        what="the webhook sync",
        logs=logs,
    )
    assert our_rows(item) == emulator_truth(emulator, item.item_id)


def test_a_real_worker_delivers_the_announcement_of_a_sync(alice, start_worker, tmp_path):
    start_worker()
    public_token = plaid_api.sandbox_public_token_create("ins_109508")
    item = link.item_link(user=alice, public_token=public_token, metadata=None)  # enqueues

    wait_for(
        lambda: SyncOutbox.objects.filter(item=item, delivered_at__isnull=False).exists(),
        what="the sync's outbox row to be delivered",
        logs=list(tmp_path.glob("worker-*.log")),
    )
    row = SyncOutbox.objects.get(item=item)
    assert row.run.outcome == "success"
    assert (row.attempts, row.last_error) == (1, "")
    assert len(row.added) == row.run.added > 0


def test_beat_fires_the_dispatcher_in_a_real_worker(
    alice, start_worker, emulator, tmp_path, worker_queue
):
    from django_celery_beat.models import IntervalSchedule, PeriodicTask

    # Linked and synced in this process first (eager), then new activity at the bank.
    app.conf.task_always_eager = True
    item = link.item_link(
        user=alice,
        public_token=plaid_api.sandbox_public_token_create("ins_109508"),
        metadata=None,
    )
    sync.item_sync(item=item, trigger="initial")
    app.conf.task_always_eager = False
    emulator_call(emulator, "POST", f"/emulator/items/{item.item_id}/advance", {"days": 3})
    PlaidItem.objects.filter(pk=item.pk).update(next_refresh_at=timezone.now())
    every_second, _ = IntervalSchedule.objects.get_or_create(every=1, period="seconds")
    PeriodicTask.objects.create(
        name="dispatch soon", task="banking.tasks.dispatch_due_syncs", interval=every_second
    )

    start_worker("-B", "-s", str(tmp_path / "beat-schedule"), queues=None)
    logs = list(tmp_path.glob("worker-*.log"))

    wait_for(
        lambda: SyncRun.objects.filter(item=item, trigger="daily", outcome="success").exists(),
        what="a sync started by beat",
        logs=logs,
    )
    assert our_rows(item) == emulator_truth(emulator, item.item_id)
    assert PlaidItem.objects.get(pk=item.pk).status == "healthy"
    # Beat fired every second, but the item was claimed once and is now on tomorrow's slot.
    assert SyncRun.objects.filter(item=item, trigger="daily").count() == 1
    assert PlaidItem.objects.get(pk=item.pk).next_refresh_at > timezone.now()


def test_a_click_is_served_while_the_bulk_queue_is_backed_up(
    alice, start_worker, emu, worker_queue, tmp_path
):
    # A daily run with nobody consuming the bulk queue: its syncs pile up there.
    made = emu("POST", "/emulator/items/bulk", {"count": 30, "days_requested": 1})["items"]
    for i in made:
        PlaidItem.objects.create(user=alice, item_id=i["item_id"], access_token=i["access_token"])
    assert dispatch.items_dispatch_due() == 30
    clicked = PlaidItem.objects.get(item_id=made[0]["item_id"])
    start_worker(queues=(worker_queue,))  # the user-facing worker only

    tasks.refresh_item.delay(clicked.pk)

    wait_for(
        lambda: SyncRun.objects.filter(item=clicked, trigger="manual", outcome="success").exists(),
        what="the click's sync",
        logs=list(tmp_path.glob("worker-*.log")),
    )
    assert not SyncRun.objects.filter(trigger="daily").exists()
    with app.connection_or_acquire() as conn:
        assert conn.default_channel.client.llen(f"{worker_queue}-bulk") == 30
        conn.default_channel.client.delete(f"{worker_queue}-bulk")


def queued_task_names(queue):
    with app.connection_or_acquire() as conn:
        messages = conn.default_channel.client.lrange(queue, 0, -1)
    return [json.loads(m)["headers"]["task"] for m in messages]


@pytest.mark.parametrize(
    ("trigger", "lands_on_bulk"), [("daily", True), ("manual", False), ("webhook", False)]
)
def test_a_daily_syncs_reactions_queue_behind_daily_syncs_and_a_persons_do_not(
    alice, emu, worker_queue, plaid_settings, trigger, lands_on_bulk
):
    made = emu("POST", "/emulator/items/bulk", {"count": 1, "days_requested": 1})["items"][0]
    item = PlaidItem.objects.create(
        user=alice, item_id=made["item_id"], access_token=made["access_token"]
    )

    sync.item_sync(item=item, trigger=trigger)  # in this process; no worker consumes the queues

    bulk, user = (queued_task_names(q) for q in (f"{worker_queue}-bulk", worker_queue))
    delivery = "banking.tasks.outbox_deliver"
    assert (delivery in bulk, delivery in user) == (lands_on_bulk, not lands_on_bulk)
