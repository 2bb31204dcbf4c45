"""Liabilities and Investments: fetched from Plaid after each sync and on their webhooks, for
items that have the product, and stored as Plaid reports them (banking/models/wealth.py).

Each part is idempotent (the same answer stored twice changes nothing). Investment
transactions refresh incrementally: from a little before the newest one stored (Plaid may add
a late one to a recent day, or cancel one) to the institution's own today, which the holdings'
price dates tell; the first fetch takes Plaid's 24 months.
"""

from __future__ import annotations

import logging
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from config.tasks_util import BROKER_ERRORS, bulk_queue

from . import plaid as plaid_api
from . import task_names as names
from .health import status as item_status
from .health.errors import Action, Entry, decide
from .models import (
    Account,
    Holding,
    InvestmentTransaction,
    Liability,
    PlaidItem,
    Security,
    SyncOutbox,
    SyncRun,
)
from .outbox import outbox_hook_register
from .sync import NO_SYNC_STATES
from .sync.apply import account_balance_fields

logger = logging.getLogger(__name__)

LIABILITIES, HOLDINGS, INVESTMENT_TRANSACTIONS = (
    "liabilities",
    "holdings",
    "investment_transactions",
)
PARTS = {
    LIABILITIES: "liabilities",
    HOLDINGS: "investments",
    INVESTMENT_TRANSACTIONS: "investments",
}
HISTORY_DAYS = 730
OVERLAP_DAYS = 30
PAGE = 500


def _d(value: object) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def _date(value: object) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) and value else None


def wealth_parts(item: PlaidItem) -> list[str]:
    """The parts the item's products cover."""
    return [part for part, product in PARTS.items() if product in (item.products or [])]


# --- Liabilities ---------------------------------------------------------------------------------
def _card(raw: dict[str, Any]) -> dict[str, Any]:
    aprs = [
        {"type": a.get("apr_type") or "", "percentage": str(_d(a.get("apr_percentage")))}
        for a in raw.get("aprs") or []
    ]
    purchase = next((a["percentage"] for a in aprs if a["type"] == "purchase_apr"), None)
    return {
        "kind": Liability.Kind.CREDIT,
        "aprs": aprs,
        "interest_rate": _d(purchase),
        "last_statement_balance": _d(raw.get("last_statement_balance")),
        "last_statement_date": _date(raw.get("last_statement_issue_date")),
        "minimum_payment": _d(raw.get("minimum_payment_amount")),
        "next_payment_amount": _d(raw.get("minimum_payment_amount")),
        "next_payment_due_date": _date(raw.get("next_payment_due_date")),
        "is_overdue": bool(raw.get("is_overdue")),
    }


def _mortgage(raw: dict[str, Any]) -> dict[str, Any]:
    past_due = _d(raw.get("past_due_amount")) or Decimal(0)
    return {
        "kind": Liability.Kind.MORTGAGE,
        "interest_rate": _d((raw.get("interest_rate") or {}).get("percentage")),
        "minimum_payment": _d(raw.get("next_monthly_payment")),
        "next_payment_amount": _d(raw.get("next_monthly_payment")),
        "next_payment_due_date": _date(raw.get("next_payment_due_date")),
        "origination_principal": _d(raw.get("origination_principal_amount")),
        "payoff_date": _date(raw.get("maturity_date")),
        "is_overdue": past_due > 0,
    }


def _student(raw: dict[str, Any]) -> dict[str, Any]:
    return {
        "kind": Liability.Kind.STUDENT,
        "interest_rate": _d(raw.get("interest_rate_percentage")),
        "last_statement_balance": _d(raw.get("last_statement_balance")),
        "last_statement_date": _date(raw.get("last_statement_issue_date")),
        "minimum_payment": _d(raw.get("minimum_payment_amount")),
        "next_payment_amount": _d(raw.get("minimum_payment_amount")),
        "next_payment_due_date": _date(raw.get("next_payment_due_date")),
        "origination_principal": _d(raw.get("origination_principal_amount")),
        "payoff_date": _date(raw.get("expected_payoff_date")),
        "is_overdue": bool(raw.get("is_overdue")),
    }


def _accounts(item: PlaidItem) -> dict[str, Account]:
    return {a.account_id: a for a in Account.objects.filter(item=item)}


def _balances_store(item: PlaidItem, raws: list[dict[str, Any]]) -> None:
    """The balances these products report with their accounts: a brokerage account's value
    moves with prices and a loan's with its payments, on days /transactions/sync reports
    nothing for them."""
    now = timezone.now()
    for raw in raws:
        if (raw.get("balances") or {}).get("current") is None:
            continue
        Account.objects.filter(item=item, account_id=raw.get("account_id")).update(
            **account_balance_fields(raw, now)
        )


def item_liabilities_refresh(item: PlaidItem) -> int:
    data = plaid_api.liabilities_get(item)
    accounts = _accounts(item)
    rows: dict[int, dict[str, Any]] = {}
    shapes = (("credit", _card), ("mortgage", _mortgage), ("student", _student))
    for key, shape in shapes:
        for raw in data["liabilities"].get(key) or []:
            account = accounts.get(raw.get("account_id"))
            if account is not None:
                common = {"last_payment_amount": _d(raw.get("last_payment_amount"))}
                common["last_payment_date"] = _date(raw.get("last_payment_date"))
                rows[account.pk] = {**common, **shape(raw)}
    with transaction.atomic():
        _balances_store(item, data["accounts"])
        for account_pk, fields in rows.items():
            Liability.objects.update_or_create(account_id=account_pk, defaults=fields)
        Liability.objects.filter(account__item=item).exclude(account_id__in=rows).delete()
    return len(rows)


# --- Investments ---------------------------------------------------------------------------------
def _securities(raws: list[dict[str, Any]]) -> dict[str, Security]:
    out = {}
    for raw in raws:
        out[raw["security_id"]] = Security.objects.update_or_create(
            security_id=raw["security_id"],
            defaults={
                "name": (raw.get("name") or "")[:300],
                "ticker": (raw.get("ticker_symbol") or "")[:32],
                "type": (raw.get("type") or "")[:32],
                "is_cash_equivalent": bool(raw.get("is_cash_equivalent")),
                "close_price": _d(raw.get("close_price")),
                "close_price_as_of": _date(raw.get("close_price_as_of")),
                "iso_currency_code": raw.get("iso_currency_code") or "",
            },
        )[0]
    return out


def item_holdings_refresh(item: PlaidItem) -> date | None:
    """Store the holdings; returns the institution's latest price date (its today)."""
    data = plaid_api.investments_holdings_get(item)
    accounts = _accounts(item)
    as_of = [d for d in (_date(h.get("institution_price_as_of")) for h in data["holdings"]) if d]
    with transaction.atomic():
        _balances_store(item, data["accounts"])
        securities = _securities(data["securities"])
        kept = []
        for raw in data["holdings"]:
            account = accounts.get(raw.get("account_id"))
            security = securities.get(raw.get("security_id"))
            if account is None or security is None:
                continue
            holding, _ = Holding.objects.update_or_create(
                account=account,
                security=security,
                defaults={
                    "quantity": _d(raw["quantity"]),
                    "price": _d(raw["institution_price"]),
                    "value": _d(raw["institution_value"]),
                    "cost_basis": _d(raw.get("cost_basis")),
                    "price_as_of": _date(raw.get("institution_price_as_of")),
                    "iso_currency_code": raw.get("iso_currency_code") or "",
                },
            )
            kept.append(holding.pk)
        Holding.objects.filter(account__item=item).exclude(pk__in=kept).delete()
    return max(as_of) if as_of else None


def _investment_row(raw: dict[str, Any], account: Account, securities) -> InvestmentTransaction:
    return InvestmentTransaction(
        account=account,
        investment_transaction_id=raw["investment_transaction_id"],
        security=securities.get(raw.get("security_id")),
        date=date.fromisoformat(raw["date"]),
        name=(raw.get("name") or "")[:300],
        type=raw.get("type") or "",
        subtype=raw.get("subtype") or "",
        quantity=_d(raw.get("quantity")) or Decimal(0),
        price=_d(raw.get("price")) or Decimal(0),
        amount=_d(raw["amount"]),
        fees=_d(raw.get("fees")),
        iso_currency_code=raw.get("iso_currency_code") or "",
    )


def item_investment_transactions_refresh(item: PlaidItem, until: date | None = None) -> int:
    """Fetch the window since a little before the newest stored row up to `until` (the
    institution's today, never before ours); rows in the window Plaid no longer lists were
    cancelled and go."""
    mine = InvestmentTransaction.objects.filter(account__item=item)
    newest = mine.aggregate(d=Max("date"))["d"]
    end = max(timezone.localdate(), until or date.min)
    start = newest - timedelta(days=OVERLAP_DAYS) if newest else end - timedelta(HISTORY_DAYS)
    accounts = _accounts(item)
    rows, offset, total = [], 0, 1
    securities: dict[str, Security] = {}
    while offset < total:
        data = plaid_api.investments_transactions_get(item, start, end, offset=offset, count=PAGE)
        total = data["total_investment_transactions"]
        page = data["investment_transactions"]
        securities.update(_securities(data["securities"]))
        rows += [
            _investment_row(raw, accounts[raw["account_id"]], securities)
            for raw in page
            if raw.get("account_id") in accounts
        ]
        if not page:
            break
        offset += len(page)
    with transaction.atomic():
        InvestmentTransaction.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["investment_transaction_id"],
            update_fields=[
                "security",
                "date",
                "name",
                "type",
                "subtype",
                "quantity",
                "price",
                "amount",
                "fees",
                "iso_currency_code",
            ],
        )
        ids = [r.investment_transaction_id for r in rows]
        mine.filter(date__gte=start, date__lte=end).exclude(
            investment_transaction_id__in=ids
        ).delete()
    return len(rows)


# --- The refresh ---------------------------------------------------------------------------------
def item_wealth_refresh(item: PlaidItem, parts: list[str] | None = None) -> dict[str, object]:
    """Refresh the asked parts the item has (all of them by default). An error the owner must
    fix sets the item's status through the error table; any other is logged, and the next
    sync or webhook tries again."""
    if item.is_manual or item.status in NO_SYNC_STATES:
        return {}
    wanted = [p for p in wealth_parts(item) if parts is None or p in parts]
    done: dict[str, object] = {}
    until = None
    for part in wanted:
        if part == INVESTMENT_TRANSACTIONS and HOLDINGS not in wanted:
            until = Holding.objects.filter(account__item=item).aggregate(d=Max("price_as_of"))["d"]
        try:
            if part == LIABILITIES:
                done[part] = item_liabilities_refresh(item)
            elif part == HOLDINGS:
                until = item_holdings_refresh(item)
                done[part] = Holding.objects.filter(account__item=item).count()
            else:
                done[part] = item_investment_transactions_refresh(item, until)
        except plaid_api.PlaidError as exc:
            done[part] = exc.error_code
            decision = decide(exc.error_code, Entry.SYNC, retryable=exc.retryable)
            if decision.action in (Action.RECONNECT, Action.REMOVE) and decision.status:
                item_status.item_set_status(
                    item=item,
                    status=decision.status,
                    error_code=exc.error_code,
                    message=exc.display_message or "",
                    source="sync",
                )
                break
            logger.info("%s of item %s failed: %s", part, item.item_id, exc.error_code)
    return done


def wealth_refresh_request(
    item: PlaidItem, parts: list[str] | None = None, *, bulk: bool = False
) -> bool:
    """Queue a refresh of the parts the item has; False when it has none of them. bulk: on
    the bulk queue (after a daily sync), behind no user's click."""
    wanted = [p for p in wealth_parts(item) if parts is None or p in parts]
    if not wanted:
        return False
    routing = {"queue": bulk_queue()} if bulk else {}
    try:
        names.task(names.WEALTH_REFRESH).apply_async((item.pk, wanted), retry=False, **routing)
    except BROKER_ERRORS:
        logger.warning("could not queue the wealth refresh of item %s", item.item_id)
        return False
    return True


def wealth_on_sync(outbox: SyncOutbox) -> None:
    """After each committed sync: the item's liabilities and investments, in their own task
    (a slow Plaid call must not hold the outbox delivery)."""
    wealth_refresh_request(outbox.item, bulk=outbox.run.trigger == SyncRun.Trigger.DAILY)


def wealth_hooks_register() -> None:
    outbox_hook_register("banking.wealth_on_sync", wealth_on_sync)
