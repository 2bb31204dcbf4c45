"""When an item is next due for its daily sync and its daily health check.

Each item has a fixed time of day inside the daily window, derived from a hash of its Plaid id:
the day's work is spread evenly by due times stored on the rows (indexed), never by delayed
messages, so nothing about the day's plan lives in the broker or in a worker's memory.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

from django.conf import settings

REFRESH = "refresh"
HEALTH = "health"
DAY = 24 * 3600
# After a successful sync the next daily slot is at least this far away: an item synced just
# before its slot (a click, its first sync, a run that came due all at once) is not synced
# again minutes later by the daily refresh.
AFTER_SYNC_SECONDS = 12 * 3600


def daily_slot(item_id: str, *, after: datetime, kind: str = REFRESH) -> datetime:
    """The item's next slot strictly after `after`: the window's start (UTC) plus a stable,
    evenly spread offset, on the first day that puts it in the future."""
    window = max(1, min(DAY, settings.DAILY_WINDOW_SECONDS))
    digest = hashlib.sha256(f"{kind}:{item_id}".encode()).digest()
    offset = int.from_bytes(digest[:8], "big") % window
    start = after.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    slot = start + timedelta(seconds=settings.DAILY_WINDOW_START_SECONDS % DAY + offset)
    slot -= timedelta(days=1)
    while slot <= after:
        slot += timedelta(days=1)
    return slot


def daily_slot_after_sync(item_id: str, *, synced_at: datetime) -> datetime:
    return daily_slot(item_id, after=synced_at + timedelta(seconds=AFTER_SYNC_SECONDS))
