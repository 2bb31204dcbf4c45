"""Webhooks verify exactly as Plaid documents (ES256 JWT, kid, iat, body SHA-256)."""

from __future__ import annotations

import hashlib
import hmac
import json
import time

import jwt
import pytest
from plaid.model.sandbox_item_fire_webhook_request import SandboxItemFireWebhookRequest
from plaid.model.webhook_verification_key_get_request import WebhookVerificationKeyGetRequest

from .helpers import link_item, post, sync_all


def verify(client, headers: dict, body: bytes) -> dict:
    """Plaid's documented recipe, as a receiver would write it."""
    token = next(v for k, v in headers.items() if k.lower() == "plaid-verification")
    header = jwt.get_unverified_header(token)
    assert header["alg"] == "ES256"
    key = client.webhook_verification_key_get(
        WebhookVerificationKeyGetRequest(key_id=header["kid"])
    ).key.to_dict()
    assert key["expired_at"] is None
    claims = jwt.decode(token, jwt.PyJWK(key).key, algorithms=["ES256"])
    assert claims["iat"] >= time.time() - 300
    if not hmac.compare_digest(hashlib.sha256(body).hexdigest(), claims["request_body_sha256"]):
        raise ValueError("body hash mismatch")
    return json.loads(body)


def test_it_signs_webhooks_that_verify_with_pyjwt(plaid_client, webhook_receiver):
    access_token, item_id = link_item(plaid_client, webhook=webhook_receiver.url)
    hook = webhook_receiver.wait_for()[0]
    payload = verify(plaid_client, hook["headers"], hook["body"])
    assert payload["item_id"] == item_id and payload["environment"] == "sandbox"
    # The body is json.dumps(indent=2): the hash is whitespace-sensitive, as on Plaid.
    assert hook["body"] == json.dumps(payload, indent=2).encode()


def test_it_fails_verification_when_one_byte_of_the_body_changes(plaid_client, webhook_receiver):
    link_item(plaid_client, webhook=webhook_receiver.url)
    hook = webhook_receiver.wait_for()[0]
    tampered = hook["body"].replace(b"sandbox", b"sandbox ", 1)
    assert len(tampered) == len(hook["body"]) + 1
    with pytest.raises(ValueError):
        verify(plaid_client, hook["headers"], tampered)
    flipped = bytes([hook["body"][0] ^ 1]) + hook["body"][1:]
    with pytest.raises(ValueError):
        verify(plaid_client, hook["headers"], flipped)


def test_it_rotates_keys_and_marks_the_old_one_expired(emulator, plaid_client, webhook_receiver):
    link_item(plaid_client, webhook=webhook_receiver.url)
    old_kid = jwt.get_unverified_header(
        webhook_receiver.wait_for()[0]["headers"]["Plaid-Verification"]
    )["kid"]
    status, rotated = post(emulator.url, "/emulator/webhook_keys/rotate", creds=False)
    assert status == 200 and rotated["key_id"] != old_kid
    old = plaid_client.webhook_verification_key_get(
        WebhookVerificationKeyGetRequest(key_id=old_kid)
    ).key
    assert old.expired_at is not None
    webhook_receiver.clear()
    access_token, _ = link_item(plaid_client, webhook=webhook_receiver.url)
    hook = webhook_receiver.wait_for()[0]
    assert (
        jwt.get_unverified_header(hook["headers"]["Plaid-Verification"])["kid"] == rotated["key_id"]
    )
    verify(plaid_client, hook["headers"], hook["body"])


def test_it_rejects_an_unknown_key_id(emulator):
    status, body = post(emulator.url, "/webhook_verification_key/get", {"key_id": "nope"})
    assert status == 400 and body["error_code"] == "INVALID_WEBHOOK_VERIFICATION_KEY_ID"


def test_it_retries_a_failed_delivery_until_it_gets_a_200(emulator, plaid_client, webhook_receiver):
    from plaid.model.item_webhook_update_request import ItemWebhookUpdateRequest

    access_token, _ = link_item(plaid_client)
    webhook_receiver.statuses = [500, 503]
    plaid_client.item_webhook_update(
        ItemWebhookUpdateRequest(access_token=access_token, webhook=webhook_receiver.url)
    )
    hooks = webhook_receiver.wait_for(count=3)
    assert [h["status"] for h in hooks] == [500, 503, 200]
    assert hooks[0]["body"] == hooks[2]["body"]
    for _ in range(50):  # the emulator logs the attempt just after the receiver answers
        _, log = post(emulator.url, "/emulator/webhooks", method="GET", creds=False)
        if len(log["webhooks"]) == 3:
            break
        time.sleep(0.02)
    assert [(w["attempt"], w["status"]) for w in log["webhooks"]] == [(1, 500), (2, 503), (3, 200)]


def test_it_sends_sync_updates_available_only_after_the_first_sync(
    emulator, plaid_client, webhook_receiver
):
    access_token, item_id = link_item(plaid_client, webhook=webhook_receiver.url)
    webhook_receiver.wait_for(lambda r: b"HISTORICAL_UPDATE" in r["body"])
    post(emulator.url, f"/emulator/items/{item_id}/advance", {"days": 1}, creds=False)
    webhook_receiver.wait_for(lambda r: b"DEFAULT_UPDATE" in r["body"])
    assert not [r for r in webhook_receiver.received if b"SYNC_UPDATES" in r["body"]]
    sync_all(plaid_client, access_token)
    post(emulator.url, f"/emulator/items/{item_id}/advance", {"days": 1}, creds=False)
    hook = webhook_receiver.wait_for(lambda r: b"SYNC_UPDATES_AVAILABLE" in r["body"])[0]
    payload = json.loads(hook["body"])
    assert payload["initial_update_complete"] is True
    assert payload["historical_update_complete"] is True


@pytest.mark.parametrize(
    "code,expect",
    [
        ("ERROR", {"webhook_type": "ITEM", "error": "ITEM_LOGIN_REQUIRED"}),
        ("PENDING_DISCONNECT", {"webhook_type": "ITEM", "key": "disconnect_time"}),
        ("USER_PERMISSION_REVOKED", {"webhook_type": "ITEM", "error": "USER_PERMISSION_REVOKED"}),
        ("LOGIN_REPAIRED", {"webhook_type": "ITEM"}),
        ("NEW_ACCOUNTS_AVAILABLE", {"webhook_type": "ITEM", "key": "error"}),
        ("DEFAULT_UPDATE", {"webhook_type": "TRANSACTIONS", "key": "new_transactions"}),
        ("USER_ACCOUNT_REVOKED", {"webhook_type": "ITEM", "key": "account_id"}),
        ("RECURRING_TRANSACTIONS_UPDATE", {"webhook_type": "TRANSACTIONS", "key": "account_ids"}),
        ("PRODUCT_READY", {"webhook_type": "INCOME"}),
        ("AUTHORIZATION_GRANTED", {"webhook_type": "ITEM"}),
        (
            "SYNC_UPDATES_AVAILABLE",
            {"webhook_type": "TRANSACTIONS", "key": "historical_update_complete"},
        ),
    ],
)
def test_it_fires_each_webhook_with_plaids_payload(plaid_client, webhook_receiver, code, expect):
    access_token, item_id = link_item(plaid_client, webhook=webhook_receiver.url)
    plaid_client.sandbox_item_fire_webhook(
        SandboxItemFireWebhookRequest(access_token=access_token, webhook_code=code)
    )
    hook = webhook_receiver.wait_for(lambda r: json.loads(r["body"])["webhook_code"] == code)[0]
    payload = verify(plaid_client, hook["headers"], hook["body"])
    assert payload["webhook_type"] == expect["webhook_type"] and payload["item_id"] == item_id
    if "error" in expect:
        assert payload["error"]["error_code"] == expect["error"]
        assert payload["error"]["status"] == 400 and "request_id" not in payload["error"]
    if "key" in expect:
        assert expect["key"] in payload


def test_it_acknowledges_a_webhook_update_at_the_new_url(plaid_client, webhook_receiver):
    from plaid.model.item_webhook_update_request import ItemWebhookUpdateRequest

    access_token, _ = link_item(plaid_client)
    new_url = webhook_receiver.url + "/new"
    plaid_client.item_webhook_update(
        ItemWebhookUpdateRequest(access_token=access_token, webhook=new_url)
    )
    hook = webhook_receiver.wait_for(lambda r: b"WEBHOOK_UPDATE_ACKNOWLEDGED" in r["body"])[0]
    assert hook["path"] == "/webhook/new"
    assert json.loads(hook["body"])["new_webhook_url"] == new_url
