"""The net-worth history's reaction to a committed sync (registered in finance.hooks)."""

from banking.models import SyncOutbox

from .backfill import item_backfill
from .snapshots import snapshots_record


def networth_snapshot_run(outbox: SyncOutbox) -> None:
    """Today's balances, then the past reconstructed wherever the sync brought older history.
    Idempotent: both write the same rows again."""
    snapshots_record(item=outbox.item)
    ids = [*outbox.added, *outbox.modified]
    if ids:
        item_backfill(item=outbox.item, transaction_ids=ids)
