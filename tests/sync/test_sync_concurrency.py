"""One sync per item: a second one is refused by the claim and coalesced, never run twice."""

import threading
import time
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from banking import sync
from banking.models import SyncPage, SyncRun, Transaction
from banking.sync.apply import apply_staged

from .conftest import emulator_truth, our_rows


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_syncs_of_one_item_make_no_duplicates(linked_item, emulator, emu):
    # Slow pages keep the first sync running while the second one tries to start.
    emu("POST", "/emulator/faults", {"path": "/transactions/sync", "latency_ms": 150})
    start = threading.Barrier(2)
    results = []

    def run():
        try:
            start.wait()
            results.append(sync.item_sync(item=linked_item, trigger="webhook").outcome)
        except sync.SyncInProgress:
            results.append("coalesced")
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)

    assert sorted(results) == ["coalesced", "success"]
    truth = emulator_truth(emulator, linked_item.item_id)
    assert our_rows(linked_item) == truth
    assert Transaction.objects.filter(account__item=linked_item).count() == len(truth)
    # (The fixture's link already ran the initial sync: on_commit fires with transaction=True.)
    runs = list(SyncRun.objects.filter(item=linked_item).order_by("started_at"))
    assert [r.outcome for r in runs] == ["success"] * 3
    # The coalesced request became one more pass, after the first: runs never overlap.
    assert runs[1].rerun_requested is True
    for earlier, later in zip(runs, runs[1:]):
        assert earlier.finished_at <= later.started_at


def test_a_request_during_a_running_sync_is_coalesced(
    linked_item, django_capture_on_commit_callbacks
):
    SyncRun.objects.create(item=linked_item, trigger="daily")

    with django_capture_on_commit_callbacks() as callbacks:
        outcome = sync.sync_request(item=linked_item, trigger="webhook")

    assert outcome == "coalesced"
    assert callbacks == []
    assert SyncRun.objects.get(item=linked_item).rerun_requested is True
    with pytest.raises(sync.SyncInProgress):
        sync.item_sync(item=linked_item, trigger="manual")


def test_requests_before_the_worker_starts_enqueue_one_task(
    linked_item, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        outcomes = [sync.sync_request(item=linked_item, trigger="webhook") for _ in range(3)]

    assert outcomes == ["queued", "coalesced", "coalesced"]
    assert len(callbacks) == 1


@pytest.mark.django_db(transaction=True)
def test_a_rerun_requested_during_a_sync_follows_it(linked_item, emulator, emu):
    # Slow pages keep the sync running while a webhook asks for another.
    emu("POST", f"/emulator/items/{linked_item.item_id}/transactions", {"count": 1200})
    emu("POST", "/emulator/faults", {"path": "/transactions/sync", "latency_ms": 300})
    before = SyncRun.objects.filter(item=linked_item).count()
    results = []

    def run():
        try:
            results.append(sync.item_sync(item=linked_item, trigger="webhook").outcome)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    deadline = time.monotonic() + 30
    while not SyncRun.objects.filter(item=linked_item, outcome="running").exists():
        assert time.monotonic() < deadline, "the sync never started"
        time.sleep(0.02)
    emu("POST", f"/emulator/items/{linked_item.item_id}/transactions", {"count": 5})
    assert sync.sync_request(item=linked_item, trigger="webhook") == "coalesced"
    thread.join(60)

    assert results == ["success"]
    # The follow-up pass ran and picked up what arrived during the first one.
    runs = SyncRun.objects.filter(item=linked_item).order_by("started_at")[before:]
    assert [r.outcome for r in runs] == ["success", "success"]
    assert runs[0].rerun_requested is True
    assert our_rows(linked_item) == emulator_truth(emulator, linked_item.item_id)


def test_a_stuck_run_is_reclaimed_and_cannot_apply_afterwards(linked_item):
    old = timezone.now() - timedelta(hours=1)
    stuck = SyncRun.objects.create(item=linked_item, trigger="daily", heartbeat_at=old)
    SyncPage.objects.create(run=stuck, seq=0, payload="{}")

    assert sync.sync_runs_reclaim_stuck(older_than_seconds=600) == 1

    stuck.refresh_from_db()
    assert stuck.outcome == "failed" and stuck.error_code == "STUCK"
    assert not SyncPage.objects.exists()
    with pytest.raises(sync.SyncAborted):
        apply_staged(linked_item, stuck, "", "cursor", "", {})
