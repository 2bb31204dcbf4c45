"""A Redis cache that degrades instead of failing when Redis is unreachable.

Rate limits, Plaid key caches and throttles live in the cache. If Redis is down, pages that do
not need it must still render (a slow or crashing login page would be worse than a throttle that
fails open for a few minutes), so connection errors are logged and treated as cache misses.
"""

import logging

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

_ERRORS = (RedisConnectionError, RedisTimeoutError, OSError)


def _tolerant(name, fallback):
    def method(self, *args, **kwargs):
        try:
            return getattr(super(ResilientRedisCache, self), name)(*args, **kwargs)
        except _ERRORS as exc:
            logger.warning("cache unavailable during %s: %s", name, exc.__class__.__name__)
            return fallback(*args, **kwargs) if callable(fallback) else fallback

    method.__name__ = name
    return method


class SharedClientRedisCacheClient(RedisCacheClient):
    """One redis.Redis per connection pool, made once. Django's client builds a new one for
    every cache call, and redis-py's constructor copies its table of ~170 response callbacks
    each time: two cache calls cost a webhook delivery more CPU than verifying its signature.
    A redis.Redis on a pool is safe to share between threads (each command borrows a
    connection from the pool), and the pool itself notices a fork."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(pool)
        if client is None:
            client = self._clients.setdefault(pool, self._client(connection_pool=pool))
        return client


class ResilientRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = SharedClientRedisCacheClient

    get = _tolerant("get", lambda key, default=None, version=None: default)
    set = _tolerant("set", None)
    add = _tolerant("add", True)
    delete = _tolerant("delete", False)
    touch = _tolerant("touch", False)
    get_many = _tolerant("get_many", lambda *a, **k: {})
    set_many = _tolerant("set_many", lambda *a, **k: [])
    delete_many = _tolerant("delete_many", None)
    has_key = _tolerant("has_key", False)
    incr = _tolerant("incr", lambda key, delta=1, version=None: delta)
