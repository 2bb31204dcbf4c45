"""Cache version keys: bumping one retires every cached total computed before it."""

import time

from django.core.cache import cache
from django.db import transaction


def edits_version_key(user_id: int) -> str:
    return f"finance:edits:{user_id}"


def synced_version_key(user_id: int) -> str:
    return f"finance:synced:{user_id}"


# Bumped by every rates load or refresh: converted totals computed before it are stale.
RATES_VERSION_KEY = "finance:rates:version"


def versions_stamp(keys: list[str]) -> tuple[str, bool]:
    """The versions under these keys in one string (a missing one reads as 0), and whether the
    cache had them all (it has none while Redis is down)."""
    versions = cache.get_many(keys)
    return ":".join(str(versions.get(k, 0)) for k in keys), len(versions) == len(keys)


def totals_changed(user_id: int) -> None:
    """The user changed something every total reads (a category, a split, a transfer, what a
    rule set): the cached totals (the dashboard's month, the budget card) computed before are
    retired at once and again when the change commits (a page read in between cached what the
    transaction had not committed yet). A sync's changes are retired by its announcement
    (finance.hooks.spending_cache_retire) instead, so the hooks need not call this."""
    version_bump(edits_version_key(user_id))


def version_bump(key: str) -> None:
    """Retire what was cached under this version: at once, and again when the change commits
    (a read in between may have kept what the transaction had not committed yet)."""
    _bump(key)
    transaction.on_commit(lambda: _bump(key))


def _bump(key: str) -> None:
    cache.set(key, time.time_ns(), None)
