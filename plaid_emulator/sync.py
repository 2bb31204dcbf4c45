"""/transactions/sync paging over an item's change log.

A cursor names (start of the current update, position, log length when the update began).
Pages walk the log from the position; a transaction reported later in the same update is
skipped at its earlier positions, so each id appears once per update, in ascending order of
its last modification. If the log grows while a paginated update is under way, the next page
raises TRANSACTIONS_SYNC_MUTATION_DURING_PAGINATION, as Plaid does.
"""

from __future__ import annotations

import base64
import binascii

from .errors import PlaidError, invalid_field
from .store import MODIFIED, REMOVED, Item

STATUS = ("NOT_READY", "INITIAL_UPDATE_COMPLETE", "HISTORICAL_UPDATE_COMPLETE")


def encode(item: Item, start: int, pos: int, head: int) -> str:
    raw = f"v1|{item.item_id[:8]}|{start}|{pos}|{head}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode(item: Item, cursor: str) -> tuple[int, int, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        version, tag, start, pos, head = raw.split("|")
        start, pos, head = int(start), int(pos), int(head)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise invalid_field("cursor", "is not a valid cursor") from None
    if version != "v1" or tag != item.item_id[:8] or not 0 <= start <= pos <= head <= len(item.log):
        raise invalid_field("cursor", "is not a valid cursor")
    return start, pos, head


def page(item: Item, cursor: str | None, count: int, original: bool = False) -> dict:
    """Build one sync page (without request_id). Call with the store lock held."""
    if not item.synced_once:
        item.synced_once = True
        item.version += 1
    if item.stage == 0:
        # Not an error: empty arrays and an empty cursor until the first pull completes.
        return {
            "accounts": [],
            "added": [],
            "modified": [],
            "removed": [],
            "next_cursor": "",
            "has_more": False,
            "transactions_update_status": STATUS[0],
        }
    log = item.log
    if cursor:
        start, pos, head = decode(item, cursor)
        if pos < head and len(log) != head:
            raise PlaidError("TRANSACTIONS_SYNC_MUTATION_DURING_PAGINATION")
        if pos == head:  # the previous update was fully read: a new one starts here
            start, head = pos, len(log)
    else:
        start, pos, head = 0, 0, len(log)

    added, modified, removed = [], [], []
    last_pos, created_pos, txns = item.last_pos, item.created_pos, item.txns
    i, n = pos, 0
    while i < head and n < count:
        kind, t_id, account_id = log[i]
        i += 1
        if last_pos[t_id] != i - 1:
            continue  # reported at its later position in this update
        fresh = created_pos.get(t_id, -1) >= start
        if kind == REMOVED:
            if fresh:
                continue  # added and removed within one update: the client never saw it
            removed.append({"transaction_id": t_id, "account_id": account_id})
        elif kind == MODIFIED and not fresh:
            modified.append(txns[t_id])
        else:
            added.append(txns[t_id])
        n += 1
    # Skip superseded tail entries so has_more never promises an empty page.
    while i < head and last_pos[log[i][1]] != i:
        i += 1
    has_more = i < head
    touched = (
        {t.account_id for t in added}
        | {t.account_id for t in modified}
        | {r["account_id"] for r in removed}
    )
    return {
        "accounts": [
            item.render_account(a) for a in item.shared_accounts() if a["account_id"] in touched
        ],
        "added": [item.render_txn(t, original) for t in added],
        "modified": [item.render_txn(t, original) for t in modified],
        "removed": removed,
        # A finished update's cursor names only the position, so it is stable when nothing
        # changes; a mid-update cursor also remembers where the update began.
        "next_cursor": encode(item, start if has_more else i, i, head),
        "has_more": has_more,
        "transactions_update_status": STATUS[item.stage],
    }
