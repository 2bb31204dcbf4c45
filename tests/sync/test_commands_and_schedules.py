"""Management commands and the default beat schedules."""

import pytest
from django.core.management import CommandError, call_command

from banking import sync
from banking.models import SyncRun

from .conftest import schedules_migration


def test_sync_items_syncs_one_item_by_plaid_id_and_prints_counts(linked_item, capsys):
    call_command("sync_items", "--item", linked_item.item_id)

    out = capsys.readouterr().out
    run = SyncRun.objects.get(item=linked_item)
    assert f"{linked_item.item_id}: success added={run.added}" in out
    assert run.added > 0


def test_sync_items_all_fails_loudly_when_a_sync_fails(linked_item, emu):
    emu("POST", f"/emulator/items/{linked_item.item_id}/reset_login", {})

    with pytest.raises(CommandError, match="1 of 1 syncs failed"):
        call_command("sync_items", "--all")


def test_sync_items_rejects_an_unknown_item(db):
    with pytest.raises(CommandError, match="No item"):
        call_command("sync_items", "--item", "nope")


def test_the_default_schedules_are_installed_once(beat_schedules):
    from django.apps import apps
    from django_celery_beat.models import PeriodicTask

    schedules_migration().install_default_schedules(apps, None)  # a second run changes nothing

    tasks = dict(PeriodicTask.objects.values_list("task", "name"))
    assert set(tasks) == {
        "banking.tasks.dispatch_due_syncs",
        "banking.tasks.refresh_all_items",
        "banking.tasks.check_item_health",
        "banking.tasks.cleanup_stuck_syncs",
        "banking.tasks.prune_logs",
        "banking.tasks.outbox_sweep",
        "banking.tasks.sweep_removals",
        "banking.webhook_tasks.requeue_stale_webhook_events",
        "config.beat_heartbeat",
        "finance.tasks.snapshots_carry_forward",
        "finance.tasks.alerts_beat",
        "finance.tasks.rates_refresh",
        "finance.tasks.data_exports_purge",
    }
    assert PeriodicTask.objects.count() == 14
    # The once-a-day rows gave way to dispatchers that run every minute.
    assert not PeriodicTask.objects.get(name="Refresh all items daily").enabled
    assert not PeriodicTask.objects.get(name="Check item health daily").enabled
    for name in ("Dispatch due daily syncs", "Check due items' health"):
        every_minute = PeriodicTask.objects.get(name=name, enabled=True).interval
        assert (every_minute.every, every_minute.period) == (1, "minutes")
    every = PeriodicTask.objects.get(task="banking.tasks.cleanup_stuck_syncs").interval
    assert (every.every, every.period) == (10, "minutes")
    sweep = PeriodicTask.objects.get(task="banking.tasks.outbox_sweep").interval
    assert (sweep.every, sweep.period) == (1, "minutes")


def test_an_admin_edit_survives_reinstalling(beat_schedules):
    from django.apps import apps
    from django_celery_beat.models import CrontabSchedule, PeriodicTask

    task = PeriodicTask.objects.get(task="banking.tasks.refresh_all_items")
    task.crontab = CrontabSchedule.objects.create(hour="6", minute="30")
    task.save()

    schedules_migration().install_default_schedules(apps, None)

    assert PeriodicTask.objects.get(task="banking.tasks.refresh_all_items").crontab.hour == "6"


def test_prune_logs_deletes_only_old_records(linked_item, settings):
    from datetime import timedelta

    from django.utils import timezone

    from banking import tasks
    from banking.models import PlaidApiCall

    sync.item_sync(item=linked_item, trigger="initial")
    PlaidApiCall.objects.update(created_at=timezone.now() - timedelta(days=91))
    PlaidApiCall.objects.create(endpoint="/item/get")
    settings.LOG_RETENTION_DAYS = 90

    counts = tasks.prune_logs.apply().get()

    assert counts["plaid_api_calls"] > 0
    assert PlaidApiCall.objects.count() == 1
