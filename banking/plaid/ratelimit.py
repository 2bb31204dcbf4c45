"""Outbound rate limiting for Plaid, shared by every web and worker process through Redis.

banking.plaid.client calls `acquire(endpoint, item)` before each request. Limits are sliding windows
(a Redis sorted set of call times per key), checked and recorded for all keys of a call in one
Lua script, so no 60-second window ever holds more calls than Plaid allows:

- per item: Plaid's documented Production limits (/transactions/sync 50/min, /item/get 15/min,
  /accounts/get 15/min, /transactions/refresh 2/min, ...);
- per client: PLAID_CLIENT_RATE_LIMIT_PER_MINUTE across all endpoints, plus Plaid's lowest
  documented per-client limit of each endpoint;
- user-triggered calls (Link: link tokens and public token exchanges) also share their own
  smaller window, PLAID_USER_CALLS_PER_MINUTE, so people clicking "Connect" can never spend the
  budget the syncs need (each person is throttled before that too: `window_try` below, called
  by banking.link).

Over budget, acquire **waits** for a free slot when that is at most the caller's patience
(PLAID_RATE_LIMIT_MAX_WAIT_SECONDS, default 5 s; the sync loop raises it with `patience()` since
it holds no database transaction and restarting a long pagination would waste calls), and
otherwise **raises `RateLimited`**: a PlaidError subclass, retryable, error_code
`RATE_LIMITED_LOCALLY`. The Celery task retries later with backoff; a view shows "try again".

If Redis is unreachable the limiter fails open (logs a warning): Plaid's own 429 is then the
backstop, and it is retryable too.
"""

from __future__ import annotations

import contextlib
import contextvars
import logging
import time
import uuid
from collections.abc import Iterator
from typing import Any

import redis
from django.conf import settings
from django.core.cache import cache

from ..models import PlaidItem
from .errors import PlaidError

logger = logging.getLogger(__name__)

WINDOW_SECONDS = 60

# Plaid's documented per-item limits (Production; Sandbox is laxer), calls per minute.
ITEM_LIMITS = {
    "transactions_sync": 50,
    "item_get": 15,
    "accounts_get": 15,
    "transactions_refresh": 2,
    "transactions_get": 30,
    "item_remove": 30,
    "accounts_balance_get": 5,
}
# The lower of Plaid's documented Sandbox and Production per-client limits, calls per minute.
CLIENT_ENDPOINT_LIMITS = {
    "transactions_sync": 1000,
    "item_get": 5000,
    "accounts_get": 5000,
    "transactions_refresh": 100,
    "institutions_get_by_id": 400,
    "item_remove": 500,
}

# Endpoints a person's click calls directly; the rest are called by our own workers.
USER_TRIGGERED = frozenset({"link_token_create", "item_public_token_exchange"})


class RateLimited(PlaidError):
    """Our own budget is spent; retry later. A PlaidError, so every caller already handles it
    (retryable, error_type RATE_LIMIT_EXCEEDED like Plaid's own 429s)."""

    def __init__(self, endpoint: str, wait_seconds: float):
        self.endpoint = endpoint
        self.wait_seconds = wait_seconds
        super().__init__(
            "RATE_LIMITED_LOCALLY",
            f"{endpoint}: over budget, next slot in {wait_seconds:.1f}s",
            error_type="RATE_LIMIT_EXCEEDED",
            status=429,
            retryable=True,
        )


_patience: contextvars.ContextVar[float | None] = contextvars.ContextVar(
    "plaid_rate_limit_patience", default=None
)


@contextlib.contextmanager
def patience(seconds: float) -> Iterator[None]:
    """Inside this block acquire() waits up to `seconds` for a slot before raising."""
    token = _patience.set(seconds)
    try:
        yield
    finally:
        _patience.reset(token)


# KEYS: the windows to check; ARGV: now_ms, window_ms, member, then one limit per key.
# Returns 0 when the call is recorded in every window, else the milliseconds until a slot.
_SCRIPT = """
local now = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local wait = 0
for i, key in ipairs(KEYS) do
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
  local limit = tonumber(ARGV[3 + i])
  if redis.call('ZCARD', key) >= limit then
    local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
    local w = tonumber(oldest[2]) + window - now
    if w > wait then wait = w end
  end
end
if wait > 0 then return wait end
for i, key in ipairs(KEYS) do
  redis.call('ZADD', key, now, ARGV[3])
  redis.call('PEXPIRE', key, window)
end
return 0
"""

# One client (and registered script) per Redis location, so a changed CACHES setting (a test
# pointing at a dead Redis) is honoured like the cache itself honours it.
_scripts: dict[str, Any] = {}


def _redis() -> Any:
    location = settings.CACHES["default"]["LOCATION"]
    script = _scripts.get(location)
    if script is None:
        timeout = settings.REDIS_SOCKET_TIMEOUT
        client = redis.Redis.from_url(
            location, socket_timeout=timeout, socket_connect_timeout=timeout
        )
        script = _scripts[location] = client.register_script(_SCRIPT)
    return script


def endpoint_key(endpoint: str) -> str:
    """'/transactions/sync', 'transactions/sync' and 'transactions_sync' are one endpoint."""
    return endpoint.strip("/").replace("/", "_")


def limits_for(endpoint: str, item: PlaidItem | None) -> list[tuple[str, int]]:
    name = endpoint_key(endpoint)
    budget = int(settings.PLAID_CLIENT_RATE_LIMIT_PER_MINUTE)
    # Keys go through the cache's prefix so parallel test runs never share counters.
    windows = [(cache.make_key("plaid-rl:client"), budget)]
    if name in CLIENT_ENDPOINT_LIMITS:
        windows.append((cache.make_key(f"plaid-rl:client:{name}"), CLIENT_ENDPOINT_LIMITS[name]))
    if name in USER_TRIGGERED:
        windows.append(
            (cache.make_key("plaid-rl:client:user"), int(settings.PLAID_USER_CALLS_PER_MINUTE))
        )
    if item is not None and name in ITEM_LIMITS:
        windows.append((cache.make_key(f"plaid-rl:item:{item.item_id}:{name}"), ITEM_LIMITS[name]))
    return windows


def window_try(windows: list[tuple[str, int]], seconds: int = WINDOW_SECONDS) -> float:
    """Record one event in every sliding window (key, limit) of `seconds` if each has room:
    0.0; else the seconds until one may. Keys are raw Redis keys (pass them through
    cache.make_key). Raises redis errors: the caller decides between failing open or closed."""
    keys = [k for k, _ in windows]
    args = [int(time.time() * 1000), seconds * 1000, uuid.uuid4().hex]
    args += [limit for _, limit in windows]
    wait_ms = _redis()(keys=keys, args=args)
    return max(0.0, int(wait_ms) / 1000.0)


REDIS_DOWN = (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, OSError)


def try_acquire(endpoint: str, item: PlaidItem | None) -> float:
    """Record one call if every window has room: 0.0; else the seconds until one may."""
    try:
        return window_try(limits_for(endpoint, item))
    except REDIS_DOWN as exc:
        logger.warning("rate limiter unavailable (%s); allowing %s", type(exc).__name__, endpoint)
        return 0.0


def acquire(endpoint: str, item: PlaidItem | None) -> None:
    """Block until a call to `endpoint` for `item` fits every budget, or raise RateLimited."""
    if not settings.PLAID_RATE_LIMIT_ENABLED:
        return
    max_wait = _patience.get()
    if max_wait is None:
        max_wait = float(settings.PLAID_RATE_LIMIT_MAX_WAIT_SECONDS)
    deadline = time.monotonic() + max_wait
    while True:
        wait = try_acquire(endpoint, item)
        if wait <= 0:
            return
        left = deadline - time.monotonic()
        if wait > left:
            raise RateLimited(endpoint, wait)
        # A few ms past the slot, so the oldest call has surely left the window.
        time.sleep(wait + 0.005)
