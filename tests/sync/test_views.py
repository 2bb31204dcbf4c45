"""Refresh now, refresh all, and the status endpoint for live progress."""

import uuid

from banking.models import PlaidItem, SyncRun


def test_refresh_now_asks_plaid_then_syncs(
    alice_client, linked_item, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = alice_client.post(f"/banks/{linked_item.public_id}/refresh/")

    assert response.status_code == 302
    assert response["Location"] == f"/banks/{linked_item.public_id}/"
    run = SyncRun.objects.get(item=linked_item)
    assert run.trigger == "manual" and run.outcome == "success"
    assert run.added > 0


def test_refresh_now_is_throttled_per_item(
    alice_client, linked_item, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        alice_client.post(f"/banks/{linked_item.public_id}/refresh/")
        response = alice_client.post(f"/banks/{linked_item.public_id}/refresh/", follow=True)

    assert SyncRun.objects.filter(item=linked_item).count() == 1
    assert "refreshed recently" in response.content.decode()


def test_refresh_now_answers_the_item_pages_script_with_json_and_no_flash_message(
    alice_client, linked_item, django_capture_on_commit_callbacks
):
    url = f"/banks/{linked_item.public_id}/refresh/"
    with django_capture_on_commit_callbacks(execute=True):
        first = alice_client.post(url, HTTP_ACCEPT="application/json")
        again = alice_client.post(url, HTTP_ACCEPT="application/json")

    assert first.json() == {"accepted": True, "message": "Refreshing First Platypus Bank…"}
    assert again.json()["accepted"] is False
    assert "refreshed recently" in again.json()["message"]
    assert SyncRun.objects.filter(item=linked_item).count() == 1
    page = alice_client.get(f"/banks/{linked_item.public_id}/").content.decode()
    assert "Refreshing" not in page and "refreshed recently" not in page


def test_refresh_now_goes_back_to_a_local_next_only(alice_client, linked_item):
    ok = alice_client.post(f"/banks/{linked_item.public_id}/refresh/", {"next": "/"})
    PlaidItem.objects.update(last_refresh_requested_at=None)
    evil = alice_client.post(
        f"/banks/{linked_item.public_id}/refresh/", {"next": "https://evil.example/"}
    )

    assert ok["Location"] == "/"
    assert evil["Location"] == f"/banks/{linked_item.public_id}/"


def test_refresh_now_rejects_get(alice_client, linked_item):
    assert alice_client.get(f"/banks/{linked_item.public_id}/refresh/").status_code == 405


def test_another_users_item_is_404_for_refresh_and_status(bob_client, linked_item):
    assert bob_client.post(f"/banks/{linked_item.public_id}/refresh/").status_code == 404
    assert bob_client.get(f"/banks/{linked_item.public_id}/status/").status_code == 404
    assert not SyncRun.objects.exists()
    PlaidItem.objects.filter(pk=linked_item.pk).update(last_refresh_requested_at=None)
    bob_client.post("/banks/refresh/")
    linked_item.refresh_from_db()
    assert linked_item.last_refresh_requested_at is None


def test_an_unknown_item_is_404(alice_client):
    assert alice_client.get(f"/banks/{uuid.uuid4()}/status/").status_code == 404


def test_refresh_all_refreshes_each_of_my_items(
    alice_client, linked_item, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = alice_client.post("/banks/refresh/")

    assert response.status_code == 302 and response["Location"] == "/banks/"
    assert SyncRun.objects.get(item=linked_item).trigger == "manual"


def test_status_reports_queued_then_the_finished_run(
    alice_client, linked_item, django_capture_on_commit_callbacks
):
    alice_client.post(f"/banks/{linked_item.public_id}/refresh/")  # task not run yet
    queued = alice_client.get(f"/banks/{linked_item.public_id}/status/").json()

    with django_capture_on_commit_callbacks(execute=True):
        from banking import sync

        sync.item_sync(item=linked_item, trigger="manual")
    done = alice_client.get(f"/banks/{linked_item.public_id}/status/").json()

    assert queued["in_progress"] is True and queued["phase"] == "queued"
    assert done["in_progress"] is False
    assert done["last_run"]["outcome"] == "success" and done["last_run"]["added"] > 0


def test_the_status_shows_a_running_sync(alice_client, linked_item):
    SyncRun.objects.create(item=linked_item, trigger="webhook", pages=3)

    status = alice_client.get(f"/banks/{linked_item.public_id}/status/").json()

    assert status["phase"] == "running" and status["pages"] == 3


def test_the_item_page_shows_the_sync_history(alice_client, linked_item):
    from banking import sync

    sync.item_sync(item=linked_item, trigger="initial")

    page = alice_client.get(f"/banks/{linked_item.public_id}/").content.decode()

    assert "sync-run-success" in page
    assert f'hx-get="/banks/{linked_item.public_id}/live/"' in page
    assert "vendor/htmx/htmx.min.js" in page


def test_refresh_now_says_try_again_and_keeps_no_claim_when_the_queue_is_down(
    alice_client, linked_item, monkeypatch
):
    # The broker's failure is simulated at our own enqueue boundary (config.tasks_util has its
    # own tests against a closed port).
    monkeypatch.setattr("banking.sync.service.enqueue_on_commit", lambda task, *args: False)

    response = alice_client.post(f"/banks/{linked_item.public_id}/refresh/", follow=True)

    assert response.status_code == 200
    assert "try again in a minute" in response.content.decode()
    linked_item.refresh_from_db()
    assert linked_item.last_refresh_requested_at is None
    assert not SyncRun.objects.filter(item=linked_item).exists()
