from datetime import timedelta

import pytest
from django.utils import timezone

from banking.models import LinkSession, PlaidItem

from .conftest import post_json

pytestmark = pytest.mark.django_db

STATE = "9d5feadd-a873-43eb-97ba-422f35ce849b"


def test_it_reopens_link_with_the_stored_token(alice_client, plaid_settings):
    token = post_json(alice_client, "/link/token/", {}).json()["link_token"]
    response = alice_client.get(f"/oauth-callback?oauth_state_id={STATE}")
    assert response.status_code == 200
    assert f'data-link-token="{token}"'.encode() in response.content
    assert b'data-mode="oauth"' in response.content
    assert b'data-success-url="/link/exchange/"' in response.content
    assert LinkSession.objects.get(link_token=token).oauth_state_id == STATE


def test_it_resumes_update_mode_after_oauth(alice_client, linked_item):
    post_json(alice_client, "/link/token/", {"item": str(linked_item.public_id)})
    response = alice_client.get(f"/oauth-callback?oauth_state_id={STATE}")
    assert response.status_code == 200
    assert f"/banks/{linked_item.public_id}/reconnected/".encode() in response.content
    assert b'data-purpose="update"' in response.content


def test_it_refuses_an_oauth_return_without_a_pending_link(alice_client):
    response = alice_client.get(f"/oauth-callback?oauth_state_id={STATE}")
    assert response.status_code == 400
    assert b"expired" in response.content


def test_it_refuses_a_malformed_state_id(alice_client, plaid_settings):
    post_json(alice_client, "/link/token/", {})
    for query in ("", "?oauth_state_id=", "?oauth_state_id=%3Cscript%3E"):
        response = alice_client.get("/oauth-callback" + query)
        assert response.status_code == 400
        assert b"not valid" in response.content


def test_it_refuses_a_stale_link_session(alice_client, plaid_settings):
    post_json(alice_client, "/link/token/", {})
    LinkSession.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    response = alice_client.get(f"/oauth-callback?oauth_state_id={STATE}")
    assert response.status_code == 400
    assert b"expired" in response.content


def test_it_refuses_a_state_id_seen_twice(alice_client, plaid_settings):
    post_json(alice_client, "/link/token/", {})
    assert alice_client.get(f"/oauth-callback?oauth_state_id={STATE}").status_code == 200
    response = alice_client.get(f"/oauth-callback?oauth_state_id={STATE}")
    assert response.status_code == 400
    assert b"already completed" in response.content


def test_it_refuses_another_users_state_id(alice_client, bob, plaid_settings):
    LinkSession.objects.create(
        user=bob,
        link_token="link-sandbox-bobs",
        expires_at=timezone.now() + timedelta(hours=1),
        oauth_state_id=STATE,
    )
    post_json(alice_client, "/link/token/", {})
    response = alice_client.get(f"/oauth-callback?oauth_state_id={STATE}")
    assert response.status_code == 400
    assert b"link-sandbox-bobs" not in response.content
    assert not PlaidItem.objects.exists()


def test_it_never_resumes_another_users_link_session(bob_client, alice, plaid_settings):
    LinkSession.objects.create(
        user=alice, link_token="link-sandbox-alices", expires_at=timezone.now() + timedelta(hours=1)
    )
    response = bob_client.get(f"/oauth-callback?oauth_state_id={STATE}")
    assert response.status_code == 400
    assert b"link-sandbox-alices" not in response.content
