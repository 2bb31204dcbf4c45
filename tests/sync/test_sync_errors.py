"""Errors: status changes, one notice per change, retries with backoff, isolation of items."""

import pytest
from django.core import mail

from banking import plaid as plaid_api
from banking import sync, tasks
from banking.health import status as item_status
from banking.models import PlaidItem, SyncRun

from .conftest import banner, emulator_truth, our_rows


def test_login_required_marks_the_item_and_tells_the_owner_once(
    linked_item, emulator, emu, django_capture_on_commit_callbacks
):
    emu("POST", f"/emulator/items/{linked_item.item_id}/reset_login", {})

    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(2):
            with pytest.raises(sync.SyncFailed) as failed:
                sync.item_sync(item=linked_item, trigger="daily")
            assert failed.value.retryable is False
        # The webhook about the same state says nothing new.
        changed = item_status.item_set_status(
            item=linked_item,
            status="login_required",
            error_code="ITEM_LOGIN_REQUIRED",
            source="webhook",
        )

    assert changed is False

    linked_item.refresh_from_db()
    assert linked_item.status == PlaidItem.Status.LOGIN_REQUIRED
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["alice@example.com"]
    assert "sign in again" in mail.outbox[0].subject
    assert f"/banks/{linked_item.public_id}/reconnect/" in mail.outbox[0].body
    assert "Reconnect" in banner(linked_item)


def test_a_sync_that_succeeds_after_a_failure_makes_the_item_healthy(linked_item, emulator, emu):
    emu("POST", f"/emulator/items/{linked_item.item_id}/reset_login", {})
    with pytest.raises(sync.SyncFailed):
        sync.item_sync(item=linked_item, trigger="daily")
    emulator.emu.store.items[linked_item.item_id].error = None  # the user signed in again

    run = sync.item_sync(item=linked_item, trigger="manual")

    linked_item.refresh_from_db()
    assert run.outcome == "success"
    assert linked_item.status == PlaidItem.Status.HEALTHY
    assert linked_item.error_code == ""
    assert banner(linked_item) == ""


def test_a_removed_item_is_marked_revoked(linked_item, emulator):
    plaid_api.item_remove(linked_item)  # gone at Plaid: ITEM_NOT_FOUND from now on

    with pytest.raises(sync.SyncFailed):
        sync.item_sync(item=linked_item, trigger="daily")

    linked_item.refresh_from_db()
    assert linked_item.status == PlaidItem.Status.REVOKED
    assert sync.sync_request(item=linked_item, trigger="webhook") == "ignored"
    with pytest.raises(sync.SyncNotAllowed):
        sync.item_sync(item=linked_item, trigger="daily")


def test_a_transient_error_is_retried_with_backoff_until_it_succeeds(
    linked_item, emulator, emu, settings, monkeypatch, eager_retries
):
    settings.SYNC_MAX_RETRIES = 3
    delays = []
    monkeypatch.setattr(tasks, "retry_delay", lambda n: delays.append(n) or 0)
    emu(
        "POST",
        "/emulator/faults",
        {"path": "/transactions/sync", "error_code": "INTERNAL_SERVER_ERROR", "times": 2},
    )

    tasks.sync_item.apply((linked_item.pk, "webhook"))

    outcomes = list(
        SyncRun.objects.filter(item=linked_item)
        .order_by("started_at")
        .values_list("outcome", flat=True)
    )
    assert outcomes == ["retrying", "retrying", "success"]
    assert delays == [0, 1]
    assert our_rows(linked_item) == emulator_truth(emulator, linked_item.item_id)


def test_retries_are_bounded_and_then_the_item_shows_trouble(
    linked_item, emulator, emu, settings, eager_retries
):
    settings.SYNC_MAX_RETRIES = 2
    settings.SYNC_RETRY_BASE_SECONDS = 0
    emu(
        "POST", "/emulator/faults", {"path": "/transactions/sync", "error_code": "INSTITUTION_DOWN"}
    )

    tasks.sync_item.apply((linked_item.pk, "daily"))

    assert SyncRun.objects.filter(item=linked_item).count() == 3
    linked_item.refresh_from_db()
    assert linked_item.status == PlaidItem.Status.ERROR
    assert linked_item.error_code == "INSTITUTION_DOWN"


def test_the_retry_delay_grows_exponentially_with_jitter_and_a_cap(settings):
    settings.SYNC_RETRY_BASE_SECONDS = 60
    settings.SYNC_RETRY_MAX_SECONDS = 3600
    for n, ceiling in [(0, 60), (1, 120), (3, 480), (10, 3600)]:
        samples = [tasks.retry_delay(n) for _ in range(200)]
        assert all(ceiling / 2 <= s <= ceiling for s in samples)
        assert len(set(samples)) > 100  # jittered, not fixed


def test_one_item_answering_500s_does_not_hold_up_the_others(
    alice,
    plaid_settings,
    emulator,
    emu,
    settings,
    eager_retries,
    django_capture_on_commit_callbacks,
):
    from banking import link

    settings.SYNC_MAX_RETRIES = 1
    settings.SYNC_RETRY_BASE_SECONDS = 0
    items = [
        link.item_link(
            user=alice, public_token=plaid_api.sandbox_public_token_create(inst), metadata=None
        )
        for inst in ("ins_109508", "ins_109509", "ins_127287")
    ]
    bad = items[1]
    emu(
        "POST",
        "/emulator/faults",
        {
            "path": "/transactions/sync",
            "error_code": "INTERNAL_SERVER_ERROR",
            "item_id": bad.item_id,
        },
    )

    PlaidItem.objects.update(next_refresh_at=None)  # all due now

    with django_capture_on_commit_callbacks(execute=True):
        tasks.refresh_all_items.apply()

    for item in items:
        item.refresh_from_db()
    for good in (items[0], items[2]):
        assert good.status == PlaidItem.Status.HEALTHY
        assert our_rows(good) == emulator_truth(emulator, good.item_id)
        assert SyncRun.objects.get(item=good).trigger == "daily"
    assert bad.status == PlaidItem.Status.ERROR
    assert not our_rows(bad)
