"""POST /webhook is answered before the middleware made for people runs, with the same
verification and the headers every response gets."""

import pytest

from banking.models import WebhookEvent

from .signing import KeyPair, body_for

pytestmark = pytest.mark.django_db

BODY = body_for(
    {
        "webhook_type": "TRANSACTIONS",
        "webhook_code": "SYNC_UPDATES_AVAILABLE",
        "item_id": "item-not-linked-here",
        "initial_update_complete": True,
        "historical_update_complete": True,
        "environment": "sandbox",
    }
)


def post(client, path, token):
    return client.post(
        path, data=BODY, content_type="application/json", HTTP_PLAID_VERIFICATION=token
    )


@pytest.mark.parametrize("path", ["/webhook", "/webhook/"])
def test_it_stores_a_delivery_without_sessions_csp_or_cookies(client, plaid_key, path):
    client.cookies["sessionid"] = "a-session-key-that-must-not-be-looked-up"
    response = post(client, path, plaid_key.sign(BODY))
    assert response.status_code == 200
    assert WebhookEvent.objects.count() == 1
    assert "Content-Security-Policy" not in response
    assert "Cookie" not in response.get("Vary", "")
    assert not response.cookies
    # What every response gets still applies: no caching, no sniffing.
    assert "no-store" in response["Cache-Control"]
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("path", ["/webhook", "/webhook/"])
def test_it_still_rejects_a_delivery_signed_with_another_key(client, plaid_key, path):
    stranger = KeyPair()
    stranger.kid = plaid_key.kid
    response = post(client, path, stranger.sign(BODY))
    assert response.status_code == 401
    assert WebhookEvent.objects.count() == 0


def test_it_still_answers_a_get_with_405(client):
    assert client.get("/webhook").status_code == 405


def test_it_leaves_every_other_page_to_the_full_middleware(client):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    assert "Content-Security-Policy" in response
