"""Plaid news that another app acts on and banking itself does not: RECURRING_TRANSACTIONS_UPDATE
says an item's recurring streams changed. banking only keeps this registry (the app that shows
streams registers into it from its AppConfig.ready()), so it never imports that app."""

from __future__ import annotations

import logging
from collections.abc import Callable

from ..models import PlaidItem

logger = logging.getLogger(__name__)

ItemHook = Callable[[PlaidItem], None]
_recurring_hooks: dict[str, ItemHook] = {}


def recurring_hook_register(name: str, fn: ItemHook) -> None:
    """Call fn(item) when Plaid says the item's recurring streams changed. Registering a name
    again replaces it."""
    _recurring_hooks[name] = fn


def recurring_hooks_run(item: PlaidItem) -> int:
    for fn in list(_recurring_hooks.values()):
        fn(item)
    return len(_recurring_hooks)
