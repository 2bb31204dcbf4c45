"""finance's reactions to banking's announcements (banking.outbox): one per committed sync.

Every hook is idempotent: banking delivers an announcement at least once, and again after a
worker died or a hook raised, so running a hook twice must change nothing more.
"""

from django.core.cache import cache

from banking.models import SyncOutbox
from banking.outbox import outbox_hook_register

from .selectors import synced_version_key


def spending_cache_retire(outbox: SyncOutbox) -> None:
    """The sync changed this user's transactions: month totals cached before it are retired.

    The version is the announcement's own id, so delivering it again sets the same value. An
    older announcement delivered late may set a smaller id; that can only revive a cached entry
    whose key also holds the items' cursors as they were then, which the sync has moved.
    """
    if not (outbox.added or outbox.modified or outbox.removed):
        return
    cache.set(synced_version_key(outbox.item.user_id), outbox.pk, None)


def hooks_register() -> None:
    outbox_hook_register("finance.spending_cache_retire", spending_cache_retire)
