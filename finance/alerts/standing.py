"""What the alerts hook reads of a user's standing choices, kept in this process between syncs.

Every sync's hook needs the user's alert preferences, budgets (with their month-by-month
amounts) and category tree: five queries and a tree built in Python, for settings that change a
few times a month. They are kept here, per process, under the cache's version keys that every
change of them bumps (finance.versions: categories and everything a total reads; the budgets'
version: budget_set, budget_delete, the copy helpers; the preferences' version: every save;
the rates' version, for what finance.alerts.bounds keys with it).
A version missing from the cache (Redis down, or never bumped yet) means nothing is kept: the
choices are read each time, as before. The book handed out carries a fresh memo each time (its
memo holds one evaluation's split rows).
"""

from __future__ import annotations

import time
from collections import OrderedDict
from dataclasses import dataclass
from functools import cached_property
from threading import Lock

from django.core.cache import cache

from .. import access
from ..budgets.report import Plan, budget_plans, budgets_version_key
from ..budgets.spending import BudgetTargets
from ..categories import CategoryBook, category_book
from ..models import Budget
from ..versions import RATES_VERSION_KEY, edits_version_key, versions_stamp
from .preferences import Preference, alert_preferences, preferences_version_key

# Users whose choices one process keeps (a worker serves many; each entry is ~130 categories).
KEPT_USERS = 256


@dataclass(frozen=True)
class Standing:
    prefs: dict[str, Preference]
    budgets: list[Budget]
    plans: dict[int, Plan]
    categories: CategoryBook | None
    # The versions these were read under (finance.alerts.bounds keys its figures with them);
    # None when the cache did not have them all.
    stamp: str | None = None

    @cached_property
    def targets(self) -> BudgetTargets | None:
        """Which budgets a row of each category counts towards (all the user's budgets)."""
        if self.categories is None:
            return None
        return BudgetTargets(self.categories, self.budgets)

    def book(self) -> CategoryBook | None:
        """The category tree with a memo of its own (the memo is one evaluation's)."""
        return self.categories.fresh() if self.categories is not None else None


_kept: OrderedDict[int, Standing] = OrderedDict()
_lock = Lock()


def standing_for(user) -> Standing:
    keys = [
        edits_version_key(user.pk),
        budgets_version_key(user.pk),
        preferences_version_key(user.pk),
        RATES_VERSION_KEY,
    ]
    versions, complete = versions_stamp(keys)
    # The user's own sign-up time too: a test database reuses primary keys.
    stamp = f"{user.date_joined.timestamp()}:{versions}"
    with _lock:
        kept = _kept.get(user.pk)
    if complete and kept is not None and kept.stamp == stamp:
        return kept
    standing = _read(user, stamp if complete else None)
    if not complete:
        # Not kept until every version exists: set the missing ones, for the next sync (a
        # Redis that is down sets nothing, and nothing is ever kept).
        now = time.time_ns()
        for key in keys:
            cache.add(key, now, None)
        return standing
    with _lock:
        _kept[user.pk] = standing
        _kept.move_to_end(user.pk)
        while len(_kept) > KEPT_USERS:
            _kept.popitem(last=False)
    return standing


def _read(user, stamp: str | None) -> Standing:
    budgets = list(access.budgets_visible(user))
    return Standing(
        stamp=stamp,
        prefs=alert_preferences(user=user),
        budgets=budgets,
        plans=budget_plans(budgets) if budgets else {},
        categories=category_book(user=user) if budgets else None,
    )
