"""Plaid webhooks: verification.

A webhook is only a trigger. Nothing trusts the body until the JWT in the Plaid-Verification
header has been checked against a key fetched from Plaid, the JWT is fresh, the SHA-256 of the
raw body bytes matches the signed claim, and the body's `environment` is the one we run in.
Verified deliveries are stored once per signed content (banking.webhooks.record); a drain
processes them (banking.webhooks.drain).

Asking Plaid for an unknown kid is the one thing a forger can make us do, so it has a budget:
per client address (config.client_ip) and a small ceiling for everyone, counted in Redis. If
Redis cannot be asked, no fetch happens at all (fail closed): a forged request must never cost a
Plaid call. A kid this process or the shared cache already holds never touches the budget.
"""

from __future__ import annotations

import binascii
import contextlib
import hashlib
import hmac
import json
import logging
import time
from dataclasses import dataclass
from typing import Any

import jwt
from django.core.cache import cache
from jwt.algorithms import ECAlgorithm
from jwt.utils import base64url_decode

from .. import plaid as plaid_api
from ..plaid import config as plaid_config

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
# Plaid itself needs one fetch per new key; a client asking for more is guessing.
KEY_FETCHES_PER_CLIENT_PER_MINUTE = 3
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
    kid: str
    body_sha256: str
    # The body parsed once, here; {} when it is not a JSON object.
    payload: dict[str, Any]

    @property
    def content_sha256(self) -> str:
        """What the signature vouches for, independent of how the token was encoded."""
        return hashlib.sha256(f"{self.kid}\n{self.iat}\n{self.body_sha256}".encode()).hexdigest()


# Parsing a JWK into a key object costs more than the signature check itself, so parsed keys are
# memoised per process, keyed by the JWK's exact content (an expiry update changes the content).
_parsed_keys: dict[str, object] = {}
# In front of the shared cache, each process keeps a key for a minute: one Redis round trip less
# per delivery. Plaid's reference keeps keys in process memory indefinitely; a minute bounds how
# long another process may take to see an expiry this process learned (its own copy is updated
# at once).
LOCAL_KEY_SECONDS = 60
_local_keys: dict[str, tuple[dict, float]] = {}


def _parsed_key(jwk: dict[str, Any]) -> Any:
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


def _fetch_budget_left(client: str) -> bool:
    # Forged deliveries with a fresh random kid each would otherwise cost one Plaid call each;
    # per client first, so one sender cannot spend the fetch Plaid's rotated key needs.
    windows = [
        (cache.make_key(f"{KEY_FETCH_COUNTER}:{client}"), KEY_FETCHES_PER_CLIENT_PER_MINUTE),
        (cache.make_key(KEY_FETCH_COUNTER), KEY_FETCHES_PER_MINUTE),
    ]
    try:
        return plaid_api.window_try(windows) == 0
    except plaid_api.REDIS_DOWN as exc:
        logger.warning("webhook key fetch budget unavailable (%s): no fetch", type(exc).__name__)
        return False


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


def webhook_key_get(kid: str, *, client: str = "") -> dict | None:
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
    if not _fetch_budget_left(client):
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


_ES256 = ECAlgorithm(ECAlgorithm.SHA256)


def _segment(data: bytes) -> bytes:
    try:
        return base64url_decode(data)
    except (ValueError, binascii.Error):
        raise WebhookRejected("malformed_token", 400)


def _json_object(data: bytes) -> dict:
    try:
        value = json.loads(data)
    except (ValueError, RecursionError):
        raise WebhookRejected("malformed_token", 400)
    if not isinstance(value, dict):
        raise WebhookRejected("malformed_token", 400)
    return value


def _verification_key(kid: str, client: str) -> tuple[dict[str, Any] | None, Any]:
    """(jwk, parsed key) for kid; the parsed key is kept with this process's copy of the JWK,
    so a delivery with a known kid costs neither a cache round trip nor a key parse."""
    local = _local_keys.get(kid)
    jwk: dict[str, Any] | None
    if local is not None and local[1] > time.monotonic():
        jwk = local[0]
    else:
        jwk = webhook_key_get(kid, client=client)
        if jwk is None:
            return None, None
    if jwk.get("expired_at") is not None:
        return jwk, None
    try:
        return jwk, _parsed_key(jwk)
    except (jwt.PyJWTError, ValueError, TypeError, KeyError):
        return jwk, None


def webhook_verify(
    *, body: bytes, token: str | None, now: float | None = None, client: str = ""
) -> VerifiedWebhook:
    """Check a delivery exactly as Plaid documents; raise WebhookRejected on any failure.

    The compact JWS is parsed once, here (PyJWT's get_unverified_header followed by decode
    parses it twice): header, then the ES256 signature with PyJWT's own algorithm object, then
    the claims. Only after the signature holds is the payload trusted. `client` is the
    sender's address (config.client_ip), for the key-fetch budget.
    """
    if not token:
        raise WebhookRejected("missing_header", 400)
    if len(token) > MAX_TOKEN_LENGTH:
        raise WebhookRejected("malformed_token", 400)
    raw = token.encode("ascii", errors="replace")
    parts = raw.split(b".")
    if len(parts) != 3 or not all(parts):
        raise WebhookRejected("malformed_token", 400)
    header = _json_object(_segment(parts[0]))
    # Only ES256: "none" and HS256 (keyed with the public key) are the classic JWT forgeries.
    if header.get("alg") != "ES256":
        raise WebhookRejected("bad_alg")
    # Plaid's tokens use no JWS extensions; one we do not understand must not be ignored
    # (RFC 7515 §4.1.11), and b64=false would change what the signature covers.
    if "crit" in header or "b64" in header:
        raise WebhookRejected("malformed_token", 400)
    kid = header.get("kid")
    if not isinstance(kid, str) or not kid or len(kid) > 128:
        raise WebhookRejected("bad_kid")
    jwk, key = _verification_key(kid, client)
    if jwk is None:
        raise WebhookRejected("unknown_kid")
    if jwk.get("expired_at") is not None:
        raise WebhookRejected("expired_key")
    if key is None:
        raise WebhookRejected("bad_signature")
    signature = _segment(parts[2])
    if not _ES256.verify(parts[0] + b"." + parts[1], key, signature):
        raise WebhookRejected("bad_signature")
    claims = _json_object(_segment(parts[1]))
    iat = claims.get("iat")
    if not isinstance(iat, int) or isinstance(iat, bool):
        raise WebhookRejected("bad_iat")
    now = time.time() if now is None else now
    # Our own window: PyJWT never enforced a maximum age for iat either.
    if iat < now - MAX_TOKEN_AGE_SECONDS:
        raise WebhookRejected("token_too_old")
    if iat > now + MAX_FUTURE_SKEW_SECONDS:
        raise WebhookRejected("token_in_future")
    # Plaid sends neither, but a token that carries them must honour them (as jwt.decode did).
    exp, nbf = claims.get("exp"), claims.get("nbf")
    if exp is not None and (not isinstance(exp, int | float) or exp <= now):
        raise WebhookRejected("token_too_old")
    if nbf is not None and (
        not isinstance(nbf, int | float) or nbf > now + MAX_FUTURE_SKEW_SECONDS
    ):
        raise WebhookRejected("token_in_future")
    claimed = claims.get("request_body_sha256")
    if not isinstance(claimed, str):
        raise WebhookRejected("bad_body_hash")
    # The raw bytes, never re-serialised JSON: the hash is whitespace-sensitive by design.
    actual = hashlib.sha256(body).hexdigest()
    if not hmac.compare_digest(actual.encode(), claimed.encode()):
        raise WebhookRejected("bad_body_hash")
    payload = _payload(body)
    # A genuine delivery meant for another deployment (a Sandbox item's webhook pointed at
    # Production) must not act on our items.
    if payload.get("environment") != plaid_config.token_environment():
        raise WebhookRejected("wrong_environment", 400)
    return VerifiedWebhook(
        body=body, token=token, iat=iat, kid=kid, body_sha256=actual, payload=payload
    )


def _payload(body: bytes) -> dict[str, Any]:
    try:
        value = json.loads(body)
    except (UnicodeDecodeError, ValueError, RecursionError):
        return {}
    return value if isinstance(value, dict) else {}


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
