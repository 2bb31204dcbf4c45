"""The live regions' fragments (/dashboard/live/, /banks/<id>/live/): what they say about syncs in
flight and how soon they ask again."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from banking.models import PlaidItem, SyncRun
from tests.factories import PlaidItemFactory

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def test_it_says_importing_while_the_first_sync_has_not_finished(alice_client, alice):
    assert settings.LIVE_POLL_BUSY_SECONDS == 2
    item = PlaidItemFactory(user=alice, last_successful_sync_at=None)
    SyncRun.objects.create(item=item, trigger="initial", pages=2)

    r = alice_client.get("/dashboard/live/", **HTMX)

    body = r.content.decode()
    assert r.status_code == 200
    assert "Importing your transactions from" in body
    assert "2 pages fetched so far" in body
    assert 'hx-trigger="every 2s, visibilitychange from:document"' in body
    assert r["X-Live-Fragment"] == "1" and r["Cache-Control"] == "no-store"


def test_it_says_importing_before_the_worker_has_started(alice_client, alice):
    PlaidItemFactory(user=alice, last_successful_sync_at=None)

    body = alice_client.get("/dashboard/live/", **HTMX).content.decode()

    assert "Importing your transactions from" in body
    assert 'data-live-phase="importing"' in body


def test_it_says_up_to_date_and_polls_slowly_when_nothing_is_in_flight(alice_client, alice):
    assert settings.LIVE_POLL_IDLE_SECONDS >= 30
    item = PlaidItemFactory(user=alice, last_successful_sync_at=timezone.now())
    SyncRun.objects.create(item=item, trigger="initial", outcome="success")

    body = alice_client.get("/dashboard/live/", **HTMX).content.decode()

    assert "Up to date." in body
    assert 'hx-trigger="every 30s, visibilitychange from:document"' in body
    assert "<html" not in body


def test_it_says_updating_while_a_requested_refresh_waits_for_the_worker(alice_client, alice):
    item = PlaidItemFactory(user=alice, last_successful_sync_at=timezone.now())
    SyncRun.objects.filter(item=item).delete()
    SyncRun.objects.create(item=item, trigger="initial", outcome="success")
    PlaidItem.objects.filter(pk=item.pk).update(
        last_refresh_requested_at=timezone.now() + timedelta(seconds=1)
    )

    body = alice_client.get("/dashboard/live/", **HTMX).content.decode()

    assert f"Updating {item.display_name}…" in body
    assert 'data-live-phase="updating"' in body


def test_it_names_a_failed_update(alice_client, alice):
    item = PlaidItemFactory(user=alice, last_successful_sync_at=timezone.now())
    SyncRun.objects.create(item=item, trigger="webhook", outcome="failed")

    body = alice_client.get("/dashboard/live/", **HTMX).content.decode()

    assert f"The last update of {item.display_name} didn't finish." in body


def test_the_dashboard_fragment_reloads_the_page_when_no_bank_is_left(alice_client):
    r = alice_client.get("/dashboard/live/", **HTMX)

    assert r["HX-Refresh"] == "true"


def test_the_fragments_need_a_login(client, alice):
    item = PlaidItemFactory(user=alice)

    assert client.get("/dashboard/live/").status_code == 302
    assert client.get(f"/banks/{item.public_id}/live/").status_code == 302


def test_the_bank_fragment_shows_the_run_in_progress(alice_client, alice):
    item = PlaidItemFactory(user=alice, last_successful_sync_at=timezone.now())
    SyncRun.objects.create(item=item, trigger="manual", pages=4)

    r = alice_client.get(f"/banks/{item.public_id}/live/", **HTMX)

    body = r.content.decode()
    assert 'data-sync-phase="updating"' in body
    assert "Updating… 4 pages fetched." in body
    assert "disabled>Refresh now" in body
    assert r["X-Live-Fragment"] == "1"


def test_bob_gets_404_for_alices_bank_fragment(bob_client, alice):
    item = PlaidItemFactory(user=alice)

    assert bob_client.get(f"/banks/{item.public_id}/live/", **HTMX).status_code == 404


def test_bobs_dashboard_fragment_never_mentions_alices_bank(bob_client, bob, alice):
    PlaidItemFactory(user=bob, institution__name="Bob Bank")
    PlaidItemFactory(user=alice, institution__name="Alice Only Bank")

    body = bob_client.get("/dashboard/live/", **HTMX).content.decode()

    assert "Bob Bank" in body and "Alice Only Bank" not in body


def test_refresh_from_the_bank_page_answers_with_the_fragment(alice_client, linked_item):
    r = alice_client.post(f"/banks/{linked_item.public_id}/refresh/", **HTMX)

    assert r.status_code == 200
    assert r["X-Live-Fragment"] == "1"
    assert 'id="bank-live"' in r.content.decode()


def test_a_throttled_refresh_says_why_in_the_fragment(alice_client, linked_item):
    PlaidItem.objects.filter(pk=linked_item.pk).update(last_refresh_requested_at=timezone.now())

    body = alice_client.post(f"/banks/{linked_item.public_id}/refresh/", **HTMX).content.decode()

    assert "was refreshed recently" in body
