"""The daily health check: errors, expiring consent, stale data; one email per change."""

import time
from datetime import timedelta

from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from banking import dispatch, sync
from banking.health import check as health_check
from banking.models import PlaidItem


def test_it_flags_an_item_in_error_and_emails_once_over_two_days(
    linked_item, emu, django_capture_on_commit_callbacks
):
    sync.item_sync(item=linked_item, trigger="initial")
    emu("POST", f"/emulator/items/{linked_item.item_id}/reset_login", {})

    slot = linked_item.next_health_check_at
    with django_capture_on_commit_callbacks(execute=True):
        # Its slot comes today and again tomorrow: same state, no new email.
        assert dispatch.items_check_health_due(now=slot) == {"login_required": 1}
        assert dispatch.items_check_health_due(now=slot + timedelta(days=1)) == {
            "login_required": 1
        }

    linked_item.refresh_from_db()
    assert linked_item.status == PlaidItem.Status.LOGIN_REQUIRED
    assert len(mail.outbox) == 1


def test_it_warns_about_consent_expiring_within_a_week(
    linked_item, emulator, django_capture_on_commit_callbacks
):
    sync.item_sync(item=linked_item, trigger="initial")
    emulator.emu.store.items[linked_item.item_id].consent_expiration_time = time.time() + 3 * 86400

    with django_capture_on_commit_callbacks(execute=True):
        health_check.check_item_health(item=linked_item)

    linked_item.refresh_from_db()
    assert linked_item.status == PlaidItem.Status.PENDING_EXPIRATION
    assert linked_item.consent_expiration_time is not None
    assert len(mail.outbox) == 1


def test_consent_far_away_is_fine(linked_item, emulator):
    sync.item_sync(item=linked_item, trigger="initial")
    emulator.emu.store.items[linked_item.item_id].consent_expiration_time = time.time() + 30 * 86400

    assert health_check.check_item_health(item=linked_item) == "healthy"


def test_it_flags_an_item_with_no_successful_sync_for_three_days_as_stale(
    linked_item, django_capture_on_commit_callbacks
):
    sync.item_sync(item=linked_item, trigger="initial")
    PlaidItem.objects.filter(pk=linked_item.pk).update(
        last_successful_sync_at=timezone.now() - timedelta(days=3, hours=1)
    )
    linked_item.refresh_from_db()

    with django_capture_on_commit_callbacks(execute=True):
        assert health_check.check_item_health(item=linked_item) == "stale"
        assert health_check.check_item_health(item=linked_item) == "stale"
        # A successful sync clears it without another email.
        sync.item_sync(item=linked_item, trigger="manual")

    linked_item.refresh_from_db()
    assert linked_item.is_stale is False
    assert len(mail.outbox) == 1


def test_an_error_that_went_away_makes_the_item_healthy(linked_item):
    sync.item_sync(item=linked_item, trigger="initial")
    PlaidItem.objects.filter(pk=linked_item.pk).update(status="login_required")
    linked_item.refresh_from_db()

    assert health_check.check_item_health(item=linked_item) == "healthy"


def test_check_items_prints_the_states(linked_item, capsys):
    sync.item_sync(item=linked_item, trigger="initial")

    call_command("check_items")

    assert "healthy: 1" in capsys.readouterr().out
