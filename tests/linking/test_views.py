from urllib.parse import quote

import pytest
from django.test import Client

from accounts.models import SecurityEvent
from banking import plaid as plaid_api
from banking.models import Account, LinkSession, PlaidItem
from tests.emulator_client import emulator_call
from tests.reauth import recently_authenticated

from .conftest import emulator_items, post_json

pytestmark = pytest.mark.django_db

METADATA = {
    "institution": {"institution_id": "ins_109508", "name": "First Platypus Bank"},
    "accounts": [],
    "link_session_id": "test-session",
}


@pytest.fixture
def public_token(plaid_settings):
    return plaid_api.sandbox_public_token_create("ins_109508")


def test_it_shows_the_connect_page(alice_client, plaid_settings, emulator):
    response = alice_client.get("/link/")
    assert response.status_code == 200
    assert b"data-plaid-link" in response.content
    assert (emulator.url + "/link/v2/stable/link-initialize.js").encode() in response.content


def test_the_connect_page_gives_the_test_banks_credentials(alice_client, plaid_settings, emulator):
    body = alice_client.get("/link/").content.decode()
    assert "sign in with <code>user_good</code> / <code>pass_good</code>" in body


def test_it_asks_anonymous_users_to_log_in(client):
    response = client.get("/link/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_it_creates_a_link_token_and_remembers_it(alice_client, alice, plaid_settings):
    response = post_json(alice_client, "/link/token/", {})
    assert response.status_code == 200
    token = response.json()["link_token"]
    assert token.startswith("link-sandbox-")
    session = LinkSession.objects.get(link_token=token)
    assert session.user == alice
    assert session.purpose == "new"


def test_it_creates_an_update_mode_token_for_an_item(alice_client, linked_item):
    response = post_json(alice_client, "/link/token/", {"item": str(linked_item.public_id)})
    assert response.status_code == 200
    session = LinkSession.objects.get(link_token=response.json()["link_token"])
    assert session.purpose == "update"
    assert session.item == linked_item


def test_it_rejects_get_on_the_token_endpoint(alice_client):
    assert alice_client.get("/link/token/").status_code == 405


def test_it_rejects_get_on_the_exchange_endpoint(alice_client):
    assert alice_client.get("/link/exchange/").status_code == 405


def test_it_links_a_bank_through_the_exchange_endpoint(alice_client, alice, public_token):
    response = post_json(
        alice_client, "/link/exchange/", {"public_token": public_token, "metadata": METADATA}
    )
    assert response.status_code == 200, response.content
    assert response.json()["redirect"] == "/"
    item = PlaidItem.objects.get(user=alice)
    assert item.institution.name == "First Platypus Bank"
    assert Account.objects.for_user(alice).exists()


def test_it_rejects_a_forged_public_token(alice_client, plaid_settings):
    response = post_json(
        alice_client, "/link/exchange/", {"public_token": "public-sandbox-x", "metadata": METADATA}
    )
    assert response.status_code == 400
    assert "expired or was already used" in response.json()["error"]
    assert not PlaidItem.objects.exists()


def test_it_rejects_a_reused_public_token(alice_client, public_token):
    body = {"public_token": public_token, "metadata": METADATA}
    assert post_json(alice_client, "/link/exchange/", body).status_code == 200
    response = post_json(alice_client, "/link/exchange/", body)
    assert response.status_code == 400
    assert PlaidItem.objects.count() == 1


def test_it_requires_metadata(alice_client, public_token):
    response = post_json(alice_client, "/link/exchange/", {"public_token": public_token})
    assert response.status_code == 400
    assert "metadata" in response.json()["error"]
    assert not PlaidItem.objects.exists()


def test_it_rejects_a_body_that_is_not_json(alice_client, plaid_settings):
    response = alice_client.post("/link/exchange/", data="nope", content_type="text/plain")
    assert response.status_code == 400


def test_it_requires_a_csrf_token(alice, public_token):
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    body = {"public_token": public_token, "metadata": METADATA}
    assert post_json(client, "/link/exchange/", body).status_code == 403
    assert not PlaidItem.objects.exists()


@pytest.mark.parametrize(
    ("path", "error_code", "status"),
    [
        ("/item/public_token/exchange", "INTERNAL_SERVER_ERROR", 502),
        ("/item/public_token/exchange", "INSTITUTION_DOWN", 502),
        ("/item/public_token/exchange", "RATE_LIMIT", 502),
        ("/accounts/get", "INTERNAL_SERVER_ERROR", 502),
        ("/item/get", "INSTITUTION_DOWN", 502),
    ],
)
def test_it_leaves_nothing_behind_when_plaid_fails_during_the_exchange(
    alice_client, public_token, fault, emulator, path, error_code, status
):
    fault(path, error_code)
    response = post_json(
        alice_client, "/link/exchange/", {"public_token": public_token, "metadata": METADATA}
    )
    assert response.status_code == status
    assert response.json()["error"]
    assert not PlaidItem.objects.exists()
    assert not Account.objects.exists()
    if path != "/item/public_token/exchange":
        # The exchange worked, so the new item was removed again at Plaid (it is billed).
        assert emulator_items(emulator)["items"] == []


def test_it_lists_banks_grouped_by_institution(alice_client, linked_item):
    response = alice_client.get("/banks/")
    assert response.status_code == 200
    assert b"First Platypus Bank" in response.content
    assert b"Connected" in response.content
    assert b"Plaid Checking" in response.content


def test_it_shows_an_empty_state(alice_client):
    response = alice_client.get("/banks/")
    assert response.status_code == 200
    assert b"No banks connected yet" in response.content


def test_it_shows_a_status_in_plain_words(alice_client, linked_item):
    PlaidItem.objects.filter(pk=linked_item.pk).update(status="login_required")
    response = alice_client.get("/banks/")
    assert b"Needs you to sign in again" in response.content
    assert f"/banks/{linked_item.public_id}/reconnect/".encode() in response.content


def test_it_shows_one_bank(alice_client, linked_item):
    response = alice_client.get(f"/banks/{linked_item.public_id}/")
    assert response.status_code == 200
    assert b"Plaid Checking" in response.content
    assert f"/banks/{linked_item.public_id}/remove/".encode() in response.content


def test_it_shows_the_reconnect_page(alice_client, linked_item):
    response = alice_client.get(f"/banks/{linked_item.public_id}/reconnect/")
    assert response.status_code == 200
    assert b'data-mode="update"' in response.content


def test_it_reconnects_after_a_login_reset(alice_client, linked_item, emulator):
    plaid_api.sandbox_item_reset_login(linked_item)
    PlaidItem.objects.filter(pk=linked_item.pk).update(
        status="login_required", error_code="ITEM_LOGIN_REQUIRED"
    )
    token = post_json(alice_client, "/link/token/", {"item": str(linked_item.public_id)})
    link_token = token.json()["link_token"]
    metadata = _complete_update_mode(emulator, link_token)
    response = post_json(
        alice_client,
        f"/banks/{linked_item.public_id}/reconnected/",
        {"metadata": metadata, "link_token": link_token},
    )
    assert response.status_code == 200, response.content
    linked_item.refresh_from_db()
    assert linked_item.status == "healthy"
    assert linked_item.error_code == ""
    assert LinkSession.objects.get(link_token=link_token).completed_at is not None


def test_it_keeps_the_status_when_the_bank_still_needs_a_login(alice_client, linked_item):
    plaid_api.sandbox_item_reset_login(linked_item)
    response = post_json(
        alice_client, f"/banks/{linked_item.public_id}/reconnected/", {"metadata": METADATA}
    )
    assert response.status_code == 400
    linked_item.refresh_from_db()
    assert linked_item.status == "login_required"


def test_it_rejects_get_on_reconnected(alice_client, linked_item):
    response = alice_client.get(f"/banks/{linked_item.public_id}/reconnected/")
    assert response.status_code == 405


def test_it_asks_before_removing(alice_client, linked_item):
    response = alice_client.get(f"/banks/{linked_item.public_id}/remove/")
    assert response.status_code == 200
    assert PlaidItem.objects.filter(pk=linked_item.pk).exists()


def test_it_removes_a_bank_here_and_at_plaid(alice_client, linked_item, emulator):
    recently_authenticated(alice_client, "alice-pass-123")
    response = alice_client.post(f"/banks/{linked_item.public_id}/remove/")
    assert response.status_code == 302
    assert response["Location"] == "/banks/"
    assert not PlaidItem.objects.exists()
    assert not Account.objects.exists()
    assert emulator_items(emulator)["items"] == []


def test_it_keeps_a_bank_being_removed_when_plaid_fails(alice_client, linked_item, fault, emulator):
    fault("/item/remove", "INTERNAL_SERVER_ERROR")
    recently_authenticated(alice_client, "alice-pass-123")
    response = alice_client.post(f"/banks/{linked_item.public_id}/remove/")
    assert response.status_code == 302
    linked_item.refresh_from_db()
    assert linked_item.status == "removing"
    assert len(emulator_items(emulator)["items"]) == 1
    assert b"Being removed" in alice_client.get("/banks/").content


def test_it_asks_for_the_password_again_before_removing(alice_client, linked_item, emulator):
    path = f"/banks/{linked_item.public_id}/remove/"
    response = alice_client.post(path)
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/reauthenticate/?next={quote(path, safe='')}"
    assert PlaidItem.objects.filter(pk=linked_item.pk).exists()
    assert not SecurityEvent.objects.exists()
    # allauth keeps the POST and replays it once the password is in.
    alice_client.post(response["Location"], {"password": "alice-pass-123"})
    assert not PlaidItem.objects.exists()
    event = SecurityEvent.objects.get(kind="bank_removed")
    assert event.details == {
        "bank": linked_item.display_name,
        "item": str(linked_item.public_id),
    }


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", "/banks/{id}/"),
        ("get", "/banks/{id}/reconnect/"),
        ("post", "/banks/{id}/reconnected/"),
        ("get", "/banks/{id}/remove/"),
        ("post", "/banks/{id}/remove/"),
    ],
)
def test_it_hides_other_users_banks(bob_client, linked_item, method, url):
    path = url.format(id=linked_item.public_id)
    if method == "post":
        response = post_json(bob_client, path, {"metadata": METADATA})
    else:
        response = bob_client.get(path)
    assert response.status_code == 404
    linked_item.refresh_from_db()
    assert linked_item.status == "healthy"


def test_it_refuses_an_update_token_for_another_users_bank(bob_client, linked_item):
    response = post_json(bob_client, "/link/token/", {"item": str(linked_item.public_id)})
    assert response.status_code == 404
    assert not LinkSession.objects.exists()


def test_it_refuses_an_update_token_for_a_malformed_id(alice_client, plaid_settings):
    response = post_json(alice_client, "/link/token/", {"item": "not-a-uuid"})
    assert response.status_code == 404


def _emulator_link(emulator, path, body):
    return emulator_call(emulator, "POST", path, body)


def _complete_update_mode(emulator, link_token):
    """What the person does in Link's update mode, through the emulator's Link back end (the
    browser tests do the same by clicking)."""
    session = _emulator_link(emulator, "/link/api/init", {"token": link_token})
    sid = session["link_session_id"]
    step = _emulator_link(
        emulator,
        "/link/api/credentials",
        {"link_session_id": sid, "username": "user_good", "password": "pass_good"},
    )
    assert step["step"] == "accounts", step
    done = _emulator_link(emulator, "/link/api/complete", {"link_session_id": sid})
    assert done["step"] == "success", done
    return done["metadata"]


def test_it_refuses_to_reconnect_a_bank_being_removed(alice_client, linked_item):
    PlaidItem.objects.filter(pk=linked_item.pk).update(status="removing")
    response = post_json(
        alice_client, f"/banks/{linked_item.public_id}/reconnected/", {"metadata": METADATA}
    )
    assert response.status_code == 409
    assert "being removed" in response.json()["error"]
    linked_item.refresh_from_db()
    assert linked_item.status == "removing"
