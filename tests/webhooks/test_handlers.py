"""What each Plaid code does, through the processing service (no HTTP here)."""

import hashlib
import json
import uuid

import pytest
from django.core import mail

from banking.models import Account, PlaidItem, WebhookEvent
from banking.webhooks import drain, handle

pytestmark = pytest.mark.django_db


@pytest.fixture
def item(alice):
    item = PlaidItem.objects.create(user=alice, item_id="item-alice-1", access_token="access-x")
    Account.objects.create(item=item, account_id="acc-1", name="Checking", type="depository")
    Account.objects.create(item=item, account_id="acc-2", name="Savings", type="depository")
    return item


@pytest.fixture
def sync_requests(monkeypatch):
    calls = []
    monkeypatch.setattr(
        "banking.sync.sync_request",
        lambda *, item, trigger, countdown=0: calls.append((item.pk, trigger)) or "queued",
    )
    return calls


def event_for(item_id, webhook_type, code, **fields):
    body = json.dumps(
        {
            "webhook_type": webhook_type,
            "webhook_code": code,
            "item_id": item_id,
            **fields,
            "environment": "sandbox",
        },
        indent=2,
    )
    item = PlaidItem.objects.filter(item_id=item_id).first()
    return WebhookEvent.objects.create(
        webhook_type=webhook_type,
        webhook_code=code,
        plaid_item_id=item_id,
        item=item,
        body=body,
        body_sha256=hashlib.sha256(body.encode()).hexdigest(),
        token_sha256=uuid.uuid4().hex,
        flagged=item is None,
    )


def process(event):
    outcome = drain.webhook_event_process(event_id=event.pk)
    event.refresh_from_db()
    return outcome


def test_it_syncs_on_sync_updates_available(item, sync_requests):
    event = event_for(item.item_id, "TRANSACTIONS", "SYNC_UPDATES_AVAILABLE")
    assert process(event) == "processed"
    assert sync_requests == [(item.pk, "webhook")]
    assert event.processed_at is not None


def test_a_burst_of_sync_updates_for_one_item_queues_one_delayed_sync(
    item, monkeypatch, django_capture_on_commit_callbacks
):
    queued = []
    monkeypatch.setattr(
        "banking.tasks.sync_item.apply_async",
        lambda args, countdown=None: queued.append((args, countdown)),
    )
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(3):
            assert process(event_for(item.item_id, "TRANSACTIONS", "SYNC_UPDATES_AVAILABLE"))
    assert queued == [((item.pk, "webhook"), handle.WEBHOOK_SYNC_DELAY_SECONDS)]


@pytest.mark.parametrize("code", ["DEFAULT_UPDATE", "INITIAL_UPDATE", "HISTORICAL_UPDATE"])
def test_it_records_legacy_transaction_codes_without_work(item, sync_requests, code):
    event = event_for(item.item_id, "TRANSACTIONS", code, new_transactions=3)
    assert process(event) == "ignored"
    assert sync_requests == []
    assert event.processed_at is not None


def test_it_processes_an_event_only_once(item, sync_requests):
    event = event_for(item.item_id, "TRANSACTIONS", "SYNC_UPDATES_AVAILABLE")
    assert process(event) == "processed"
    assert process(event) is None
    assert sync_requests == [(item.pk, "webhook")]
    assert event.attempts == 1


def test_it_does_not_sync_a_revoked_item(item, sync_requests):
    PlaidItem.objects.filter(pk=item.pk).update(status=PlaidItem.Status.REVOKED)
    event = event_for(item.item_id, "TRANSACTIONS", "SYNC_UPDATES_AVAILABLE")
    assert process(event) == "ignored"
    assert sync_requests == []


def test_it_marks_login_required_and_tells_the_owner_once(item, django_capture_on_commit_callbacks):
    error = {
        "error_type": "ITEM_ERROR",
        "error_code": "ITEM_LOGIN_REQUIRED",
        "error_message": "the login details of this item have changed",
        "display_message": None,
        "status": 400,
    }
    with django_capture_on_commit_callbacks(execute=True):
        process(event_for(item.item_id, "ITEM", "ERROR", error=error))
        process(event_for(item.item_id, "ITEM", "ERROR", error=error))
    item.refresh_from_db()
    assert item.status == PlaidItem.Status.LOGIN_REQUIRED
    assert item.error_code == "ITEM_LOGIN_REQUIRED"
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["alice@example.com"]


def test_it_marks_other_item_errors_as_trouble(item):
    error = {"error_type": "INSTITUTION_ERROR", "error_code": "INSTITUTION_DOWN"}
    process(event_for(item.item_id, "ITEM", "ERROR", error=error))
    item.refresh_from_db()
    assert item.status == PlaidItem.Status.ERROR
    assert item.error_code == "INSTITUTION_DOWN"


def test_it_stores_the_date_of_a_pending_expiration(item):
    event = event_for(
        item.item_id, "ITEM", "PENDING_EXPIRATION", consent_expiration_time="2030-01-15T13:25:17Z"
    )
    assert process(event) == "processed"
    item.refresh_from_db()
    assert item.status == PlaidItem.Status.PENDING_EXPIRATION
    assert item.consent_expiration_time.isoformat().startswith("2030-01-15T13:25:17")
    assert "2030-01-15" in item.error_message


def test_it_stores_the_date_of_a_pending_disconnect(item):
    event = event_for(
        item.item_id,
        "ITEM",
        "PENDING_DISCONNECT",
        reason="INSTITUTION_TOKEN_EXPIRATION",
        disconnect_time="2030-02-01T00:00:00Z",
    )
    process(event)
    item.refresh_from_db()
    assert item.status == PlaidItem.Status.PENDING_DISCONNECT
    assert item.disconnect_time.date().isoformat() == "2030-02-01"


def test_it_revokes_the_item_on_user_permission_revoked(item, sync_requests):
    process(event_for(item.item_id, "ITEM", "USER_PERMISSION_REVOKED"))
    item.refresh_from_db()
    assert item.status == PlaidItem.Status.REVOKED
    # Syncing stops.
    process(event_for(item.item_id, "TRANSACTIONS", "SYNC_UPDATES_AVAILABLE"))
    assert sync_requests == []


def test_it_revokes_only_the_named_account(item):
    process(event_for(item.item_id, "ITEM", "USER_ACCOUNT_REVOKED", account_id="acc-2"))
    assert list(Account.objects.filter(revoked=True).values_list("account_id", flat=True)) == [
        "acc-2"
    ]
    assert list(Account.objects.visible().values_list("account_id", flat=True)) == ["acc-1"]
    item.refresh_from_db()
    assert item.status == PlaidItem.Status.HEALTHY


def test_it_ignores_an_account_revocation_for_another_items_account(item, bob):
    other = PlaidItem.objects.create(user=bob, item_id="item-bob", access_token="access-y")
    Account.objects.create(item=other, account_id="acc-bob", name="Bob's", type="depository")
    event = event_for(item.item_id, "ITEM", "USER_ACCOUNT_REVOKED", account_id="acc-bob")
    assert process(event) == "ignored"
    assert not Account.objects.filter(revoked=True).exists()


def test_it_makes_a_repaired_login_healthy_and_syncs(item, sync_requests):
    PlaidItem.objects.filter(pk=item.pk).update(
        status=PlaidItem.Status.LOGIN_REQUIRED, error_code="ITEM_LOGIN_REQUIRED"
    )
    process(event_for(item.item_id, "ITEM", "LOGIN_REPAIRED"))
    item.refresh_from_db()
    assert item.status == PlaidItem.Status.HEALTHY
    assert item.error_code == ""
    assert sync_requests == [(item.pk, "webhook")]


def test_it_shows_the_new_accounts_banner(item):
    process(event_for(item.item_id, "ITEM", "NEW_ACCOUNTS_AVAILABLE", error=None))
    item.refresh_from_db()
    assert item.new_accounts_available is True


def test_it_records_the_webhook_update_acknowledgement(item):
    event = event_for(
        item.item_id,
        "ITEM",
        "WEBHOOK_UPDATE_ACKNOWLEDGED",
        new_webhook_url="https://example.com/webhook",
        error=None,
    )
    process(event)
    item.refresh_from_db()
    assert item.webhook_acknowledged_at is not None
    assert item.webhook_url == "https://example.com/webhook"


def test_it_marks_an_unknown_item(db):
    event = event_for("nobody-has-this", "TRANSACTIONS", "SYNC_UPDATES_AVAILABLE")
    assert process(event) == "unknown_item"
    assert event.flagged is True


def test_it_ignores_a_code_it_does_not_handle(item):
    assert process(event_for(item.item_id, "ASSETS", "PRODUCT_READY")) == "ignored"


def test_it_puts_an_event_back_when_processing_fails(item, monkeypatch):
    def boom(*, item, trigger, countdown=0):
        raise RuntimeError("broker down")

    monkeypatch.setattr("banking.sync.sync_request", boom)
    event = event_for(item.item_id, "TRANSACTIONS", "SYNC_UPDATES_AVAILABLE")
    with pytest.raises(RuntimeError):
        drain.webhook_event_process(event_id=event.pk)
    event.refresh_from_db()
    assert event.outcome == "pending"
    assert "broker down" in event.error
