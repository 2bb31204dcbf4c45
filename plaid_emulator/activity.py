"""Things that happen to an item after linking: new activity, refreshes, errors, and the
webhooks Plaid sends about them."""

from __future__ import annotations

import time
import uuid
from datetime import date, timedelta

from . import data, loans, recurring, recurring_api
from .errors import PlaidError
from .store import Item, iso


def sync_updates(emu, item: Item) -> None:
    # Plaid only sends SYNC_UPDATES_AVAILABLE once /transactions/sync has been called.
    if item.synced_once:
        emu.fire(
            item,
            "TRANSACTIONS",
            "SYNC_UPDATES_AVAILABLE",
            initial_update_complete=item.stage >= 1,
            historical_update_complete=item.stage >= 2,
        )


def legacy(emu, item: Item, code: str, new_transactions: int) -> None:
    emu.fire(item, "TRANSACTIONS", code, new_transactions=new_transactions, error=None)


def on_stage(emu, item: Item, stage: int, new_count: int) -> None:
    legacy(emu, item, "INITIAL_UPDATE" if stage == 1 else "HISTORICAL_UPDATE", new_count)
    sync_updates(emu, item)


def _post(rng, item: Item, t: data.Txn, day: date) -> data.Txn:
    amount = t.amount
    if t.merchant.primary == "FOOD_AND_DRINK" and rng.random() < 0.5:
        amount = round(amount * 1.18, 2)  # a tip added when the restaurant settles
    posted = data.Txn(
        data.new_id(rng),
        t.account_id,
        amount,
        day.isoformat(),
        t.authorized_date,
        t.merchant,
        False,
        t.transaction_id,
    )
    item.remove(t.transaction_id)
    item.add(posted)
    return posted


def _spending_accounts(item: Item) -> list[str]:
    return [a["account_id"] for a in item.accounts[:3] if a["subtype"] != "savings"]


def refresh(emu, item: Item) -> None:
    """user_transactions_dynamic: post the pending transactions, add new pending ones, add
    $1.00 to one amount and send the webhooks. Other users have nothing new."""
    if item.username != "user_transactions_dynamic":
        return
    with emu.store.lock:
        rng = emu.store.rng(item)
        today = item.today
        pending = [t for t in item.txns.values() if t.pending]
        removed_ids = [t.transaction_id for t in pending]
        just_posted = {_post(rng, item, t, today).transaction_id for t in pending}
        # The corrected amount is an older posted one, so a client sees it as modified.
        posted = [
            t for t in item.txns.values() if not t.pending and t.transaction_id not in just_posted
        ]
        if posted:
            victim = rng.choice(posted)
            item.modify(victim.transaction_id, amount=round(victim.amount + 1.0, 2))
        accts = _spending_accounts(item)
        fresh = [data.spending(rng, rng.choice(accts), today, pending=True) for _ in range(3)]
        item.add_many(fresh)
        item.rng_state = rng.getstate()
        item.last_update = time.time()
    sync_updates(emu, item)
    legacy(emu, item, "DEFAULT_UPDATE", len(fresh) + len(pending))
    if removed_ids:
        emu.fire(
            item,
            "TRANSACTIONS",
            "TRANSACTIONS_REMOVED",
            removed_transactions=removed_ids,
            error=None,
        )


def _recent_posted(item: Item, rng, window: int = 200):
    """A posted, shared transaction from the recent end of the change log, or None. Walks
    back at most `window` log entries, so the cost does not grow with history size."""
    log, txns = item.log, item.txns
    seen, cands = set(), []
    for i in range(len(log) - 1, max(-1, len(log) - 1 - window), -1):
        t = txns.get(log[i][1])
        if t is not None and not t.pending and t.transaction_id not in seen:
            seen.add(t.transaction_id)
            cands.append(t)
    return rng.choice(cands) if cands else None


def advance(emu, item: Item, days: int) -> dict:
    """Move the item's clock forward a day at a time. Each day yesterday's pending purchases
    post (removed + added with pending_transaction_id), now and then one falls off instead
    (an expired authorisation hold: removed), 1-4 new pending purchases arrive, and now and
    then a recent posted transaction is corrected (modified)."""
    stats = {"added": 0, "posted": 0, "modified": 0, "removed": 0, "recurring": 0}
    with emu.store.lock:
        rng = emu.store.rng(item)
        accts = _spending_accounts(item)
        before = recurring_api.signature(item)
        for _ in range(days):
            item.today += timedelta(days=1)
            for t in [t for t in item.txns.values() if t.pending]:
                if rng.random() < 0.1:
                    item.remove(t.transaction_id)
                    stats["removed"] += 1
                else:
                    _post(rng, item, t, item.today)
                    stats["posted"] += 1
            for _ in range(rng.choice((1, 2, 3, 4))):
                item.add(data.spending(rng, rng.choice(accts), item.today, pending=True))
                stats["added"] += 1
            for a in [a for a in item.accounts if loans.is_due(a, item.today)]:
                paid, interest = loans.split(a, item.balances(a)["current"])
                item.add_many(data.loan_payment(rng, a, item.today, paid, interest))
                stats["added"] += 2
            if rng.random() < 0.3:
                t = _recent_posted(item, rng)
                if t is not None:
                    # A merchant's correction of a settled amount.
                    item.modify(t.transaction_id, amount=round(t.amount + 1.0, 2))
                    stats["modified"] += 1
            stats["recurring"] += recurring.advance_day(item)
        item.rng_state = rng.getstate()
        item.last_update = time.time()
        after = recurring_api.signature(item)
    sync_updates(emu, item)
    legacy(emu, item, "DEFAULT_UPDATE", stats["added"] + stats["posted"])
    recurring_update(emu, item, sorted(k for k in after if after[k] != before.get(k)))
    wealth_updates(emu, item)
    return stats


def recurring_update(emu, item: Item, account_ids: list[str]) -> None:
    """RECURRING_TRANSACTIONS_UPDATE for the shared accounts whose streams changed."""
    shared = {a["account_id"] for a in item.shared_accounts()}
    changed = [a for a in account_ids if a in shared]
    if changed and item.stage >= 2:
        emu.fire(item, "TRANSACTIONS", "RECURRING_TRANSACTIONS_UPDATE", account_ids=changed)


def wealth_updates(emu, item: Item) -> None:
    """A new day moves prices and may bring dividends, contributions and loan payments: Plaid
    tells an item with the products through their own DEFAULT_UPDATE webhooks."""
    if "investments" in item.products:
        fire_typed(emu, item, "HOLDINGS", "DEFAULT_UPDATE")
        fire_typed(emu, item, "INVESTMENTS_TRANSACTIONS", "DEFAULT_UPDATE")
    if "liabilities" in item.products:
        fire_typed(emu, item, "LIABILITIES", "DEFAULT_UPDATE")


def append_volume(emu, item: Item, count: int, days: int = 730) -> int:
    with emu.store.lock:
        rng = emu.store.rng(item)
        txns = data.bulk(rng, item.shared_accounts() or item.accounts, item.today, count, days)
        item.add_many(txns)
        item.rng_state = rng.getstate()
    sync_updates(emu, item)
    return len(txns)


def login_required(emu, item: Item) -> None:
    item.error = "ITEM_LOGIN_REQUIRED"
    item.version += 1
    emu.fire(item, "ITEM", "ERROR", error=PlaidError("ITEM_LOGIN_REQUIRED").webhook_body())


def new_accounts(
    emu, item: Item, name: str | None = None, subtype: str | None = None
) -> dict | None:
    """Reveal an account the user has not shared (the sandbox webhook adds one only if none
    is pending; the control API always adds the one asked for) and send
    NEW_ACCOUNTS_AVAILABLE. Returns the new account, if any."""
    acct = None
    with emu.store.lock:
        custom = name is not None or subtype is not None
        if custom or not any(not a["selected"] for a in item.accounts):
            rng = emu.store.rng(item)
            acct = data.extra_account(rng, name, subtype)
            item.accounts.append(acct)
            for t in data.extra_account_history(rng, acct, item.today):
                item.add(t)  # not logged for sync until the user shares the account
            item.rng_state = rng.getstate()
            item.version += 1
    emu.fire(item, "ITEM", "NEW_ACCOUNTS_AVAILABLE", error=None)
    return acct


def _first_account(item: Item, *types: str) -> str:
    accts = [a for a in item.shared_accounts() if not types or a["type"] in types]
    return (accts or item.shared_accounts() or item.accounts)[0]["account_id"]


def fire_typed(emu, item: Item, webhook_type: str, code: str) -> bool | None:
    """The product webhooks other than Transactions; None when (type, code) is not one."""
    if code == "DEFAULT_UPDATE" and webhook_type == "HOLDINGS":
        return emu.fire(item, "HOLDINGS", code, new_holdings=1, updated_holdings=0, error=None)
    if code == "DEFAULT_UPDATE" and webhook_type == "INVESTMENTS_TRANSACTIONS":
        return emu.fire(
            item,
            "INVESTMENTS_TRANSACTIONS",
            code,
            new_investments_transactions=1,
            cancelled_investments_transactions=0,
            error=None,
        )
    if code == "DEFAULT_UPDATE" and webhook_type == "LIABILITIES":
        return emu.fire(
            item,
            "LIABILITIES",
            code,
            account_ids_with_new_liabilities=[],
            account_ids_with_updated_liabilities={
                a["account_id"]: ["last_statement_balance", "next_payment_due_date"]
                for a in item.shared_accounts()
                if a["subtype"] in ("credit card", "mortgage", "student")
            },
            error=None,
        )
    if code == "SMS_MICRODEPOSITS_VERIFICATION":
        return emu.fire(
            item,
            "AUTH",
            code,
            status="MANUALLY_VERIFIED",
            account_id=_first_account(item, "depository"),
        )
    if code == "PRODUCT_READY":
        if webhook_type == "ASSETS":
            return emu.fire(item, "ASSETS", code, asset_report_id=str(uuid.uuid4()))
        return emu.fire(item, "INCOME", code)
    if code == "RECURRING_TRANSACTIONS_UPDATE":
        return emu.fire(
            item,
            "TRANSACTIONS",
            code,
            account_ids=[a["account_id"] for a in item.shared_accounts()],
        )
    if code == "USER_ACCOUNT_REVOKED":
        return emu.fire(item, "ITEM", code, account_id=_first_account(item))
    if code == "AUTHORIZATION_GRANTED":
        return emu.fire(item, "ITEM", code)
    return None


def fire_named(emu, item: Item, code: str, new_transactions=None, webhook_type=None) -> bool:
    """What /sandbox/item/fire_webhook and /emulator/items/{id}/fire_webhook do per code."""
    now = time.time()
    typed = fire_typed(emu, item, webhook_type or "", code)
    if typed is not None:
        return typed
    if code in ("SYNC_UPDATES_AVAILABLE", "DEFAULT_UPDATE"):
        if new_transactions:
            append_volume(emu, item, int(new_transactions))
        if code == "SYNC_UPDATES_AVAILABLE":
            return emu.fire(
                item,
                "TRANSACTIONS",
                code,
                initial_update_complete=item.stage >= 1,
                historical_update_complete=item.stage >= 2,
            )
        return emu.fire(
            item, "TRANSACTIONS", code, new_transactions=new_transactions or 0, error=None
        )
    if code in ("INITIAL_UPDATE", "HISTORICAL_UPDATE"):
        return emu.fire(
            item, "TRANSACTIONS", code, new_transactions=new_transactions or 0, error=None
        )
    if code == "ERROR":
        login_required(emu, item)
        return True
    if code == "NEW_ACCOUNTS_AVAILABLE":
        new_accounts(emu, item)
        return True
    if code == "LOGIN_REPAIRED":
        item.error = None
        item.version += 1
        return emu.fire(item, "ITEM", code)
    if code == "USER_PERMISSION_REVOKED":
        return emu.fire(
            item, "ITEM", code, error=PlaidError("USER_PERMISSION_REVOKED").webhook_body()
        )
    if code == "PENDING_EXPIRATION":
        item.consent_expiration_time = now + 7 * 86400
        item.version += 1
        return emu.fire(item, "ITEM", code, consent_expiration_time=iso(now + 7 * 86400))
    if code == "PENDING_DISCONNECT":
        return emu.fire(
            item,
            "ITEM",
            code,
            reason="INSTITUTION_TOKEN_EXPIRATION",
            disconnect_time=iso(now + 7 * 86400),
        )
    if code == "WEBHOOK_UPDATE_ACKNOWLEDGED":
        return emu.fire(item, "ITEM", code, new_webhook_url=item.webhook, error=None)
    raise PlaidError("INVALID_FIELD", f"webhook_code {code} is not supported")
