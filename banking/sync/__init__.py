"""Transactions sync: requests, the run (fetch, stage, apply), and the runs' bookkeeping.

Callers use this package's names (`from banking import sync`); banking.sync.service says how a
sync works."""

from .errors import (
    SyncAborted,
    SyncError,
    SyncFailed,
    SyncInProgress,
    SyncNotAllowed,
    SyncNotNeeded,
)
from .runs import (
    item_sync_status,
    sync_run_mark_retrying,
    sync_runs_for_item,
)
from .service import (
    NO_SYNC_STATES,
    RefreshUnavailable,
    item_refresh,
    item_refresh_request,
    item_sync,
    item_sync_give_up,
    sync_request,
    sync_runs_reclaim_stuck,
)

__all__ = [
    "NO_SYNC_STATES",
    "RefreshUnavailable",
    "SyncAborted",
    "SyncError",
    "SyncFailed",
    "SyncInProgress",
    "SyncNotAllowed",
    "SyncNotNeeded",
    "item_refresh",
    "item_refresh_request",
    "item_sync",
    "item_sync_give_up",
    "item_sync_status",
    "sync_request",
    "sync_run_mark_retrying",
    "sync_runs_for_item",
    "sync_runs_reclaim_stuck",
]
