"""`/transactions/recurring/get`, the ground truth behind it, and the stream controls."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from . import recurring
from .errors import PlaidError
from .merchants import new_id
from .product_api import _product, wanted_accounts

# Plaid calls a stream mature after three transactions on a cadence (two for annual ones).
MATURE_AFTER = {"ANNUALLY": 2}


def stream_txns(item) -> dict[str, list]:
    """stream_id -> its posted transactions, oldest first."""
    by_key = {(s["account_id"], s["raw"]): s["stream_id"] for s in item.streams}
    out: dict[str, list] = {s["stream_id"]: [] for s in item.streams}
    for t in item.txns.values():
        sid = by_key.get((t.account_id, t.merchant.raw))
        if sid is not None and not t.pending:
            out[sid].append(t)
    for rows in out.values():
        rows.sort(key=lambda t: (t.date, t.transaction_id))
    return out


def signature(item) -> dict[str, tuple]:
    """account_id -> what a client could see of its streams, to tell whether advance changed
    any of them."""
    sig: dict[str, list] = {}
    rows = stream_txns(item)
    for s in item.streams:
        ids = rows[s["stream_id"]]
        sig.setdefault(s["account_id"], []).append(
            (s["stream_id"], len(ids), ids[-1].transaction_id if ids else None, s["active"])
        )
    return {k: tuple(v) for k, v in sig.items()}


def _status(s: dict, n: int, last: date, today: date) -> tuple[str, bool]:
    mature = n >= MATURE_AFTER.get(s["frequency"], 3)
    expected = recurring.next_date({**s, "active": True}, last)
    overdue = expected is not None and expected < today - timedelta(days=3)
    if not s["active"] or overdue:
        return ("MATURE" if mature else "TOMBSTONED"), False
    return ("MATURE" if mature else "EARLY_DETECTION"), True


def _amount(value: float, currency: str) -> dict:
    return {"amount": value, "iso_currency_code": currency, "unofficial_currency_code": None}


def render(item, s: dict, txns: list) -> dict:
    m = recurring.merchant(s)
    last = date.fromisoformat(txns[-1].date)
    status, active = _status(s, len(txns), last, item.today)
    nxt = recurring.next_date(s, last) if active else None
    currency = item.currency_of(s["account_id"])
    return {
        "account_id": s["account_id"],
        "stream_id": s["stream_id"],
        "category": None,
        "category_id": None,
        "description": m.raw,
        "merchant_name": m.name,
        "personal_finance_category": m.pfc,
        "first_date": txns[0].date,
        "last_date": txns[-1].date,
        "predicted_next_date": nxt.isoformat() if nxt else None,
        "frequency": s["frequency"],
        "transaction_ids": [t.transaction_id for t in txns],
        "average_amount": _amount(round(sum(t.amount for t in txns) / len(txns), 2), currency),
        "last_amount": _amount(txns[-1].amount, currency),
        "is_active": active,
        "status": status,
        "is_user_modified": False,
    }


def transactions_recurring_get(emu, body):
    item = _product(emu, body, "transactions")
    if item.stage < 2:
        # Plaid needs the whole history before it can name streams.
        raise PlaidError("PRODUCT_NOT_READY")
    ids = {
        a["account_id"]
        for a in wanted_accounts(item, {"options": {"account_ids": body.get("account_ids")}})
    }
    inflow, outflow = [], []
    with emu.store.lock:
        rows = stream_txns(item)
        for s in item.streams:
            # Only what the client has been sent: logged transactions on shared accounts.
            txns = [t for t in rows[s["stream_id"]] if t.transaction_id in item.last_pos]
            if s["account_id"] not in ids or not txns:
                continue
            (inflow if s["amount"] < 0 else outflow).append(render(item, s, txns))
    out = {
        "inflow_streams": inflow,
        "outflow_streams": outflow,
        "updated_datetime": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
    }
    version = (body.get("options") or {}).get("personal_finance_category_version")
    if version:
        out["personal_finance_category_version"] = version
    return out


def truth(emu, item) -> dict:
    """Every stream the generator made, with all its posted transactions and its true next
    date, whether or not a client could see them yet."""
    with emu.store.lock:
        rows = stream_txns(item)
        out = []
        for s in item.streams:
            txns = rows[s["stream_id"]]
            nxt = recurring.next_date(s, item.today)
            out.append(
                {
                    "stream_id": s["stream_id"],
                    "account_id": s["account_id"],
                    "merchant_name": s["name"],
                    "description": s["raw"],
                    "frequency": s["frequency"],
                    "direction": "inflow" if s["amount"] < 0 else "outflow",
                    "amount": s["amount"],
                    "status": "active" if s["active"] else "stopped",
                    "transaction_ids": [t.transaction_id for t in txns],
                    "last_date": txns[-1].date if txns else None,
                    "predicted_next_date": nxt.isoformat() if nxt else None,
                }
            )
        return {"item_id": item.item_id, "today": item.today.isoformat(), "streams": out}


def _money(body, name="amount") -> float:
    v = body.get(name)
    if not isinstance(v, int | float) or isinstance(v, bool) or v == 0 or abs(v) > 1_000_000:
        raise PlaidError("INVALID_FIELD", f"{name} must be a non-zero number")
    return round(float(v), 2)


def _find(item, stream_id) -> dict:
    s = next((s for s in item.streams if s["stream_id"] == stream_id), None)
    if s is None:
        raise PlaidError("INVALID_FIELD", f"no stream {str(stream_id)[:60]} on this item")
    return s


def _add(emu, item, body) -> dict:
    name = body.get("name")
    if not isinstance(name, str) or not name.strip() or len(name) > 100:
        raise PlaidError(
            "INVALID_FIELD", "name must be a non-empty string of at most 100 characters"
        )
    freq = body.get("frequency", "MONTHLY")
    if freq not in recurring.FREQUENCIES:
        raise PlaidError(
            "INVALID_FIELD", "frequency must be one of " + ", ".join(recurring.FREQUENCIES)
        )
    shared = item.shared_accounts()
    acct = (
        body.get("account_id")
        or next((a for a in shared if a["type"] == "credit"), (shared or item.accounts)[0])[
            "account_id"
        ]
    )
    if acct not in {a["account_id"] for a in shared}:
        raise PlaidError("INVALID_ACCOUNT_ID")
    back = body.get("backfill", 3)
    if not isinstance(back, int) or isinstance(back, bool) or not 0 <= back <= 24:
        raise PlaidError("INVALID_FIELD", "backfill must be an integer between 0 and 24")
    raw = body.get("description") or name.strip().upper()
    m = recurring.merchant(
        {"raw": raw, "name": name.strip(), "detailed": "GENERAL_SERVICES_OTHER_GENERAL_SERVICES"}
    )
    rule = {"WEEKLY": "every", "BIWEEKLY": "every", "SEMI_MONTHLY": "semi", "ANNUALLY": "annual"}
    step = {"WEEKLY": 7, "BIWEEKLY": 14, "SEMI_MONTHLY": 15, "MONTHLY": 30, "ANNUALLY": 365}[freq]
    first = item.today - timedelta(days=step * back)
    s = recurring.spec(acct, m, freq, rule.get(freq, "monthly"), first, _money(body))
    rng = emu.store.rng(item)
    s["stream_id"] = new_id(rng)
    item.rng_state = rng.getstate()
    item.streams.append(s)
    past = recurring.occurrences(rng, s, first, item.today - timedelta(days=1), item.today)
    item.add_many(past)
    return {"stream_id": s["stream_id"], "added": len(past)}


def control(emu, item, stream_id: str | None, body: dict) -> dict:
    """POST .../streams adds one; POST .../streams/{id} with `amount` changes what its next
    charges are, with `stop: true` ends it. Changes show from the next charge on."""
    with emu.store.lock:
        if stream_id is None:
            out = _add(emu, item, body)
        else:
            s = _find(item, stream_id)
            if body.get("stop") is True:
                s["active"] = False
            elif "amount" in body:
                s["amount"] = _money(body)
            else:
                raise PlaidError("MISSING_FIELDS", "amount or stop is required")
            out = {"stream_id": s["stream_id"], "amount": s["amount"], "active": s["active"]}
        item.version += 1
    return {"item_id": item.item_id, **out}
