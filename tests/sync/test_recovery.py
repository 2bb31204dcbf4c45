"""Nothing dropped on recovery: stuck runs, lost removals, token rotation, and retention."""

import time
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from accounts.models import SecurityEvent
from banking import plaid as plaid_api
from banking import removal, retention, schedule, sync, tasks
from banking.models import LinkSession, PlaidItem, StaffAccessLog, SyncOutbox, SyncRun
from tests.emulator_client import add_fault

from .conftest import emulator_truth, our_rows


def stuck_run(item, *, rerun_requested):
    old = timezone.now() - timedelta(hours=1)
    return SyncRun.objects.create(
        item=item, trigger="daily", heartbeat_at=old, rerun_requested=rerun_requested
    )


def test_a_request_coalesced_into_a_run_whose_worker_died_is_not_dropped(
    linked_item, emulator, django_capture_on_commit_callbacks
):
    stuck_run(linked_item, rerun_requested=True)  # a webhook arrived while it "ran"

    with django_capture_on_commit_callbacks(execute=True):
        assert sync.sync_runs_reclaim_stuck(older_than_seconds=600) == 1

    assert SyncRun.objects.filter(item=linked_item, outcome="success").count() == 1
    assert our_rows(linked_item) == emulator_truth(emulator, linked_item.item_id)


def test_a_stuck_run_nobody_waits_for_is_left_to_the_dispatcher(
    linked_item, django_capture_on_commit_callbacks
):
    stuck_run(linked_item, rerun_requested=False)

    with django_capture_on_commit_callbacks() as callbacks:
        assert sync.sync_runs_reclaim_stuck(older_than_seconds=600) == 1
        assert sync.sync_runs_reclaim_stuck(older_than_seconds=600) == 0

    assert callbacks == []


def test_a_daily_request_made_before_a_successful_sync_is_dropped_by_the_worker(linked_item):
    asked = timezone.now()
    sync.item_sync(item=linked_item, trigger="manual")

    outcome = tasks.sync_item.apply((linked_item.pk, "daily", asked.timestamp())).get()

    assert outcome == "SyncNotNeeded"
    assert list(SyncRun.objects.filter(item=linked_item).values_list("trigger", flat=True)) == [
        "manual"
    ]


def test_a_daily_request_made_after_the_last_sync_still_syncs(linked_item):
    sync.item_sync(item=linked_item, trigger="manual")
    asked = timezone.now()

    assert tasks.sync_item.apply((linked_item.pk, "daily", asked.timestamp())).get() == "success"


def test_a_daily_request_while_a_sync_runs_asks_for_no_second_pass(linked_item):
    running = SyncRun.objects.create(
        item=linked_item, trigger="webhook", heartbeat_at=timezone.now()
    )

    assert sync.sync_request(item=linked_item, trigger="daily") == "coalesced"
    with pytest.raises(sync.SyncInProgress):
        sync.item_sync(item=linked_item, trigger="daily")

    running.refresh_from_db()
    assert not running.rerun_requested


def test_a_daily_request_lost_with_its_message_is_asked_again_once_the_lease_runs_out(
    linked_item, settings, django_capture_on_commit_callbacks
):
    settings.DISPATCH_LEASE_SECONDS = 1
    with django_capture_on_commit_callbacks():  # the message is never sent: "lost"
        assert sync.sync_request(item=linked_item, trigger="daily") == "queued"
        assert sync.sync_request(item=linked_item, trigger="daily") == "coalesced"
        time.sleep(1.2)
        assert sync.sync_request(item=linked_item, trigger="daily") == "queued"


def test_a_successful_sync_commits_a_next_daily_slot_at_least_half_a_day_away(linked_item):
    PlaidItem.objects.filter(pk=linked_item.pk).update(
        next_refresh_at=timezone.now() - timedelta(minutes=1)  # claimed, lease run out
    )

    sync.item_sync(item=linked_item, trigger="daily")

    linked_item.refresh_from_db()
    synced = linked_item.last_successful_sync_at
    assert linked_item.next_refresh_at == schedule.daily_slot_after_sync(
        linked_item.item_id, synced_at=synced
    )
    assert linked_item.next_refresh_at >= synced + timedelta(hours=12)


def test_a_sync_racing_a_token_rotation_uses_the_new_token_and_keeps_the_item(linked_item):
    # The sync loaded the item before rotate_plaid_access_tokens replaced its token.
    before_rotation = PlaidItem.objects.get(pk=linked_item.pk)
    new_token = plaid_api.access_token_invalidate(linked_item)
    PlaidItem.objects.filter(pk=linked_item.pk).update(access_token=new_token)

    run = sync.item_sync(item=before_rotation, trigger="daily")

    assert run.outcome == "success"
    assert PlaidItem.objects.get(pk=linked_item.pk).status == PlaidItem.Status.HEALTHY
    assert mail.outbox == []


def test_a_really_revoked_token_still_marks_the_item_revoked(linked_item, emulator):
    add_fault(emulator, "/transactions/sync", "INVALID_ACCESS_TOKEN", times=1)

    with pytest.raises(sync.SyncFailed):
        sync.item_sync(item=linked_item, trigger="daily")

    assert PlaidItem.objects.get(pk=linked_item.pk).status == PlaidItem.Status.REVOKED


def test_the_sweeper_retries_a_removal_whose_retry_was_lost_after_its_backoff(
    linked_item, emulator, django_capture_on_commit_callbacks
):
    add_fault(emulator, "/item/remove", "INTERNAL_SERVER_ERROR", times=1)
    # The retry task is captured and never run: the broker was down too.
    with django_capture_on_commit_callbacks():
        assert removal.item_remove(item=linked_item) is False
    now = timezone.now()

    assert removal.items_removal_sweep(now=now) == 0  # still inside its backoff
    assert removal.items_removal_sweep(now=now + timedelta(minutes=2)) == 1

    assert not PlaidItem.objects.exists()


def test_the_sweeper_tells_staff_once_and_keeps_trying_daily(
    linked_item, emulator, settings, django_capture_on_commit_callbacks
):
    settings.ADMINS = [("Staff", "staff@example.com")]
    add_fault(emulator, "/item/remove", "INTERNAL_SERVER_ERROR")
    PlaidItem.objects.filter(pk=linked_item.pk).update(
        status=PlaidItem.Status.REMOVING, removal_attempts=removal.REMOVAL_MAX_ATTEMPTS - 1
    )
    now = timezone.now()

    with django_capture_on_commit_callbacks() as callbacks:
        for day in range(1, 4):
            removal.items_removal_sweep(now=now + timedelta(days=day, minutes=day))

    item = PlaidItem.objects.get(pk=linked_item.pk)
    assert item.removal_attempts == removal.REMOVAL_MAX_ATTEMPTS + 2
    assert len(mail.outbox) == 1 and linked_item.item_id in mail.outbox[0].body
    assert callbacks == []  # past the limit only the sweeper retries


def test_retention_prunes_each_kind_after_its_age_and_keeps_what_is_live(
    linked_item, alice, settings
):
    settings.SYNC_RUN_RETENTION_DAYS = 30
    settings.LINK_SESSION_RETENTION_DAYS = 7
    settings.STAFF_ACCESS_LOG_RETENTION_DAYS = 60
    settings.SECURITY_EVENT_RETENTION_DAYS = 60
    now = timezone.now()
    old_run = SyncRun.objects.create(item=linked_item, trigger="daily", outcome="success")
    announced = SyncRun.objects.create(item=linked_item, trigger="daily", outcome="success")
    SyncOutbox.objects.create(item=linked_item, run=announced)
    running = SyncRun.objects.create(item=linked_item, trigger="daily")
    SyncRun.objects.filter(pk__in=[old_run.pk, announced.pk, running.pk]).update(
        started_at=now - timedelta(days=31)
    )
    fresh = SyncRun.objects.create(item=linked_item, trigger="daily", outcome="success")
    LinkSession.objects.create(user=alice, link_token="old", expires_at=now)
    LinkSession.objects.filter(link_token="old").update(created_at=now - timedelta(days=8))
    LinkSession.objects.create(user=alice, link_token="new", expires_at=now)
    StaffAccessLog.objects.create(subject=alice, what="old", path="/admin/")
    StaffAccessLog.objects.update(created_at=now - timedelta(days=61))
    StaffAccessLog.objects.create(subject=alice, what="new", path="/admin/")
    SecurityEvent.objects.create(user=alice, kind="signed_in", created_at=now - timedelta(days=61))
    SecurityEvent.objects.create(user=alice, kind="signed_in")

    counts = retention.logs_prune()

    assert counts["sync_runs"] == 1
    assert set(SyncRun.objects.values_list("pk", flat=True)) == {announced.pk, running.pk, fresh.pk}
    assert list(LinkSession.objects.values_list("link_token", flat=True)) == ["new"]
    assert list(StaffAccessLog.objects.values_list("what", flat=True)) == ["new"]
    assert SecurityEvent.objects.count() == 1
    assert (counts["link_sessions"], counts["staff_access_logs"], counts["security_events"]) == (
        1,
        1,
        1,
    )
