"""Rules applied while the sync writes: new rows are inserted already categorised.

Run after the sync, the rules would UPDATE most rows of a first sync right after their INSERT,
rewriting every index of the transactions table twice. Registered as a row preparer
(banking.sync.prewrite, from FinanceConfig.ready through finance.hooks), the same plan
(finance.rules.row_plan) fills category and notes into the rows the sync inserts, and writes
their meta columns and tags in the same transaction.

The outbox hook (rules_after_sync) stays the idempotent safety net: when the announcement says
rules with the stamp of the user's current rules prepared the added rows, it runs over the
modified rows and the added ones that were not prepared only; when the rules changed between
the write and the hook, or the row was written by a sync without preparers, over all of them.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model

from banking.models import SyncOutbox

from .batching import batch_size
from .rule_engine import TEXT_MEMO_SIZE, RuleSet
from .rule_writes import meta_values
from .rules import rules_active, rules_apply, rules_write_new

PREPARER = "finance.rules"


# What the rules decide for one combination of matching rules: (category_override, notes),
# the meta row's values after its transaction pk (None: no meta row), and the tags to add.
Decision = tuple[tuple[str, str], tuple | None, tuple[str, ...]]


class RulesPreparer:
    def __init__(self, user, rules: RuleSet):
        self.user = user
        self.rules = rules
        self.stamp = rules.stamp
        # A bank history matches the same few combinations of rules: each is decided once.
        self._decisions: dict[tuple[int, ...], Decision] = {}
        # The page being written: what to write once its rows have pks.
        self._metas: dict[str, tuple] = {}
        self._tags: dict[str, tuple[str, ...]] = {}
        # Inserted rows' meta rows and tags, written a batch at a time: per page, the
        # statements' own cost outweighs their rows'.
        self._held_metas: list[tuple] = []
        self._held_tags: dict[int, tuple[str, ...]] = {}

    def _decision(self, matched: tuple[int, ...]) -> Decision:
        out = dict(self.rules.decided(matched))
        tags = tuple(out.pop("tags", ()))
        meta = None
        if out:
            meta = meta_values(
                out.get("display_name", ""),
                out.get("excluded", False),
                out.get("transfer", False),
                sorted(out),
            )
        return (out.get("category", ""), out.get("notes", "")), meta, tags

    def prepare(self, rows: list[dict[str, Any]]) -> dict[str, tuple[str, str]]:
        """rules.row_plan for rows that have nothing on them yet (nothing set by hand, by a
        rule or before rules): every field the rules set is written, and rule_fields names
        them all. A row no rule matches is decided too: the rules leave it alone.
        tests/sync/test_prewrite.py checks that a full row_plan pass agrees."""
        filled: dict[str, tuple[str, str]] = {}
        metas: dict[str, tuple] = {}
        tags: dict[str, tuple[str, ...]] = {}
        matched, decisions = self.rules.matched, self._decisions
        for row in rows:
            t_id = row["transaction_id"]
            key = matched(row)
            decision = decisions.get(key)
            if decision is None:
                if len(decisions) >= TEXT_MEMO_SIZE:
                    decisions.clear()
                decision = decisions[key] = self._decision(key)
            filled[t_id], meta, names = decision
            if meta:
                metas[t_id] = meta
            if names:
                tags[t_id] = names
        self._metas, self._tags = metas, tags
        return filled

    def inserted(self, pks: dict[str, int]) -> None:
        held = self._held_metas
        for t_id, meta in self._metas.items():
            pk = pks.get(t_id)
            if pk is not None:
                held.append((pk, *meta))
        self._held_tags.update(
            (pks[t_id], names) for t_id, names in self._tags.items() if t_id in pks
        )
        self._metas, self._tags = {}, {}
        if len(held) + len(self._held_tags) >= batch_size():
            self.finish()

    def finish(self) -> None:
        rules_write_new(self.user, self._held_metas, self._held_tags)
        self._held_metas, self._held_tags = [], {}


def rules_preparer(user_id: int) -> RulesPreparer | None:
    user = get_user_model().objects.filter(pk=user_id).first()
    if user is None:
        return None
    rules = rules_active(user=user)
    return RulesPreparer(user, rules) if rules else None


def rules_after_sync(outbox: SyncOutbox) -> None:
    """The user's rules over every added or modified transaction the sync did not already run
    them on. Idempotent: the outcome is a function of the bank's fields and the rules, written
    only where it differs."""
    ids = [*outbox.added, *outbox.modified]
    if not ids:
        return
    user = outbox.item.user
    done = (outbox.prepared or {}).get(PREPARER)
    if done and done.get("stamp") == rules_active(user=user).stamp:
        ids = [*outbox.modified, *done.get("unprepared", [])]
    rules_apply(user=user, transaction_ids=ids)
