"""Every emulator-fired code has its effect: signed by the emulator, delivered over HTTP to the
live server, verified, recorded, processed (tasks run eagerly in tests), asserted in the DB."""

import pytest
from django.core.management import call_command
from django.test import Client

from banking.models import Account, PlaidItem, SyncRun, Transaction, WebhookEvent
from tests.emulator_client import fire_webhook

from .conftest import wait_for

pytestmark = pytest.mark.django_db(transaction=True)


def fire(emulator, item, code):
    assert fire_webhook(emulator, item.item_id, code)["webhook_fired"] is True


def processed(item, code, count=1):
    def check():
        events = WebhookEvent.objects.filter(
            item=item, webhook_code=code, processed_at__isnull=False
        )
        return list(events) if events.count() >= count else None

    return wait_for(check, what=f"a processed {code} webhook")


def test_sync_updates_available_syncs_the_item(emulator, hooked_item):
    fire(emulator, hooked_item, "SYNC_UPDATES_AVAILABLE")
    assert processed(hooked_item, "SYNC_UPDATES_AVAILABLE")[0].outcome == "processed"
    assert SyncRun.objects.filter(item=hooked_item, trigger="webhook").exists()
    assert Transaction.objects.filter(account__item=hooked_item).exists()


def test_a_legacy_default_update_is_recorded_without_a_sync(emulator, hooked_item):
    fire(emulator, hooked_item, "DEFAULT_UPDATE")
    assert processed(hooked_item, "DEFAULT_UPDATE")[0].outcome == "ignored"
    assert not SyncRun.objects.filter(item=hooked_item, trigger="webhook").exists()


def test_item_error_marks_login_required_and_emails_the_owner(emulator, hooked_item, mailoutbox):
    fire(emulator, hooked_item, "ERROR")
    processed(hooked_item, "ERROR")
    hooked_item.refresh_from_db()
    assert hooked_item.status == PlaidItem.Status.LOGIN_REQUIRED
    assert hooked_item.error_code == "ITEM_LOGIN_REQUIRED"
    assert [m.to for m in mailoutbox] == [["alice@example.com"]]


def test_login_repaired_makes_the_item_healthy_and_syncs(emulator, hooked_item):
    fire(emulator, hooked_item, "ERROR")
    processed(hooked_item, "ERROR")
    fire(emulator, hooked_item, "LOGIN_REPAIRED")
    processed(hooked_item, "LOGIN_REPAIRED")
    hooked_item.refresh_from_db()
    assert hooked_item.status == PlaidItem.Status.HEALTHY
    assert SyncRun.objects.filter(item=hooked_item, trigger="webhook").exists()


def test_pending_expiration_stores_the_date(emulator, hooked_item):
    fire(emulator, hooked_item, "PENDING_EXPIRATION")
    processed(hooked_item, "PENDING_EXPIRATION")
    hooked_item.refresh_from_db()
    assert hooked_item.status == PlaidItem.Status.PENDING_EXPIRATION
    assert hooked_item.consent_expiration_time is not None


def test_pending_disconnect_stores_the_date(emulator, hooked_item):
    fire(emulator, hooked_item, "PENDING_DISCONNECT")
    processed(hooked_item, "PENDING_DISCONNECT")
    hooked_item.refresh_from_db()
    assert hooked_item.status == PlaidItem.Status.PENDING_DISCONNECT
    assert hooked_item.disconnect_time is not None


def test_user_permission_revoked_revokes_the_item(emulator, hooked_item):
    fire(emulator, hooked_item, "USER_PERMISSION_REVOKED")
    processed(hooked_item, "USER_PERMISSION_REVOKED")
    hooked_item.refresh_from_db()
    assert hooked_item.status == PlaidItem.Status.REVOKED


def test_user_account_revoked_revokes_only_that_account(emulator, hooked_item):
    accounts = list(hooked_item.accounts.order_by("pk"))
    assert len(accounts) >= 2
    # No sandbox trigger exists for this code (PNC only), so the emulator fires it directly.
    emu_item = emulator.emu.store.items[hooked_item.item_id]
    emulator.emu.fire(emu_item, "ITEM", "USER_ACCOUNT_REVOKED", account_id=accounts[0].account_id)
    processed(hooked_item, "USER_ACCOUNT_REVOKED")
    revoked = Account.objects.filter(item=hooked_item, revoked=True)
    assert list(revoked) == [accounts[0]]
    assert accounts[0] not in Account.objects.visible()


def test_new_accounts_available_shows_the_banner(emulator, hooked_item, alice_client):
    fire(emulator, hooked_item, "NEW_ACCOUNTS_AVAILABLE")
    processed(hooked_item, "NEW_ACCOUNTS_AVAILABLE")
    hooked_item.refresh_from_db()
    assert hooked_item.new_accounts_available is True
    page = alice_client.get(f"/banks/{hooked_item.public_id}/").content.decode()
    assert "New accounts are available" in page
    # The recent-notifications list, in words (codes are for the admin).
    assert "Plaid said the bank has new accounts you can add." in page


def test_update_webhooks_moves_items_to_the_new_url_and_records_the_ack(
    emulator, hooked_item, live_server, settings
):
    settings.PLAID_WEBHOOK_URL = live_server.url + "/webhook/"
    call_command("update_webhooks")
    processed(hooked_item, "WEBHOOK_UPDATE_ACKNOWLEDGED")
    hooked_item.refresh_from_db()
    assert hooked_item.webhook_url == live_server.url + "/webhook/"
    assert hooked_item.webhook_acknowledged_at is not None
    assert emulator.emu.store.items[hooked_item.item_id].webhook == live_server.url + "/webhook/"
    # A second run has nothing to do.
    call_command("update_webhooks")
    assert WebhookEvent.objects.filter(webhook_code="WEBHOOK_UPDATE_ACKNOWLEDGED").count() == 1


def test_the_item_page_lists_recent_notifications_only_to_the_owner(
    emulator, hooked_item, alice_client, bob
):
    # alice_client and bob_client share pytest-django's one `client`: bob gets his own.
    bob_client = Client()
    bob_client.force_login(bob)
    fire(emulator, hooked_item, "DEFAULT_UPDATE")
    processed(hooked_item, "DEFAULT_UPDATE")
    page = alice_client.get(f"/banks/{hooked_item.public_id}/").content.decode()
    assert "Plaid said new transactions were ready." in page
    assert bob_client.get(f"/banks/{hooked_item.public_id}/").status_code == 404
