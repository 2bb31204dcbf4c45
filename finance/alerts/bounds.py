"""Budgets a sync cannot have moved to their next level are not read.

Reading a budget means aggregating its month's rows: the alerts hook's costliest step, paid by
every sync for every budget its rows count towards, most of which stay far from 80%. So the hook
keeps, per user and month, an upper bound of each budget's spending: the figure its last full
read found, plus every sync's new rows since. A sync adds its own rows' outflows to the budgets
they count towards; a budget whose bound stays below its next level (80%, or 100% once 80% was
told) cannot have reached it and is not read. Any other budget is read in full, which resets its
bound to the exact figure.

Why the bound holds (it must never be below what was spent, or an alert would be missed):
- A sync raises a budget only through the rows it announces (added or modified, their current
  category and amount read after the other hooks ran). A row it removes only lowers totals; a
  sync that removes rows drops every bound all the same (a pending row that posts moves what
  the user set on it to its successor). Transfers linked by the hooks only lower totals.
- Every other change to what totals read (a category, a split, an exclusion, a transfer undone,
  a rule applied to old rows, an import) bumps the user's edits version, and a rates refresh the
  rates version; a budget changed, or an alert turned off (syncs then pass without adding to
  the bounds) and on, bumps its own: the bounds are kept under all of them
  (finance.alerts.standing's stamp), so any such change starts them afresh.
- A row in another currency than the budget's, a split row, a rollover budget or a budget of
  nothing: read in full.
- Two hooks of one user run one after the other here (a PostgreSQL advisory lock, held by the
  transaction; SQLite takes its write lock at BEGIN): a sync committed before a full read
  is counted by the read and again by its own hook (a bound too high, which costs a read), and
  one committed after it is added by its own hook.
With the cache down, nothing is kept and every budget touched is read, as before.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal

from django.core.cache import cache
from django.db import connection, transaction

from ..budgets.report import BudgetLine, amount_for
from ..models import Budget
from .standing import Standing

# Kept a little past the month they bound (keys name the month).
BOUNDS_SECONDS = 40 * 24 * 3600
# pg_advisory_xact_lock(class, user): the class names this lock among the site's.
LOCK_CLASS = 0x4C42


@dataclass(frozen=True)
class News:
    """One group of a sync's announced rows dated this month: their category columns, their
    currency and what went out (positive amounts), counted rows only."""

    columns: tuple[str, str, str]
    currency: str
    official: bool
    out: Decimal


def bounds_key(user_id: int, month: dt.date, stamp: str) -> str:
    return f"finance:budget-bounds:{user_id}:{month:%Y-%m}:{stamp}"


# The syncs whose rows the bounds hold, so a second delivery adds nothing (the last ones only).
SEEN_SYNCS = 500


class Bounds:
    """One evaluation's view of the user's bounds, inside the lock (bounds_held)."""

    def __init__(self, kept: dict | None):
        kept = kept or {}
        self.kept: dict[int, Decimal] = dict(kept.get("budgets", {}))
        self.seen: list[int] = list(kept.get("seen", []))

    def saved(self) -> dict:
        return {"budgets": self.kept, "seen": self.seen[-SEEN_SYNCS:]}

    def unreachable(
        self,
        budgets: list[Budget],
        standing: Standing,
        month: dt.date,
        news: Iterable[News],
        next_level: dict[int, int],
        *,
        sync: int,
    ) -> list[Budget]:
        """Of `budgets` (spending budgets, not told at 100% this month), those whose bound, with
        this sync's outflows added (once: `sync` is the announcement's id), stays below their
        next level. Their bounds are raised (saved when the lock is let go); the others must be
        read."""
        if sync in self.seen:
            news = ()
        else:
            self.seen.append(sync)
        raised = _raised(budgets, standing, news)
        out = []
        for b in budgets:
            before, added = self.kept.get(b.pk), raised.get(b.pk)
            amount = amount_for(b, standing.plans.get(b.pk, []), month)
            if before is None or added is None or b.rollover or not amount or amount <= 0:
                continue
            bound = before + added
            if bound * 100 < amount * next_level[b.pk]:
                self.kept[b.pk] = bound
                out.append(b)
        return out

    def read(self, lines: list[BudgetLine]) -> None:
        """Budgets just read in full: their exact figure is the new bound."""
        for line in lines:
            self.kept[line.budget.pk] = line.spent


@contextmanager
def bounds_held(*, user, month: dt.date, standing: Standing, fresh: bool) -> Iterator[Bounds]:
    """The user's bounds for this month, locked against the user's other alert evaluations
    until the block ends (then saved; not when it raised). `fresh`: start from none (a sync
    that removed rows)."""
    key = bounds_key(user.pk, month, standing.stamp) if standing.stamp else None
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [LOCK_CLASS, user.pk])
        bounds = Bounds(None if fresh or key is None else cache.get(key))
        yield bounds
        if key is not None:
            cache.set(key, bounds.saved(), BOUNDS_SECONDS)


def _raised(budgets: list[Budget], standing: Standing, news: Iterable[News]) -> dict[int, Decimal]:
    """{budget pk: what this sync's rows add to it}; a budget reached by a row in another
    currency is left out (it is read)."""
    book, targets = standing.categories, standing.targets
    raised = {b.pk: Decimal(0) for b in budgets}
    if book is None or targets is None:
        return raised
    for group in news:
        category = book.resolve(*group.columns)
        if not book.counts(category):
            continue
        for b in targets.of(category):
            if b.pk not in raised:
                continue
            if not group.official or group.currency != b.currency:
                del raised[b.pk]
            else:
                raised[b.pk] += group.out
    return raised
