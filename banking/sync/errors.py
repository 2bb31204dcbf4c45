"""What a sync raises: coalesced, not allowed, not needed, aborted, or failed (and if retryable)."""

from __future__ import annotations

from ..models import SyncRun


class SyncError(Exception):
    pass


class SyncInProgress(SyncError):
    """Another sync of this item is running; this request was coalesced into it."""


class SyncNotAllowed(SyncError):
    """The item is revoked or being removed."""


class SyncNotNeeded(SyncError):
    """A daily request that a sync succeeding after it already answered (a redelivered or
    re-dispatched message)."""


class SyncAborted(SyncError):
    """The run lost its claim (reclaimed as stuck) or the cursor moved under it."""


class SyncFailed(SyncError):
    def __init__(self, run: SyncRun, error: Exception) -> None:
        self.run = run
        self.error = error
        self.error_code = getattr(error, "error_code", "") or type(error).__name__
        self.retryable = bool(getattr(error, "retryable", False))
        super().__init__(f"sync of item {run.item_id} failed: {self.error_code}")
