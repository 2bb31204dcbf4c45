"""Fetching a sync: every page from the stored cursor, staged in SyncPage with no transaction
open (see banking.sync.service for why)."""

from __future__ import annotations

import json
import logging
from typing import Any

from django.utils import timezone

from .. import plaid as plaid_api
from ..models import PlaidItem, SyncPage, SyncRun
from .apply import PAGE_SIZE

logger = logging.getLogger(__name__)

MAX_RESTARTS = 3
MUTATION = "TRANSACTIONS_SYNC_MUTATION_DURING_PAGINATION"

# (accounts by id, account ids the transactions name, the new cursor, transactions_update_status)
Fetched = tuple[dict[str, dict[str, Any]], set[str], str, str]


def fetch_pages(item: PlaidItem, run: SyncRun, original: str) -> Fetched | None:
    """Stage every page of the update. None when Plaid has nothing yet (NOT_READY)."""
    while True:
        SyncPage.objects.filter(run=run).delete()
        cursor, seq = original, 0
        accounts: dict[str, dict[str, Any]] = {}
        account_ids: set[str] = set()
        try:
            while True:
                page = plaid_api.transactions_sync(item, cursor, count=PAGE_SIZE)
                update_status = page.get("transactions_update_status") or ""
                if update_status == "NOT_READY" and not page["next_cursor"]:
                    return None
                _stage_page(run, seq, page)
                seq += 1
                for account in page["accounts"]:
                    accounts[account["account_id"]] = account
                for txn in page["added"] + page["modified"]:
                    account_ids.add(txn["account_id"])
                cursor = page["next_cursor"]
                run.pages = seq
                SyncRun.objects.filter(pk=run.pk).update(heartbeat_at=timezone.now(), pages=seq)
                if not page["has_more"]:
                    return accounts, account_ids, cursor, update_status
        except plaid_api.PlaidError as exc:
            if exc.error_code != MUTATION or run.restarts >= MAX_RESTARTS:
                raise
            run.restarts += 1
            SyncRun.objects.filter(pk=run.pk).update(restarts=run.restarts)
            logger.info("item %s: data changed mid-pagination, restarting", item.item_id)


def compact(t: dict[str, Any]) -> dict[str, Any]:
    """A transaction as it is staged: the fields we store, cut to their columns' lengths."""
    pfc = t.get("personal_finance_category") or {}
    loc = t.get("location") or {}
    return {
        "transaction_id": t["transaction_id"],
        "account_id": t["account_id"],
        "amount": str(t["amount"]),
        "iso_currency_code": t.get("iso_currency_code") or "",
        "unofficial_currency_code": t.get("unofficial_currency_code") or "",
        "date": t["date"],
        "authorized_date": t.get("authorized_date"),
        "datetime": t.get("datetime"),
        "name": (t.get("name") or "")[:300],
        "merchant_name": (t.get("merchant_name") or "")[:300],
        "logo_url": (t.get("logo_url") or "")[:500],
        "website": (t.get("website") or "")[:300],
        "pending": bool(t.get("pending")),
        "pending_transaction_id": t.get("pending_transaction_id") or "",
        "pfc_primary": (pfc.get("primary") or "")[:64],
        "pfc_detailed": (pfc.get("detailed") or "")[:128],
        "pfc_confidence": (pfc.get("confidence_level") or "")[:16],
        "payment_channel": (t.get("payment_channel") or "")[:16],
        "city": (loc.get("city") or "")[:120],
        "region": (loc.get("region") or "")[:120],
    }


def _stage_page(run: SyncRun, seq: int, page: dict[str, Any]) -> None:
    payload = {
        "added": [compact(t) for t in page["added"]],
        "modified": [compact(t) for t in page["modified"]],
        "removed": [r["transaction_id"] for r in page["removed"]],
    }
    SyncPage.objects.create(run=run, seq=seq, payload=json.dumps(payload))
