"""Row preparers: other apps fill in their columns on new rows while the sync writes them.

A rules engine that categorises every row after a first sync of 100,000 rows would UPDATE each
one right after it was INSERTed, rewriting all of the table's indexes a second time. A preparer
registered here (finance registers its rules in FinanceConfig.ready; banking never imports it)
is started once per apply transaction for the item's user and sees every page before its upsert:

- prepare(rows) returns {transaction_id: (category_override, notes)} for the rows it fills in.
  The values are written only where the upsert INSERTs; a row that already exists keeps its own
  (a sync never overwrites those columns), and is left to the outbox hooks.
- inserted(pks) is told the pks of the rows it prepared that were INSERTed, still inside the
  apply transaction, to write its own tables for them.
- finish() is called once after the last page, still inside the transaction (to write what it
  held back to write in fewer statements).
- stamp names what it applied (a rules version): the outbox row records it with the added rows
  that were not prepared, so the hook that runs afterwards (the idempotent safety net) can skip
  the prepared rows when nothing changed in between, and run over everything when it did.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol


class RowPreparer(Protocol):
    stamp: str

    def prepare(self, rows: list[dict[str, Any]]) -> dict[str, tuple[str, str]]: ...

    def inserted(self, pks: dict[str, int]) -> None: ...

    def finish(self) -> None: ...


PreparerStart = Callable[[int], "RowPreparer | None"]
_preparers: dict[str, PreparerStart] = {}


def prewrite_hook_register(name: str, start: PreparerStart) -> None:
    """start(user_id) -> a RowPreparer for one apply transaction, or None (nothing to do).
    Registering a name again replaces it."""
    _preparers[name] = start


class PrewriteRun:
    """The preparers of one apply transaction, and which inserted rows each one prepared."""

    def __init__(self, user_id: int):
        self.active: dict[str, RowPreparer] = {}
        for name, start in list(_preparers.items()):
            preparer = start(user_id)
            if preparer is not None:
                self.active[name] = preparer
        self.prepared: dict[str, set[int]] = {name: set() for name in self.active}

    def __bool__(self) -> bool:
        return bool(self.active)

    def prepare(self, rows: list[dict[str, Any]]) -> dict[str, dict[str, tuple[str, str]]]:
        return {name: p.prepare(rows) for name, p in self.active.items()}

    def written(
        self,
        filled: dict[str, dict[str, tuple[str, str]]],
        inserted: dict[str, int],
        updated: dict[str, int],
    ) -> None:
        """After a page's upsert: `inserted` and `updated` map its transaction_ids to pks."""
        for name, preparer in self.active.items():
            mine = {t_id: pk for t_id, pk in inserted.items() if t_id in filled[name]}
            if mine:
                preparer.inserted(mine)
            done = self.prepared[name]
            done.update(mine.values())
            # Written again by a later page (added, then modified in the same sync): what was
            # prepared from the first version may no longer hold.
            done.difference_update(updated.values())

    def finish(self) -> None:
        for preparer in self.active.values():
            preparer.finish()

    def record(self, added: list[int]) -> dict[str, dict[str, Any]]:
        """What the outbox row keeps: per preparer, its stamp and the added rows it did not
        prepare."""
        return {
            name: {
                "stamp": preparer.stamp,
                "unprepared": [pk for pk in added if pk not in self.prepared[name]],
            }
            for name, preparer in self.active.items()
        }
