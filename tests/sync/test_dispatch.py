"""The daily refresh and health check: a dispatcher over due times, bounded and idempotent."""

import threading
from datetime import UTC, datetime, timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.utils import timezone

from banking import dispatch, schedule
from banking.models import PlaidItem, SyncRun
from banking.sync.service import BULK_QUEUED_KEY

from .conftest import emulator_truth, our_rows


def bulk_items(emu, user, count):
    """`count` complete emulator items stored as ours, all due now (as after the upgrade)."""
    made = emu("POST", "/emulator/items/bulk", {"count": count, "days_requested": 1})["items"]
    return [
        PlaidItem.objects.create(user=user, item_id=i["item_id"], access_token=i["access_token"])
        for i in made
    ]


def daily_runs(item):
    return SyncRun.objects.filter(item=item, trigger="daily").count()


def test_it_gives_each_item_a_stable_slot_spread_over_the_day(settings):
    settings.DAILY_WINDOW_START_SECONDS, settings.DAILY_WINDOW_SECONDS = 0, 24 * 3600
    now = datetime(2026, 12, 2, 10, 30, tzinfo=UTC)

    slots = [schedule.daily_slot(f"item-{n}", after=now) for n in range(2400)]

    assert all(now < slot <= now + timedelta(days=1) for slot in slots)
    assert schedule.daily_slot("item-7", after=now) == slots[7]
    per_hour = [sum(1 for s in slots if s.hour == hour) for hour in range(24)]
    assert min(per_hour) > 50 and max(per_hour) < 150  # about 100 an hour
    # The health check has its own spread, independent of the sync's.
    assert schedule.daily_slot("item-7", after=now, kind=schedule.HEALTH) != slots[7]


def test_it_keeps_slots_inside_a_configured_window(settings):
    settings.DAILY_WINDOW_START_SECONDS, settings.DAILY_WINDOW_SECONDS = 2 * 3600, 3600
    now = datetime(2026, 12, 2, 10, 0, tzinfo=UTC)

    slots = [schedule.daily_slot(f"item-{n}", after=now) for n in range(200)]

    assert {(s.date().day, s.hour) for s in slots} == {(3, 2)}


def test_linking_puts_the_item_on_its_daily_slots(linked_item):
    now = timezone.now()

    assert now < linked_item.next_refresh_at <= now + timedelta(days=1)
    assert now < linked_item.next_health_check_at <= now + timedelta(days=1)


def test_the_dispatcher_syncs_due_items_only_then_moves_them_to_their_next_slot(
    alice, emu, emulator, plaid_settings, django_capture_on_commit_callbacks
):
    due, later = bulk_items(emu, alice, 2)
    tomorrow = timezone.now() + timedelta(hours=20)
    PlaidItem.objects.filter(pk=later.pk).update(next_refresh_at=tomorrow)

    with django_capture_on_commit_callbacks(execute=True):
        assert dispatch.items_dispatch_due() == 1

    assert (daily_runs(due), daily_runs(later)) == (1, 0)
    assert our_rows(due) == emulator_truth(emulator, due.item_id)
    due.refresh_from_db()
    assert due.next_refresh_at == schedule.daily_slot(
        due.item_id, after=due.next_refresh_at - timedelta(days=1)
    )
    assert due.next_refresh_at > timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        assert dispatch.items_dispatch_due() == 0  # nothing due any more
    assert daily_runs(due) == 1


def test_the_dispatcher_starts_no_more_than_its_budget_per_minute(
    alice, emu, plaid_settings, settings, django_capture_on_commit_callbacks
):
    settings.DISPATCH_SYNCS_PER_MINUTE = 3
    bulk_items(emu, alice, 5)
    now = timezone.now()

    with django_capture_on_commit_callbacks() as callbacks:
        first = dispatch.items_dispatch_due(now=now)
        again = dispatch.items_dispatch_due(now=now)  # a second pass in the same minute
        next_minute = dispatch.items_dispatch_due(now=now + timedelta(minutes=1))

    assert (first, again, next_minute) == (3, 0, 2)
    assert len(callbacks) == 5  # one enqueue per item, never two


def test_it_skips_items_that_cannot_sync_and_puts_them_on_tomorrow(
    alice, emu, plaid_settings, django_capture_on_commit_callbacks
):
    (item,) = bulk_items(emu, alice, 1)
    PlaidItem.objects.filter(pk=item.pk).update(status=PlaidItem.Status.LOGIN_REQUIRED)

    with django_capture_on_commit_callbacks() as callbacks:
        assert dispatch.items_dispatch_due() == 0

    assert callbacks == []
    item.refresh_from_db()
    assert item.next_refresh_at > timezone.now()


def test_a_claimed_item_whose_sync_was_lost_comes_due_again_after_the_lease(
    alice, emu, plaid_settings, settings, django_capture_on_commit_callbacks
):
    settings.DISPATCH_LEASE_SECONDS = 600
    (item,) = bulk_items(emu, alice, 1)
    now = timezone.now()

    # The enqueue is captured and dropped: the broker lost the message.
    with django_capture_on_commit_callbacks():
        assert dispatch.items_dispatch_due(now=now) == 1
    assert dispatch.items_dispatch_due(now=now + timedelta(minutes=5)) == 0
    cache.delete(
        BULK_QUEUED_KEY.format(item.pk)
    )  # its queued marker expires (10 min) in the meantime

    with django_capture_on_commit_callbacks(execute=True):
        assert dispatch.items_dispatch_due(now=now + timedelta(minutes=11)) == 1
    assert daily_runs(item) == 1


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_dispatchers_never_sync_an_item_twice(alice, emu, plaid_settings):
    items = bulk_items(emu, alice, 12)
    start = threading.Barrier(2)
    asked = []

    def run():
        try:
            start.wait()
            asked.append(dispatch.items_dispatch_due())
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)

    assert sum(asked) == 12
    assert [daily_runs(item) for item in items] == [1] * 12
    assert SyncRun.objects.filter(trigger="daily", outcome="success").count() == 12


def test_the_health_check_checks_a_bounded_batch_of_due_items(alice, emu, plaid_settings, settings):
    settings.HEALTH_CHECKS_PER_MINUTE = 2
    items = bulk_items(emu, alice, 3)
    now = timezone.now()

    first = dispatch.items_check_health_due(now=now)
    second = dispatch.items_check_health_due(now=now + timedelta(minutes=1))
    third = dispatch.items_check_health_due(now=now + timedelta(minutes=2))

    assert (sum(first.values()), sum(second.values()), sum(third.values())) == (2, 1, 0)
    for item in items:
        item.refresh_from_db()
        assert item.next_health_check_at > now
