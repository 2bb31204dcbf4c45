"""Accounts and transactions from a `user_custom` configuration (Plaid's UserCustomPassword):
`override_accounts[]` with type/subtype, `starting_balance`, `force_available_balance` or
`has_null_available_balance`, `currency`, `meta` (name, official_name, limit, mask),
`numbers` and `transactions[]` (date_transacted, date_posted, amount, description). A
`date_posted` after today makes the transaction pending. An empty object gives the default
accounts and a random history, as on Plaid."""

from __future__ import annotations

import random
from datetime import date

from .data import Txn, account, new_id
from .errors import invalid_field
from .merchants import Merchant

DEFAULT_SUBTYPE = {
    "depository": "checking",
    "credit": "credit card",
    "loan": "student",
    "investment": "brokerage",
    "other": "other",
}


def merchant(description: str) -> Merchant:
    """A transaction the tester described: no merchant enrichment, just the description."""
    return Merchant(
        None, description, "GENERAL_MERCHANDISE_OTHER_GENERAL_MERCHANDISE", "other", 0, 0, 0
    )


def _number(v, path: str, default=None):
    if v is None:
        return default
    if isinstance(v, bool) or not isinstance(v, int | float):
        raise invalid_field(path, "must be a number")
    return float(v)


def _date(v, path: str, default: date) -> date:
    if v is None:
        return default
    try:
        return date.fromisoformat(v)
    except (TypeError, ValueError):
        raise invalid_field(path, "must be a date in YYYY-MM-DD format") from None


def build(rng: random.Random, config: dict, today: date, currency: str):
    """(accounts, transactions) or None when the configuration names no accounts."""
    specs = config.get("override_accounts") or []
    if not specs:
        return None
    accounts, txns = [], []
    for i, spec in enumerate(specs):
        where = f"override_accounts[{i}]"
        typ = spec.get("type", "depository")
        meta = spec.get("meta") if isinstance(spec.get("meta"), dict) else {}
        sub = spec.get("subtype") if isinstance(spec.get("subtype"), str) else DEFAULT_SUBTYPE[typ]
        cur = spec.get("currency") if isinstance(spec.get("currency"), str) else currency
        name = meta.get("name") if isinstance(meta.get("name"), str) else f"Custom {sub.title()}"
        mask = (
            meta.get("mask") if isinstance(meta.get("mask"), str) else f"{rng.randrange(10000):04d}"
        )
        a = account(
            rng,
            name,
            meta.get("official_name") if isinstance(meta.get("official_name"), str) else None,
            typ,
            sub,
            mask[:4],
            limit=_number(meta.get("limit"), f"{where}.meta.limit"),
            currency=cur.upper()[:3],
        )
        a["numbers"] = spec.get("numbers") if isinstance(spec.get("numbers"), dict) else None
        if isinstance(spec.get("identity"), dict) and isinstance(
            spec["identity"].get("names"), list
        ):
            a["identity"] = {
                "names": spec["identity"]["names"],
                "phone_numbers": spec["identity"].get("phone_numbers") or [],
                "emails": spec["identity"].get("emails") or [],
                "addresses": spec["identity"].get("addresses") or [],
            }
        if spec.get("has_null_available_balance") is True:
            a["available"] = None
        elif spec.get("force_available_balance") is not None:
            a["available"] = _number(
                spec["force_available_balance"], f"{where}.force_available_balance"
            )
        own = []
        for j, t in enumerate(spec.get("transactions") or []):
            tw = f"{where}.transactions[{j}]"
            if not isinstance(t, dict):
                raise invalid_field(tw, "must be an object")
            posted = _date(t.get("date_posted"), f"{tw}.date_posted", today)
            made = _date(t.get("date_transacted"), f"{tw}.date_transacted", posted)
            desc = t.get("description") if isinstance(t.get("description"), str) else "Transaction"
            own.append(
                Txn(
                    new_id(rng),
                    a["account_id"],
                    round(_number(t.get("amount"), f"{tw}.amount", 0.0), 2),
                    min(posted, today).isoformat(),
                    made.isoformat(),
                    merchant(desc[:200]),
                    posted > today,
                )
            )
        starting = _number(spec.get("starting_balance"), f"{where}.starting_balance", 100.0)
        # starting_balance is what the account shows today; the opening balance is whatever
        # makes the posted transactions end there.
        posted_sum = sum(t.amount for t in own if not t.pending)
        a["start_balance"] = (
            starting - posted_sum if typ in ("credit", "loan") else starting + posted_sum
        )
        accounts.append(a)
        txns += own
    txns.sort(key=lambda t: t.date)
    return accounts, txns
