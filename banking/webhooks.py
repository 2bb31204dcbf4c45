"""Plaid webhooks: verification (api-notes §5.1) and recording.

A webhook is only a trigger. Nothing here trusts the body until the JWT in the
Plaid-Verification header has been checked against a key fetched from Plaid, the JWT is fresh,
and the SHA-256 of the raw body bytes matches the signed claim. Verified deliveries are stored
once per signed token; processing happens in a Celery task (banking.webhook_handlers).
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import logging
import time
from dataclasses import dataclass
from datetime import UTC, datetime

import jwt
from django.core.cache import cache
from django.db import IntegrityError, connection, transaction
from django.db.models import Exists, Subquery

from .models import PlaidItem, WebhookEvent

logger = logging.getLogger(__name__)

MAX_TOKEN_AGE_SECONDS = 5 * 60
# Plaid's clock and ours are both NTP-synchronised; allow a little skew, no more.
MAX_FUTURE_SKEW_SECONDS = 30
# A Plaid-Verification JWT is a few hundred bytes; anything huge is not from Plaid.
MAX_TOKEN_LENGTH = 4096

KEY_CACHE_PREFIX = "plaid:webhook-key:"
KEY_INDEX = "plaid:webhook-key-index"
# Keys are small and Plaid rotates rarely; a day bounds how long a revoked key could linger
# in a cache that somehow missed the rotation.
KEY_CACHE_SECONDS = 24 * 3600
# A kid Plaid does not know is remembered briefly, so a forger cycling random kids cannot make
# us call Plaid once per request.
UNKNOWN_KID_SECONDS = 60
UNKNOWN_KID_MARK = "unknown"
REJECTED_COUNTER = "webhooks:rejected"
KEY_FETCH_COUNTER = "plaid:webhook-key-fetches"
KEY_FETCHES_PER_MINUTE = 30


class WebhookRejected(Exception):
    """Verification failed. `reason` is for our logs and counters, never for the response."""

    def __init__(self, reason: str, status: int = 401):
        super().__init__(reason)
        self.reason = reason
        self.status = status


@dataclass(frozen=True)
class VerifiedWebhook:
    body: bytes
    token: str
    iat: int


# Parsing a JWK into a key object costs more than the signature check itself, so parsed keys are
# memoised per process, keyed by the JWK's exact content (an expiry update changes the content).
_parsed_keys: dict[str, object] = {}
# In front of the shared cache, each process keeps a key for a minute: one Redis round trip less
# per delivery. Plaid's reference keeps keys in process memory indefinitely; a minute bounds how
# long another process may take to see an expiry this process learned (its own copy is updated
# at once).
LOCAL_KEY_SECONDS = 60
_local_keys: dict[str, tuple[dict, float]] = {}


def _parsed_key(jwk: dict):
    fingerprint = json.dumps(jwk, sort_keys=True)
    key = _parsed_keys.get(fingerprint)
    if key is None:
        key = jwt.PyJWK(jwk, algorithm="ES256").key
        if len(_parsed_keys) > 64:
            _parsed_keys.clear()
        _parsed_keys[fingerprint] = key
    return key


class _KeyFetchFailed(Exception):
    """Plaid could not be asked (network, outage): not proof that the kid is unknown."""


def _fetch_key(kid: str) -> dict | None:
    from . import plaid as plaid_api  # the one door to Plaid

    try:
        result = plaid_api.webhook_verification_key_get(kid)
    except plaid_api.PlaidError as exc:
        logger.warning("webhook key fetch failed", extra={"error_code": exc.error_code})
        if exc.retryable:
            raise _KeyFetchFailed(exc.error_code)
        return None
    key = result.get("key", result) if isinstance(result, dict) else None
    if not isinstance(key, dict) or key.get("kid") != kid:
        return None
    return dict(key)


def _fetch_budget_left() -> bool:
    # Forged deliveries with a fresh random kid each would otherwise cost one Plaid call each.
    cache.add(KEY_FETCH_COUNTER, 0, 60)
    try:
        return cache.incr(KEY_FETCH_COUNTER) <= KEY_FETCHES_PER_MINUTE
    except ValueError:
        return True


def _remember_locally(kid: str, jwk: dict) -> None:
    if len(_local_keys) > 64:
        _local_keys.clear()
    _local_keys[kid] = (jwk, time.monotonic() + LOCAL_KEY_SECONDS)


def _store_key(kid: str, jwk: dict) -> None:
    cache.set(KEY_CACHE_PREFIX + kid, jwk, KEY_CACHE_SECONDS)
    _remember_locally(kid, jwk)
    index = cache.get(KEY_INDEX) or []
    if kid not in index:
        cache.set(KEY_INDEX, [*index[-31:], kid], KEY_CACHE_SECONDS)


def webhook_key_get(kid: str) -> dict | None:
    """The JWK for kid, from the shared cache or from Plaid.

    Following Plaid's reference implementation: a kid we have not seen means Plaid may have
    rotated, so every cached key not yet marked expired is re-fetched too (that is how an old
    key learns its expired_at).
    """
    local = _local_keys.get(kid)
    if local is not None and local[1] > time.monotonic():
        return local[0]
    cached = cache.get(KEY_CACHE_PREFIX + kid)
    if cached == UNKNOWN_KID_MARK:
        return None
    if cached is not None:
        _remember_locally(kid, cached)
        return cached
    if not _fetch_budget_left():
        logger.warning("webhook key fetch budget exhausted")
        return None
    try:
        jwk = _fetch_key(kid)
    except _KeyFetchFailed:
        return None  # Plaid retries the delivery; do not remember this kid as unknown
    if jwk is None:
        cache.set(KEY_CACHE_PREFIX + kid, UNKNOWN_KID_MARK, UNKNOWN_KID_SECONDS)
        return None
    for other in cache.get(KEY_INDEX) or []:
        if other == kid:
            continue
        old = cache.get(KEY_CACHE_PREFIX + other)
        if isinstance(old, dict) and old.get("expired_at") is None:
            try:
                refreshed = _fetch_key(other)
            except _KeyFetchFailed:
                continue
            if refreshed is None:  # Plaid no longer knows it: stop trusting it
                cache.set(KEY_CACHE_PREFIX + other, UNKNOWN_KID_MARK, KEY_CACHE_SECONDS)
            else:
                _store_key(other, refreshed)
    _store_key(kid, jwk)
    return jwk


def webhook_verify(*, body: bytes, token: str | None, now: float | None = None) -> VerifiedWebhook:
    """Check a delivery exactly as Plaid documents; raise WebhookRejected on any failure."""
    if not token:
        raise WebhookRejected("missing_header", 400)
    if len(token) > MAX_TOKEN_LENGTH:
        raise WebhookRejected("malformed_token", 400)
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError:
        raise WebhookRejected("malformed_token", 400)
    # Only ES256: "none" and HS256 (keyed with the public key) are the classic JWT forgeries.
    if header.get("alg") != "ES256":
        raise WebhookRejected("bad_alg")
    kid = header.get("kid")
    if not isinstance(kid, str) or not kid or len(kid) > 128:
        raise WebhookRejected("bad_kid")
    jwk = webhook_key_get(kid)
    if jwk is None:
        raise WebhookRejected("unknown_kid")
    if jwk.get("expired_at") is not None:
        raise WebhookRejected("expired_key")
    try:
        key = _parsed_key(jwk)
        # iat is checked below, with our own window; PyJWT does not enforce a maximum age.
        claims = jwt.decode(
            token, key=key, algorithms=["ES256"], options={"verify_iat": False, "require": []}
        )
    except (jwt.PyJWTError, ValueError, TypeError):
        raise WebhookRejected("bad_signature")
    iat = claims.get("iat")
    if not isinstance(iat, int) or isinstance(iat, bool):
        raise WebhookRejected("bad_iat")
    now = time.time() if now is None else now
    if iat < now - MAX_TOKEN_AGE_SECONDS:
        raise WebhookRejected("token_too_old")
    if iat > now + MAX_FUTURE_SKEW_SECONDS:
        raise WebhookRejected("token_in_future")
    claimed = claims.get("request_body_sha256")
    if not isinstance(claimed, str):
        raise WebhookRejected("bad_body_hash")
    # The raw bytes, never re-serialised JSON: the hash is whitespace-sensitive by design.
    actual = hashlib.sha256(body).hexdigest()
    if not hmac.compare_digest(actual.encode(), claimed.encode()):
        raise WebhookRejected("bad_body_hash")
    return VerifiedWebhook(body=body, token=token, iat=iat)


def webhook_rejection_count(reason: str | None = None) -> int:
    key = REJECTED_COUNTER if reason is None else f"{REJECTED_COUNTER}:{reason}"
    return int(cache.get(key) or 0)


def webhook_rejection_note(*, reason: str, remote_addr: str = "") -> None:
    """A counter per reason (and in total) for monitoring, and one log line."""
    for key in (REJECTED_COUNTER, f"{REJECTED_COUNTER}:{reason}"):
        cache.add(key, 0, None)
        # Evicted between add and incr: losing one count is fine.
        with contextlib.suppress(ValueError):
            cache.incr(key)
    logger.warning("webhook rejected", extra={"reason": reason, "remote_addr": remote_addr})


def webhook_record(*, verified: VerifiedWebhook) -> tuple[WebhookEvent, bool]:
    """Store a verified delivery once per signed token. Returns (event, created); the new
    event's item and flagged fields are database expressions until refreshed."""
    try:
        payload = json.loads(verified.body)
    except (UnicodeDecodeError, ValueError):
        payload = None
    if not isinstance(payload, dict):
        payload = {}

    def text(name: str, limit: int) -> str:
        value = payload.get(name)
        return value[:limit] if isinstance(value, str) else ""

    plaid_item_id = text("item_id", 64)
    # Resolved inside the INSERT (one round trip, and the row is never loaded, which would
    # decrypt its access token for nothing). An unknown item is stored and flagged for staff.
    known = PlaidItem.objects.filter(item_id=plaid_item_id)
    token_sha256 = hashlib.sha256(verified.token.encode()).hexdigest()
    fields = {
        "webhook_type": text("webhook_type", 48),
        "webhook_code": text("webhook_code", 64),
        "plaid_item_id": plaid_item_id,
        "item_id": Subquery(known.values("pk")[:1]),
        "environment": text("environment", 16),
        "body": verified.body.decode("utf-8", errors="replace"),
        "body_sha256": hashlib.sha256(verified.body).hexdigest(),
        "token_sha256": token_sha256,
        "signed_at": datetime.fromtimestamp(verified.iat, tz=UTC),
        "flagged": ~Exists(known),
    }
    try:
        if connection.in_atomic_block:
            # A savepoint, so a replay's IntegrityError cannot spoil the caller's transaction.
            with transaction.atomic():
                event = WebhookEvent.objects.create(**fields)
        else:
            # Autocommit: one INSERT, committed at once. The unique token decides replays in a
            # single round trip, instead of get_or_create's SELECT, SAVEPOINT, INSERT, RELEASE;
            # this path is what Plaid waits on.
            event = WebhookEvent.objects.create(**fields)
    except IntegrityError:
        return WebhookEvent.objects.get(token_sha256=token_sha256), False
    from .webhook_tasks import process_webhook_event

    # robust: if the broker is down the event stays pending and the sweeper
    # (webhook_events_requeue) picks it up; Plaid still gets its 200.
    transaction.on_commit(lambda: process_webhook_event.delay(event.pk), robust=True)
    return event, True
