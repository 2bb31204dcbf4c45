"""finance's reactions to banking's announcements (banking.outbox): one per committed sync.

Every hook is idempotent: banking delivers an announcement at least once, and again after a
worker died or a hook raised, so running a hook twice must change nothing more.
"""

from django.core.cache import cache

from banking.health.status import item_notice_register
from banking.models import SyncOutbox
from banking.outbox import outbox_hook_register, removal_hook_register
from banking.sync.prewrite import prewrite_hook_register
from banking.webhooks.announce import recurring_hook_register

from .alerts.evaluate import alerts_for_sync, bank_notice, price_alerts
from .carry import carry_restore, carry_stash
from .networth.hooks import networth_snapshot_run
from .recurring.hooks import recurring_hooks_register
from .rule_prewrite import PREPARER, rules_after_sync, rules_preparer
from .selectors import synced_version_key
from .splits import splits_check_resync
from .transfers import transfers_match


def spending_cache_retire(outbox: SyncOutbox) -> None:
    """The sync changed this user's transactions: month totals cached before it are retired.

    The version is the announcement's own id, so delivering it again sets the same value. An
    older announcement delivered late may set a smaller id; that can only revive a cached entry
    whose key also holds the items' cursors as they were then, which the sync has moved.
    """
    if not (outbox.added or outbox.modified or outbox.removed):
        return
    cache.set(synced_version_key(outbox.item.user_id), outbox.pk, None)


def carry_run(outbox: SyncOutbox) -> None:
    """Posted successors of removed pending rows take back what finance had on them."""
    if outbox.added:
        carry_restore(user=outbox.item.user, transaction_ids=outbox.added)


def splits_review(outbox: SyncOutbox) -> None:
    """A split whose parent's amount the bank changed no longer adds up: flag it."""
    if outbox.modified:
        splits_check_resync(user=outbox.item.user, transaction_ids=outbox.modified)


def transfers_run(outbox: SyncOutbox) -> None:
    """Pair new transactions with their other half on another of the user's accounts.
    Idempotent: linked transactions and undone pairs are skipped."""
    if outbox.added:
        transfers_match(user=outbox.item.user, transaction_ids=outbox.added)


def alerts_run(outbox: SyncOutbox) -> None:
    """Budgets, large transactions and low balances after new data. Idempotent: every alert
    is an occurrence claimed under a unique key, so a second delivery tells no one again."""
    alerts_for_sync(outbox)


def hooks_register() -> None:
    # In this order: the totals cache is retired after the rules have changed categories.
    removal_hook_register("finance.carry_stash", carry_stash)
    # Carried first: the fields the user set travel with it, and rules respect them.
    outbox_hook_register("finance.carry_run", carry_run)
    # Rules run as the sync writes new rows; the hook is their safety net (finance.rule_prewrite).
    prewrite_hook_register(PREPARER, rules_preparer)
    outbox_hook_register("finance.rules_run", rules_after_sync)
    outbox_hook_register("finance.transfers_run", transfers_run)
    outbox_hook_register("finance.splits_review", splits_review)
    outbox_hook_register("finance.spending_cache_retire", spending_cache_retire)
    recurring_hooks_register()
    # After the recurring refresh registered just above: it reads the streams it left.
    recurring_hook_register("finance.price_alerts", price_alerts)
    outbox_hook_register("finance.networth_snapshot", networth_snapshot_run)
    # Last: alerts read totals after the rules, transfers and splits have settled the rows.
    outbox_hook_register("finance.alerts_run", alerts_run)
    item_notice_register("finance.bank_notice", bank_notice)
