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
from .rule_engine import RuleSet
from .rule_writes import MetaRow
from .rules import rules_active, rules_apply, rules_write

PREPARER = "finance.rules"


class RulesPreparer:
    def __init__(self, user, rules: RuleSet):
        self.user = user
        self.rules = rules
        self.stamp = rules.stamp
        # The page being written: what to write once its rows have pks.
        self._metas: dict[str, tuple[str, bool, bool, list[str]]] = {}
        self._tags: dict[str, list[str]] = {}
        # Inserted rows' meta columns and tags, written a batch at a time: per page, the
        # statements' own cost outweighs their rows'.
        self._held_metas: list[MetaRow] = []
        self._held_tags: dict[int, list[str]] = {}

    def prepare(self, rows: list[dict[str, Any]]) -> dict[str, tuple[str, str]]:
        """rules.row_plan for rows that have nothing on them yet (nothing set by hand, by a
        rule or before rules): every field the rules set is written, and rule_fields names
        them all. tests/sync/test_prewrite.py checks that a full row_plan pass agrees."""
        filled: dict[str, tuple[str, str]] = {}
        self._metas, self._tags = {}, {}
        outcome = self.rules.outcome
        for row in rows:
            t_id = row["transaction_id"]
            out = outcome(row)
            if not out:
                # Decided too: the rules leave this row alone.
                filled[t_id] = ("", "")
                continue
            tags = out.pop("tags", None)
            if tags:
                self._tags[t_id] = tags
            filled[t_id] = (out.get("category", ""), out.get("notes", ""))
            if out:
                self._metas[t_id] = (
                    out.get("display_name", ""),
                    out.get("excluded", False),
                    out.get("transfer", False),
                    sorted(out),
                )
        return filled

    def inserted(self, pks: dict[str, int]) -> None:
        self._held_metas.extend((pks[t_id], *m) for t_id, m in self._metas.items() if t_id in pks)
        self._held_tags.update(
            (pks[t_id], names) for t_id, names in self._tags.items() if t_id in pks
        )
        self._metas, self._tags = {}, {}
        if len(self._held_metas) + len(self._held_tags) >= batch_size():
            self.finish()

    def finish(self) -> None:
        rules_write(self.user, [], self._held_metas, self._held_tags, new=True)
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
