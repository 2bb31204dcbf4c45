"""Manual items (accounts imported from an export file) have no access token: every path that
calls Plaid leaves them alone, and the pages refuse Plaid actions on them clearly."""

import json

import pytest

from banking import dispatch, removal, wealth
from banking.health import check as health_check
from banking.models import PlaidApiCall, PlaidItem, WebhookEvent
from banking.sync import service as sync
from banking.sync.errors import SyncNotAllowed
from banking.webhooks.handle import webhook_event_dispatch
from tests.factories import AccountFactory, TransactionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def manual(alice):
    item = PlaidItem.objects.manual_create(user=alice, name="Old Bank")
    AccountFactory(item=item, account_id="manual-acc-1", name="Imported Checking")
    return item


def test_a_manual_item_has_no_access_token_and_its_own_kind(manual):
    manual.refresh_from_db()
    assert manual.access_token == ""
    assert manual.is_manual
    assert manual.display_name == "Old Bank"
    assert list(PlaidItem.objects.linked()) == []


def test_a_sync_request_for_it_is_ignored(manual, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        assert sync.sync_request(item=manual, trigger="manual") == "ignored"
    assert callbacks == []


def test_a_sync_of_it_is_not_allowed(manual):
    with pytest.raises(SyncNotAllowed):
        sync.item_sync(item=manual, trigger="manual")
    assert not manual.sync_runs.exists()


def test_refresh_now_is_refused_without_calling_plaid(manual):
    assert sync.item_refresh_request(item=manual, throttle_seconds=60) is False
    assert sync.item_refresh(item=manual) == "manual"
    assert not PlaidApiCall.objects.exists()


def test_the_daily_dispatcher_never_claims_it(manual):
    assert dispatch.items_dispatch_due() == 0
    assert dispatch.items_check_health_due() == {}
    manual.refresh_from_db()
    assert manual.next_refresh_at is None
    assert manual.next_health_check_at is None


def test_the_health_check_skips_it(manual):
    assert health_check.check_item_health(item=manual) == "skipped"
    manual.refresh_from_db()
    assert (manual.status, manual.is_stale) == (PlaidItem.Status.HEALTHY, False)


def test_a_webhook_naming_it_acts_on_nothing(manual):
    event = WebhookEvent.objects.create(
        webhook_type="TRANSACTIONS",
        webhook_code="SYNC_UPDATES_AVAILABLE",
        plaid_item_id=manual.item_id,
        body=json.dumps({"item_id": manual.item_id}),
        body_sha256="x",
        token_sha256="y",
    )
    assert webhook_event_dispatch(event) == WebhookEvent.Outcome.UNKNOWN_ITEM
    event.item = manual
    assert webhook_event_dispatch(event) == WebhookEvent.Outcome.UNKNOWN_ITEM
    assert not manual.sync_runs.exists()


def test_the_wealth_refresh_skips_it(manual):
    manual.products = ["investments", "liabilities"]
    manual.save()
    assert wealth.item_wealth_refresh(manual) == {}
    assert not PlaidApiCall.objects.exists()


def test_removing_it_deletes_it_here_without_calling_plaid(manual):
    assert removal.item_remove(item=manual) is True
    assert not PlaidItem.objects.filter(pk=manual.pk).exists()
    assert not PlaidApiCall.objects.exists()


def test_the_bank_list_shows_it_as_imported(alice_client, manual):
    html = alice_client.get("/banks/").content.decode()
    assert "Imported (manual)" in html
    assert "Old Bank" in html
    assert "Imported Checking" in html
    assert "Never synced: imported from a file" in html


def test_the_dashboard_says_it_is_imported_and_offers_no_refresh(alice_client, alice, manual):
    TransactionFactory(account=manual.accounts.get(), user=alice)
    html = alice_client.get("/").content.decode()
    assert "Imported (manual)" in html
    assert "Not updated yet" not in html
    assert f"/banks/{manual.public_id}/refresh/" not in html


def test_its_page_offers_no_refresh_or_reconnect(alice_client, manual):
    html = alice_client.get(f"/banks/{manual.public_id}/").content.decode()
    assert "Refresh now" not in html
    assert f"/banks/{manual.public_id}/reconnect/" not in html
    assert f"/banks/{manual.public_id}/remove/" in html


def test_refresh_of_it_is_refused_clearly(alice_client, manual):
    r = alice_client.post(f"/banks/{manual.public_id}/refresh/", HTTP_ACCEPT="application/json")
    assert r.status_code == 409
    assert "not connected to a bank" in r.json()["message"]
    r = alice_client.post(f"/banks/{manual.public_id}/refresh/", follow=True)
    assert "not connected to a bank" in r.content.decode()


def test_its_status_is_refused_clearly(alice_client, manual):
    r = alice_client.get(f"/banks/{manual.public_id}/status/")
    assert r.status_code == 409
    assert "not connected to a bank" in r.json()["error"]


def test_reconnecting_it_is_refused_clearly(alice_client, manual):
    r = alice_client.get(f"/banks/{manual.public_id}/reconnect/", follow=True)
    assert "not connected to a bank to reconnect" in r.content.decode()
    r = alice_client.post(
        f"/banks/{manual.public_id}/reconnected/", "{}", content_type="application/json"
    )
    assert r.status_code == 409
    r = alice_client.post(
        "/link/token/", json.dumps({"item": str(manual.public_id)}), content_type="application/json"
    )
    assert r.status_code == 404


def test_refresh_all_leaves_it_out(alice_client, manual):
    alice_client.post("/banks/refresh/")
    manual.refresh_from_db()
    assert manual.last_refresh_requested_at is None


def test_another_user_gets_404_for_its_pages(bob_client, manual):
    assert bob_client.post(f"/banks/{manual.public_id}/refresh/").status_code == 404
    assert bob_client.get(f"/banks/{manual.public_id}/status/").status_code == 404
    assert bob_client.get(f"/banks/{manual.public_id}/reconnect/").status_code == 404
