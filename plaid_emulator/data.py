"""Deterministic, realistic account and transaction data.

Transactions are kept as small slotted objects and only turned into Plaid's JSON shape when a
page is served; that keeps a 100k-transaction item cheap to build and to hold in memory.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from .merchants import (
    _WEIGHTS,
    CARD_PAYMENT,
    CARD_PAYMENT_IN,
    ELECTRIC,
    FROM_CHECKING,
    INTEREST,
    INTERNET,
    LOAN_INTEREST,
    LOAN_PAYMENT_IN,
    RENT,
    SALARY,
    SPENDING,
    TO_SAVINGS,
    Merchant,
    new_id,
)

NULL_PAYMENT_META = dict.fromkeys(
    (
        "reference_number",
        "ppd_id",
        "payee",
        "by_order_of",
        "payer",
        "payment_method",
        "payment_processor",
        "reason",
    )
)


@dataclass(slots=True)
class Txn:
    transaction_id: str
    account_id: str
    amount: float
    date: str
    authorized_date: str
    merchant: Merchant
    pending: bool = False
    pending_transaction_id: str | None = None
    name: str | None = None  # overrides merchant.raw, e.g. for a tip-adjusted posting

    def render(self, currency: str = "USD", original: bool = False) -> dict:
        m = self.merchant
        return {
            "transaction_id": self.transaction_id,
            "account_id": self.account_id,
            "account_owner": None,
            "amount": self.amount,
            "iso_currency_code": currency,
            "unofficial_currency_code": None,
            "check_number": None,
            "date": self.date,
            "datetime": None,
            "authorized_date": self.authorized_date,
            "authorized_datetime": None,
            "name": self.name or m.raw,
            # Plaid's original_description is the bank's raw text, and only when asked for.
            "original_description": (self.name or m.raw).upper() if original else None,
            "merchant_name": m.name,
            "merchant_entity_id": m.entity,
            "logo_url": m.logo,
            "website": m.website,
            "location": m.location,
            "payment_meta": NULL_PAYMENT_META,
            "payment_channel": m.channel,
            "pending": self.pending,
            "pending_transaction_id": self.pending_transaction_id,
            "personal_finance_category": m.pfc,
            "personal_finance_category_icon_url": f"https://plaid-category-icons.plaid.com/PFC_{m.primary}.png",
            "category": None,
            "category_id": None,
            "counterparties": m.counterparties,
            "transaction_code": None,
            "transaction_type": m.ttype,
        }


def account(rng, name, official, typ, sub, mask, *, limit=None, balance=0.0, currency="USD"):
    return {
        "account_id": new_id(rng),
        "name": name,
        "official_name": official,
        "type": typ,
        "subtype": sub,
        "mask": mask,
        "limit": limit,
        "start_balance": balance,
        "selected": True,
        "currency": currency,
    }


def default_accounts(rng: random.Random, currency: str = "USD") -> list[dict]:
    def acct(name, official, typ, sub, mask, limit=None):
        return account(rng, name, official, typ, sub, mask, limit=limit, currency=currency)

    return [
        acct(
            "Plaid Checking",
            "Plaid Gold Standard 0% Interest Checking",
            "depository",
            "checking",
            "0000",
        ),
        acct(
            "Plaid Saving",
            "Plaid Silver Standard 0.1% Interest Saving",
            "depository",
            "savings",
            "1111",
        ),
        acct(
            "Plaid Credit Card",
            "Plaid Diamond 12.5% APR Interest Credit Card",
            "credit",
            "credit card",
            "3333",
            limit=5000.0,
        ),
    ]


def credit_union_accounts(rng: random.Random, currency: str = "USD") -> list[dict]:
    """The everyday three plus what investments and liabilities work on: no transactions,
    balances only (a loan's balance is what is owed)."""
    extra = [
        ("Plaid 401k", "Plaid 401k Retirement Plan", "investment", "401k", "6666", 23631.98),
        (
            "Plaid Brokerage",
            "Plaid Self-Directed Brokerage",
            "investment",
            "brokerage",
            "5555",
            8412.50,
        ),
        ("Plaid Mortgage", "Plaid 30-Year Fixed Mortgage", "loan", "mortgage", "8888", 56302.06),
        (
            "Plaid Student Loan",
            "Plaid Consolidated Student Loan",
            "loan",
            "student",
            "7777",
            9845.25,
        ),
        ("Plaid Auto Loan", "Plaid 5-Year Auto Loan", "loan", "auto", "9999", 11840.00),
    ]
    out = default_accounts(rng, currency) + [
        account(rng, n, o, t, sub, m, balance=bal, currency=currency)
        for n, o, t, sub, m, bal in extra
    ]
    for a in out:
        if a["type"] == "investment":
            # Its balance is its holdings' value (portfolio.py), not a running sum.
            a["portfolio"] = a["subtype"]
    return out


def loan_payment(rng: random.Random, acct: dict, day: date, paid: float, interest: float):
    """A loan's monthly payment as the loan account shows it: the payment in (negative, it
    lowers what is owed) and the month's interest charged (positive)."""
    d = day.isoformat()
    return [
        Txn(new_id(rng), acct["account_id"], -paid, d, d, LOAN_PAYMENT_IN),
        Txn(new_id(rng), acct["account_id"], interest, d, d, LOAN_INTEREST),
    ]


ACCOUNT_SUBTYPES = {
    "checking": "depository",
    "savings": "depository",
    "money market": "depository",
    "cd": "depository",
    "hsa": "depository",
    "prepaid": "depository",
    "credit card": "credit",
    "paypal": "credit",
}


def extra_account(
    rng: random.Random, name: str | None = None, subtype: str | None = None, currency="USD"
) -> dict:
    """What NEW_ACCOUNTS_AVAILABLE reveals: an account the user has not shared yet."""
    if name is None and subtype is None:
        return {
            "account_id": new_id(rng),
            "name": "Plaid Money Market",
            "official_name": "Plaid Platinum Standard 1.85% Interest Money Market",
            "type": "depository",
            "subtype": "money market",
            "mask": "4444",
            "limit": None,
            "start_balance": 4300.0,
            "selected": False,
            "currency": currency,
        }
    subtype = subtype or "checking"
    typ = ACCOUNT_SUBTYPES[subtype]
    credit = typ == "credit"
    return {
        "account_id": new_id(rng),
        "name": name or f"Plaid {subtype.title()}",
        "official_name": None,
        "type": typ,
        "subtype": subtype,
        "mask": f"{rng.randrange(10000):04d}",
        "limit": 2500.0 if credit else None,
        "start_balance": 0.0 if credit else 4300.0,
        "selected": False,
        "currency": currency,
    }


def extra_account_history(rng: random.Random, acct: dict, today: date) -> list[Txn]:
    """Two months of quiet activity for a newly revealed account."""
    start = today - timedelta(days=60)
    if acct["type"] == "credit":
        return [
            spending(rng, acct["account_id"], start + timedelta(days=n)) for n in range(3, 60, 9)
        ]
    return [
        Txn(
            new_id(rng),
            acct["account_id"],
            -3.61,
            (start + timedelta(days=n)).isoformat(),
            (start + timedelta(days=n)).isoformat(),
            INTEREST,
        )
        for n in range(0, 60, 30)
    ]


def _mk(rng, account_id, amount, day: date, merchant, pending=False):
    auth = day - timedelta(days=rng.choice((0, 0, 1, 1, 2))) if merchant.channel != "other" else day
    return Txn(
        new_id(rng),
        account_id,
        round(amount, 2),
        day.isoformat(),
        auth.isoformat(),
        merchant,
        pending,
    )


def spending(rng: random.Random, account_id: str, day: date, pending=False) -> Txn:
    m = rng.choices(SPENDING, _WEIGHTS)[0]
    amount = m.lo if m.lo == m.hi else rng.uniform(m.lo, m.hi)
    return _mk(rng, account_id, amount, day, m, pending)


def history(rng: random.Random, accounts: list[dict], today: date, days: int) -> list[Txn]:
    """`days` of history ending today, oldest first. The last two days are pending, and the
    posted transactions of the last week carry the id of the pending one they replaced."""
    checking, savings, card = (a["account_id"] for a in accounts[:3])
    out: list[Txn] = []
    start = today - timedelta(days=days - 1)
    salary = rng.choice((2150.0, 2480.0, 3120.0))
    rent = rng.choice((1450.0, 1890.0, 2250.0))
    card_spend = 0.0
    for n in range(days):
        day = start + timedelta(days=n)
        pending = (today - day).days < 2
        if day.weekday() == 4 and day.isocalendar()[1] % 2 == 0:
            out.append(_mk(rng, checking, -salary, day, SALARY, pending))
        if day.day == 1:
            out.append(_mk(rng, checking, rent, day, RENT, pending))
            out.append(_mk(rng, checking, 300.0, day, TO_SAVINGS, pending))
            out.append(_mk(rng, savings, -300.0, day, FROM_CHECKING, pending))
            out.append(_mk(rng, savings, -round(rng.uniform(0.5, 3), 2), day, INTEREST, pending))
        if day.day == 12:
            out.append(
                _mk(rng, checking, rng.uniform(ELECTRIC.lo, ELECTRIC.hi), day, ELECTRIC, pending)
            )
            out.append(_mk(rng, checking, INTERNET.lo, day, INTERNET, pending))
        if day.day == 20 and card_spend > 0:
            paid = round(card_spend, 2)
            out.append(_mk(rng, checking, paid, day, CARD_PAYMENT, pending))
            out.append(_mk(rng, card, -paid, day, CARD_PAYMENT_IN, pending))
            card_spend = 0.0
        for _ in range(rng.choices((0, 1, 2, 3, 4), (1, 3, 3, 2, 1))[0]):
            on_card = rng.random() < 0.55
            t = spending(rng, card if on_card else checking, day, pending)
            if on_card:
                card_spend += t.amount
            out.append(t)
    for t in out:
        # Posted in the last week: Plaid matched them to a pending transaction that is gone now.
        if not t.pending and (today - date.fromisoformat(t.date)).days < 7 and rng.random() < 0.7:
            t.pending_transaction_id = new_id(rng)
    return out


def bulk(
    rng: random.Random, accounts: list[dict], today: date, count: int, days: int = 730
) -> list[Txn]:
    """`count` posted purchases spread over the last `days` days (up to two days ago), for
    volume tests; with `days` of 3 or fewer, over the last `days` days up to today."""
    ids = [a["account_id"] for a in accounts if a["type"] in ("depository", "credit")][:3]
    base = today - timedelta(days=days)
    picks = rng.choices(SPENDING, _WEIGHTS, k=count)
    out = []
    for m in picks:
        if days <= 3:
            day = today - timedelta(days=rng.randrange(0, days))
        else:
            day = base + timedelta(days=rng.randrange(1, days - 2))
        amount = m.lo if m.lo == m.hi else rng.uniform(m.lo, m.hi)
        out.append(
            Txn(new_id(rng), rng.choice(ids), round(amount, 2), day.isoformat(), day.isoformat(), m)
        )
    out.sort(key=lambda t: t.date)
    return out


def dynamic_start(rng: random.Random, accounts: list[dict], today: date) -> list[Txn]:
    # Plaid Sandbox's user_transactions_dynamic starts with 50 transactions.
    out = [
        spending(
            rng,
            accounts[rng.randrange(0, 3, 2)]["account_id"],
            today - timedelta(days=rng.randrange(2, 60)),
        )
        for _ in range(50)
    ]
    out.sort(key=lambda t: t.date)
    return out


def opening_balances(accounts: list[dict], txns: list[Txn]) -> None:
    """Choose each account's opening balance so its running balance stays plausible."""
    by_acct: dict[str, list[Txn]] = {}
    for t in txns:
        by_acct.setdefault(t.account_id, []).append(t)
    for a in accounts:
        if a["type"] in ("investment", "loan"):
            continue
        if a["type"] == "credit":
            a["start_balance"] = 410.27
            continue
        running = low = 0.0
        for t in by_acct.get(a["account_id"], []):
            if not t.pending:
                running -= t.amount
                low = min(low, running)
        a["start_balance"] = round(max(0.0, -low) + 1250.0, 2)
