"""POST /webhook with a stubbed key fetch: every forgery rejected, nothing stored."""

import hashlib
import json
import time

import jwt as pyjwt
import pytest
from django.test import Client
from jwt.utils import base64url_decode

from banking import webhooks
from banking.models import WebhookEvent
from banking.webhooks import verify

from .signing import (
    FORGERIES,
    KeyPair,
    alg_none_token,
    b64url,
    body_for,
    hs256_with_public_key,
)

pytestmark = pytest.mark.django_db

PAYLOAD = {
    "webhook_type": "TRANSACTIONS",
    "webhook_code": "SYNC_UPDATES_AVAILABLE",
    "item_id": "item-not-linked-here",
    "initial_update_complete": True,
    "historical_update_complete": False,
    "environment": "sandbox",
}
BODY = body_for(PAYLOAD)


def post(client, body, token=None, path="/webhook"):
    extra = {"HTTP_PLAID_VERIFICATION": token} if token is not None else {}
    return client.post(path, data=body, content_type="application/json", **extra)


def forged(kind, key, key_server):
    """(body, token) for each forgery in the issue's list."""
    now = int(time.time())
    if kind == "no header":
        return BODY, None
    if kind == "malformed jwt":
        return BODY, "not.a.jwt"
    if kind == "alg none":
        return BODY, alg_none_token(BODY, key.kid)
    if kind == "hs256 with the public key":
        return BODY, hs256_with_public_key(BODY, key.kid, key.public)
    if kind == "unknown kid":
        return BODY, KeyPair().sign(BODY)
    if kind == "expired key":
        old = key_server.add(KeyPair(expired=True))
        return BODY, old.sign(BODY)
    if kind == "wrong signature":
        other = KeyPair()
        other.kid = key.kid  # claims our kid, signed by someone else's key
        return BODY, other.sign(BODY)
    if kind == "body changed by one byte":
        return BODY.replace(b"true", b"True", 1), key.sign(BODY)
    if kind == "same json other whitespace":
        return json.dumps(PAYLOAD).encode(), key.sign(BODY)
    if kind == "iat six minutes old":
        return BODY, key.sign(BODY, iat=now - 6 * 60)
    if kind == "iat in the future":
        return BODY, key.sign(BODY, iat=now + 5 * 60)
    raise AssertionError(kind)


@pytest.mark.parametrize("kind", FORGERIES)
def test_it_rejects_a_forgery_and_stores_nothing(client, plaid_key, key_server, kind, caplog):
    body, token = forged(kind, plaid_key, key_server)
    response = post(client, body, token)
    assert response.status_code in (400, 401)
    # One short body for every failure: nothing that tells a forger which check failed.
    assert response.content == b"rejected"
    assert WebhookEvent.objects.count() == 0
    assert webhooks.webhook_rejection_count() == 1
    assert "webhook rejected" in caplog.text


def test_it_accepts_a_correctly_signed_webhook_and_records_it(
    client, plaid_key, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        response = post(client, BODY, plaid_key.sign(BODY))
    assert response.status_code == 200
    event = WebhookEvent.objects.get()
    assert (event.webhook_type, event.webhook_code) == ("TRANSACTIONS", "SYNC_UPDATES_AVAILABLE")
    assert event.environment == "sandbox"
    assert event.body.encode() == BODY
    assert event.outcome == WebhookEvent.Outcome.PENDING
    assert len(callbacks) == 1  # the task is enqueued only once the row is committed


def test_it_records_a_replayed_token_once(client, plaid_key, django_capture_on_commit_callbacks):
    token = plaid_key.sign(BODY)
    with django_capture_on_commit_callbacks() as callbacks:
        assert post(client, BODY, token).status_code == 200
        assert post(client, BODY, token).status_code == 200
    assert WebhookEvent.objects.count() == 1
    assert len(callbacks) == 1


# The order of P-256's group: (r, s) and (r, n - s) are both valid signatures of one message.
P256_ORDER = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551


def padded(token: str) -> str:
    """The same token with base64 padding on its signature (86 characters become 88)."""
    header, claims, signature = token.split(".")
    return f"{header}.{claims}.{signature}{'=' * (-len(signature) % 4)}"


def malleated(token: str) -> str:
    """The same content under the other valid ECDSA signature, (r, n - s)."""
    header, claims, signature = token.split(".")
    raw = base64url_decode(signature.encode())
    r, s = raw[:32], int.from_bytes(raw[32:], "big")
    other = r + (P256_ORDER - s).to_bytes(32, "big")
    return f"{header}.{claims}.{b64url(other)}"


def test_it_records_a_re_encoded_replay_once(client, plaid_key, django_capture_on_commit_callbacks):
    token = plaid_key.sign(BODY)
    replays = [padded(token), malleated(token), padded(malleated(token))]
    assert len({token, *replays}) == 4  # four different strings, one signed content
    with django_capture_on_commit_callbacks() as callbacks:
        for each in [token, *replays]:
            assert post(client, BODY, each).status_code == 200
    event = WebhookEvent.objects.get()
    assert event.token_sha256 == hashlib.sha256(token.encode()).hexdigest()
    assert len(callbacks) == 1


def test_it_records_the_same_body_signed_again_as_a_new_delivery(client, plaid_key):
    now = int(time.time())
    assert post(client, BODY, plaid_key.sign(BODY, iat=now - 60)).status_code == 200
    assert post(client, BODY, plaid_key.sign(BODY, iat=now)).status_code == 200
    assert WebhookEvent.objects.count() == 2


def test_it_accepts_a_token_four_minutes_old_and_a_little_clock_skew(client, plaid_key):
    now = int(time.time())
    assert post(client, BODY, plaid_key.sign(BODY, iat=now - 4 * 60)).status_code == 200
    assert post(client, BODY, plaid_key.sign(BODY, iat=now + 5)).status_code == 200


def test_it_flags_an_unknown_item_and_still_answers_200(client, plaid_key):
    assert post(client, BODY, plaid_key.sign(BODY)).status_code == 200
    event = WebhookEvent.objects.get()
    assert event.flagged is True
    assert event.item is None
    assert event.plaid_item_id == "item-not-linked-here"


def test_it_accepts_the_trailing_slash_without_redirecting(client, plaid_key):
    response = post(client, BODY, plaid_key.sign(BODY), path="/webhook/")
    assert response.status_code == 200
    assert WebhookEvent.objects.count() == 1


def test_it_needs_no_csrf_token(plaid_key):
    client = Client(enforce_csrf_checks=True)
    assert post(client, BODY, plaid_key.sign(BODY)).status_code == 200


def test_it_rejects_get(client):
    assert client.get("/webhook").status_code == 405


def test_it_answers_413_to_a_body_over_the_limit(client, plaid_key, settings):
    settings.WEBHOOK_MAX_BODY_BYTES = 100
    big = body_for({**PAYLOAD, "padding": "x" * 200})
    response = post(client, big, plaid_key.sign(big))
    assert response.status_code == 413
    assert WebhookEvent.objects.count() == 0


def test_it_fetches_a_key_once_and_then_uses_the_cache(client, plaid_key, key_server):
    for _ in range(3):
        body = body_for({**PAYLOAD, "n": time.time()})
        assert post(client, body, plaid_key.sign(body)).status_code == 200
    assert key_server.calls == [plaid_key.kid]


def test_it_remembers_an_unknown_kid_briefly(client, plaid_key, key_server):
    stranger = KeyPair()
    for _ in range(3):
        assert post(client, BODY, stranger.sign(BODY)).status_code == 401
    assert key_server.calls == [stranger.kid]


def from_ip(client, ip, body, token):
    return client.post(
        "/webhook",
        data=body,
        content_type="application/json",
        HTTP_PLAID_VERIFICATION=token,
        HTTP_X_FORWARDED_FOR=ip,
    )


def test_it_stops_asking_plaid_about_one_senders_random_kids_after_a_small_budget(
    client, key_server, settings
):
    settings.TRUSTED_PROXY_COUNT = 1
    for _ in range(verify.KEY_FETCHES_PER_CLIENT_PER_MINUTE + 5):
        assert from_ip(client, "203.0.113.66", BODY, KeyPair().sign(BODY)).status_code == 401
    assert len(key_server.calls) == verify.KEY_FETCHES_PER_CLIENT_PER_MINUTE


def test_a_forger_cannot_spend_the_fetch_plaids_rotated_key_needs(client, key_server, settings):
    # The reported attack: 31 forged kids in a minute, then Plaid's genuine delivery under a
    # newly rotated key. Through the proxy, so every request shares REMOTE_ADDR.
    settings.TRUSTED_PROXY_COUNT = 1
    for _ in range(31):
        from_ip(client, "203.0.113.66", BODY, KeyPair().sign(BODY))
    rotated = key_server.add(KeyPair())
    assert from_ip(client, "52.21.26.131", BODY, rotated.sign(BODY)).status_code == 200


def test_many_senders_together_stop_at_a_global_ceiling(client, key_server, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    for n in range(verify.KEY_FETCHES_PER_MINUTE + 5):
        from_ip(client, f"203.0.113.{n}", BODY, KeyPair().sign(BODY))
    assert len(key_server.calls) == verify.KEY_FETCHES_PER_MINUTE


def test_without_redis_a_forged_kid_costs_no_plaid_call(client, key_server, settings):
    # Nothing listens on port 1: the cache misses and the budget cannot be counted.
    settings.CACHES = {
        "default": {**settings.CACHES["default"], "LOCATION": "redis://127.0.0.1:1/0"}
    }
    for _ in range(5):
        assert post(client, BODY, KeyPair().sign(BODY)).status_code == 401
    assert key_server.calls == []


def test_it_rejects_a_delivery_for_another_plaid_environment(client, plaid_key, settings):
    for environment, status in (("production", 400), ("sandbox", 200)):
        body = body_for({**PAYLOAD, "environment": environment})
        assert post(client, body, plaid_key.sign(body)).status_code == status
    settings.PLAID_ENV = "production"
    body = body_for({**PAYLOAD, "environment": "sandbox", "n": 2})
    assert post(client, body, plaid_key.sign(body)).status_code == 400
    assert webhooks.webhook_rejection_count("wrong_environment") == 2
    assert WebhookEvent.objects.count() == 1


def test_the_emulator_signs_as_sandbox(client, plaid_key, settings):
    settings.PLAID_ENV = "emulator"
    assert post(client, BODY, plaid_key.sign(BODY)).status_code == 200
    body = body_for({**PAYLOAD, "environment": "emulator"})
    assert post(client, body, plaid_key.sign(body)).status_code == 400


def test_it_learns_that_a_cached_key_expired_when_a_new_kid_appears(client, plaid_key, key_server):
    assert post(client, BODY, plaid_key.sign(BODY)).status_code == 200
    # Plaid rotates: the old key gets expired_at, deliveries come signed with a new kid.
    key_server.keys[plaid_key.kid]["expired_at"] = int(time.time())
    new = key_server.add(KeyPair())
    body = body_for({**PAYLOAD, "n": 2})
    assert post(client, body, new.sign(body)).status_code == 200
    assert key_server.calls == [plaid_key.kid, new.kid, plaid_key.kid]
    body = body_for({**PAYLOAD, "n": 3})
    assert post(client, body, plaid_key.sign(body)).status_code == 401
    assert WebhookEvent.objects.count() == 2


def test_it_does_not_remember_a_kid_as_unknown_when_plaid_is_unreachable(
    client, plaid_key, key_server, monkeypatch
):
    from banking import plaid as plaid_api

    def down(kid):
        raise plaid_api.PlaidError("NETWORK_ERROR", retryable=True)

    monkeypatch.setattr("banking.plaid.webhook_verification_key_get", down)
    assert post(client, BODY, plaid_key.sign(BODY)).status_code == 401
    monkeypatch.setattr("banking.plaid.webhook_verification_key_get", key_server)
    assert post(client, BODY, plaid_key.sign(BODY)).status_code == 200


def test_verification_with_a_cached_key_takes_under_two_milliseconds(plaid_key):
    token = plaid_key.sign(BODY)
    webhooks.webhook_verify(body=BODY, token=token)  # fetch and cache the key
    timings = []
    for _ in range(50):
        started = time.perf_counter()
        webhooks.webhook_verify(body=BODY, token=token)
        timings.append(time.perf_counter() - started)
    timings.sort()
    assert timings[len(timings) // 2] < 0.002


def _signed_with(key, body, *, header=None, claims=None):
    base = {"iat": int(time.time()), "request_body_sha256": hashlib.sha256(body).hexdigest()}
    headers = {"kid": key.kid, **(header or {})}
    return pyjwt.encode({**base, **(claims or {})}, key.private, algorithm="ES256", headers=headers)


@pytest.mark.parametrize(
    "extra",
    [
        {"header": {"crit": ["exp"]}},
        {"header": {"b64": False}},
        # Times relative to when the test runs (not to collection: a long suite reaches this
        # test minutes later, when a collection-time "600 s ahead" is no longer ahead).
        {"claims": {"exp": -10}},
        {"claims": {"nbf": 600}},
    ],
    ids=["crit header", "b64 header", "expired exp", "nbf in the future"],
)
def test_it_rejects_a_validly_signed_token_with_extensions_or_limits_it_cannot_honour(
    client, plaid_key, extra
):
    now = int(time.time())
    claims = {name: now + offset for name, offset in extra.get("claims", {}).items()}
    token = _signed_with(plaid_key, BODY, header=extra.get("header"), claims=claims)
    assert post(client, BODY, token).status_code in (400, 401)
    assert WebhookEvent.objects.count() == 0


def test_it_rejects_a_token_with_an_extra_segment(client, plaid_key):
    assert post(client, BODY, plaid_key.sign(BODY) + ".AAAA").status_code == 400
    assert WebhookEvent.objects.count() == 0


def test_recording_a_replay_returns_the_stored_event_without_a_second_row(plaid_key):
    verified = webhooks.webhook_verify(body=BODY, token=plaid_key.sign(BODY))
    first, created = webhooks.webhook_record(verified=verified)
    again, created_again = webhooks.webhook_record(verified=verified)
    assert (created, created_again) == (True, False)
    assert again.pk == first.pk
    assert WebhookEvent.objects.get().received_at is not None
