"""The sync outbox: one announcement per committed sync, delivered at least once to the hooks
registered through banking.outbox's public registry."""

from datetime import timedelta

import pytest
from celery import current_app
from django.utils import timezone

from banking import outbox, sync
from banking.models import SyncOutbox, SyncRun, Transaction

pytestmark = pytest.mark.django_db

CRASH_HOOK = "tests.crashing_hook"


@pytest.fixture
def crashing_hook():
    """A hook that raises while `state["crash"]` is true and counts the rows it saw."""
    state = {"crash": True, "seen": []}

    def hook(row):
        if state["crash"]:
            raise RuntimeError("the hook fell over")
        state["seen"].append(row.pk)

    outbox.outbox_hook_register(CRASH_HOOK, hook)
    yield state
    # The registry has no removal: the name stays, doing nothing, for the rest of the run.
    outbox.outbox_hook_register(CRASH_HOOK, lambda row: None)


def test_it_writes_one_row_per_sync_naming_the_rows_added(linked_item):
    run = sync.item_sync(item=linked_item, trigger="initial")

    row = SyncOutbox.objects.get()
    assert (row.item_id, row.run_id) == (linked_item.pk, run.pk)
    mine = Transaction.objects.filter(account__item=linked_item)
    assert row.added == sorted(mine.values_list("pk", flat=True))
    assert len(row.added) == run.added
    assert (row.modified, row.removed, row.delivered_at) == ([], [], None)


def test_it_names_removed_rows_by_plaids_id(linked_item, emulator, emu):
    sync.item_sync(item=linked_item, trigger="initial")
    before = set(Transaction.objects.values_list("transaction_id", flat=True))
    emu("POST", f"/emulator/items/{linked_item.item_id}/advance", {"days": 3})

    run = sync.item_sync(item=linked_item, trigger="webhook")

    row = SyncOutbox.objects.get(run=run)
    now = set(Transaction.objects.values_list("transaction_id", flat=True))
    assert set(row.removed) == before - now
    assert set(row.added).isdisjoint(row.modified)
    ours = set(Transaction.objects.values_list("pk", flat=True))
    assert set(row.added) | set(row.modified) <= ours


def test_it_names_the_rows_a_later_sync_added_and_modified_by_their_pks(linked_item, emu):
    sync.item_sync(item=linked_item, trigger="initial")
    before = dict(Transaction.objects.values_list("transaction_id", "pk"))
    emu("POST", f"/emulator/items/{linked_item.item_id}/advance", {"days": 20})

    run = sync.item_sync(item=linked_item, trigger="webhook")

    row = SyncOutbox.objects.get(run=run)
    now = dict(Transaction.objects.values_list("transaction_id", "pk"))
    assert row.added == sorted(pk for t_id, pk in now.items() if t_id not in before)
    assert row.modified, "twenty days at the emulator correct some posted rows"
    assert len(row.modified) == run.modified
    assert set(row.modified) <= {pk for t_id, pk in now.items() if t_id in before}


def test_a_failed_sync_writes_no_row(linked_item, emu):
    emu("POST", f"/emulator/items/{linked_item.item_id}/reset_login", {})

    with pytest.raises(sync.SyncFailed):
        sync.item_sync(item=linked_item, trigger="daily")

    assert SyncRun.objects.get().outcome == "failed"
    assert not SyncOutbox.objects.exists()


def test_it_is_delivered_only_once_the_sync_commits(
    linked_item, crashing_hook, django_capture_on_commit_callbacks
):
    crashing_hook["crash"] = False
    with django_capture_on_commit_callbacks() as callbacks:
        sync.item_sync(item=linked_item, trigger="initial")
        row = SyncOutbox.objects.get()
        assert crashing_hook["seen"] == []

    for callback in callbacks:
        callback()  # the commit: the (eager) delivery task runs

    row.refresh_from_db()
    assert crashing_hook["seen"] == [row.pk]
    assert row.delivered_at is not None and row.attempts == 1


def test_delivering_twice_changes_nothing_more(linked_item, crashing_hook):
    crashing_hook["crash"] = False
    sync.item_sync(item=linked_item, trigger="initial")
    row = SyncOutbox.objects.get()

    assert outbox.outbox_deliver(outbox_id=row.pk) == "delivered"
    row.refresh_from_db()
    first = (row.delivered_at, row.attempts)

    assert outbox.outbox_deliver(outbox_id=row.pk) == "skipped"
    assert outbox.outbox_deliver_pending(older_than_seconds=0) == 0
    row.refresh_from_db()
    assert (row.delivered_at, row.attempts) == first
    assert crashing_hook["seen"] == [row.pk]


def test_a_row_whose_hook_crashed_is_delivered_again_by_the_sweeper(linked_item, crashing_hook):
    sync.item_sync(item=linked_item, trigger="initial")
    row = SyncOutbox.objects.get()

    assert outbox.outbox_deliver(outbox_id=row.pk) == "failed"
    row.refresh_from_db()
    assert row.delivered_at is None
    assert row.last_error == f"{CRASH_HOOK}: RuntimeError"

    crashing_hook["crash"] = False
    current_app.tasks["banking.tasks.outbox_sweep"].apply()  # too recent for the sweeper
    assert crashing_hook["seen"] == []
    SyncOutbox.objects.filter(pk=row.pk).update(created_at=timezone.now() - timedelta(minutes=2))
    current_app.tasks["banking.tasks.outbox_sweep"].apply()

    row.refresh_from_db()
    assert row.delivered_at is not None
    assert (row.attempts, row.last_error) == (2, "")
    assert crashing_hook["seen"] == [row.pk]


def test_a_second_worker_leaves_a_claimed_row_alone_until_its_lease_runs_out(
    linked_item, crashing_hook
):
    crashing_hook["crash"] = False
    sync.item_sync(item=linked_item, trigger="initial")
    row = SyncOutbox.objects.get()
    SyncOutbox.objects.filter(pk=row.pk).update(claimed_at=timezone.now(), attempts=1)

    assert outbox.outbox_deliver(outbox_id=row.pk) == "skipped"
    assert crashing_hook["seen"] == []

    # The first worker died holding the claim.
    lost = timezone.now() - timedelta(seconds=outbox.CLAIM_LEASE_SECONDS + 1)
    SyncOutbox.objects.filter(pk=row.pk).update(claimed_at=lost)
    assert outbox.outbox_deliver(outbox_id=row.pk) == "delivered"
    assert crashing_hook["seen"] == [row.pk]


def test_both_outbox_tasks_are_registered_under_their_pinned_names():
    assert {"banking.tasks.outbox_deliver", "banking.tasks.outbox_sweep"} <= set(current_app.tasks)


def test_delivered_rows_are_pruned_with_the_logs_and_undelivered_ones_kept(
    linked_item, emu, settings
):
    settings.LOG_RETENTION_DAYS = 90
    sync.item_sync(item=linked_item, trigger="initial")
    emu("POST", f"/emulator/items/{linked_item.item_id}/advance", {"days": 1})
    sync.item_sync(item=linked_item, trigger="webhook")
    old, undelivered = SyncOutbox.objects.order_by("pk")
    SyncOutbox.objects.filter(pk=old.pk).update(delivered_at=timezone.now() - timedelta(days=91))
    SyncOutbox.objects.filter(pk=undelivered.pk).update(
        created_at=timezone.now() - timedelta(days=91)
    )

    counts = current_app.tasks["banking.tasks.prune_logs"].apply().get()

    assert counts["sync_outbox"] == 1
    assert list(SyncOutbox.objects.values_list("pk", flat=True)) == [undelivered.pk]
