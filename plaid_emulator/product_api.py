"""Plaid's data endpoints: accounts and balances, transactions (sync and the older offset
API), auth numbers and identity. Request shapes are checked before these run (schemas.py)."""

from __future__ import annotations

from datetime import UTC, datetime

from . import activity, institutions, products, sync
from .errors import PlaidError
from .validation import parse_datetime

# Numbers per region, as /auth/get reports them; each account gets its own account number.
ROUTING = {"ach": ("011401533", "021000021"), "eft": ("021", "01140"), "bacs": "601613"}
BIC = {"GB": "NWBKGB21", "EU": "PLAIDEUXXXX"}


def data_item(emu, body):
    """The item behind an access token, for a call that reaches the bank: an item in error
    answers with its error."""
    item = emu.store.item_for_token(body.get("access_token"))
    if item.error:
        raise PlaidError(item.error)
    return item


def wanted_accounts(item, body) -> list[dict]:
    """The shared accounts named by options.account_ids (all when omitted); an id that is
    not one of them is Plaid's INVALID_ACCOUNT_ID."""
    shared = item.shared_accounts()
    ids = (body.get("options") or {}).get("account_ids")
    if not ids:
        return shared
    known = {a["account_id"] for a in shared}
    bad = [i for i in ids if i not in known]
    if bad:
        raise PlaidError(
            "INVALID_ACCOUNT_ID",
            "the following account_ids are invalid or not shared: " + ", ".join(bad[:5]),
        )
    return [a for a in shared if a["account_id"] in set(ids)]


def _product(emu, body, product: str):
    item = data_item(emu, body)
    with emu.store.lock:
        products.ensure(item, institutions.BY_ID[item.institution_id], product)
    return item


def accounts_get(emu, body):
    item = data_item(emu, body)
    return {
        "accounts": [item.render_account(a) for a in wanted_accounts(item, body)],
        "item": item.render(),
    }


def accounts_balance_get(emu, body):
    item = data_item(emu, body)
    accts = wanted_accounts(item, body)
    now = datetime.now(UTC)
    wanted = (body.get("options") or {}).get("min_last_updated_datetime")
    if wanted:
        at = parse_datetime(wanted)
        if at.tzinfo is None:
            at = at.replace(tzinfo=UTC)
        # Balances are fetched live here, so only a time in the future cannot be met.
        if at > now:
            raise PlaidError("LAST_UPDATED_DATETIME_OUT_OF_RANGE")
    stamp = now.isoformat().replace("+00:00", "Z")
    out = []
    for a in accts:
        r = item.render_account(a)
        r["balances"]["last_updated_datetime"] = stamp
        out.append(r)
    return {"accounts": out, "item": item.render()}


def _original(body) -> bool:
    return bool((body.get("options") or {}).get("include_original_description"))


def transactions_sync(emu, body):
    item = _product(emu, body, "transactions")
    count = body.get("count") or 100
    with emu.store.lock:
        return sync.page(item, body.get("cursor"), count, _original(body))


def transactions_get(emu, body):
    """Offset paging over the same transactions sync serves, newest first."""
    item = _product(emu, body, "transactions")
    start, end = body["start_date"], body["end_date"]
    if start > end:
        raise PlaidError("INVALID_FIELD", "start_date must be on or before end_date")
    opts = body.get("options") or {}
    if item.stage == 0:
        raise PlaidError("PRODUCT_NOT_READY")
    accts = wanted_accounts(item, {"options": {"account_ids": opts.get("account_ids")}})
    ids = {a["account_id"] for a in accts}
    count, offset = opts.get("count") or 100, opts.get("offset") or 0
    with emu.store.lock:
        # What the client could see through sync: logged, shared, in the date range.
        rows = [
            t
            for t in item.txns.values()
            if t.account_id in ids and start <= t.date <= end and t.transaction_id in item.last_pos
        ]
        rows.sort(key=lambda t: (t.date, t.transaction_id), reverse=True)
        page = rows[offset : offset + count]
        return {
            "accounts": [item.render_account(a) for a in accts],
            "transactions": [
                item.render_txn(t, bool(opts.get("include_original_description"))) for t in page
            ],
            "total_transactions": len(rows),
            "item": item.render(),
        }


def transactions_refresh(emu, body):
    item = _product(emu, body, "transactions")
    activity.refresh(emu, item)
    return {}


def _account_number(a: dict) -> str:
    return str(int(a["account_id"].encode().hex()[:12], 16))[:10].rjust(10, "9")


def _iban(country: str, account: str) -> str:
    # A well-formed IBAN: check digits by ISO 7064 mod 97-10.
    bban = "PLAI" + "601613" + account[-8:]
    digits = "".join(str(int(c, 36)) for c in bban + country + "00")
    return f"{country}{98 - int(digits) % 97:02d}{bban}"


def auth_get(emu, body):
    item = _product(emu, body, "auth")
    inst = institutions.BY_ID[item.institution_id]
    region = institutions.region(inst)
    # Auth covers accounts money can move in and out of: checking, savings, cash management.
    accts = [a for a in wanted_accounts(item, body) if a["type"] == "depository"]
    numbers = {"ach": [], "eft": [], "international": [], "bacs": []}
    for a in accts:
        own = a.get("numbers") or {}
        acct_no = own.get("account") or _account_number(a)
        aid = a["account_id"]
        if region == "US":
            numbers["ach"].append(
                {
                    "account_id": aid,
                    "account": acct_no,
                    "routing": own.get("ach_routing") or ROUTING["ach"][0],
                    "wire_routing": own.get("ach_wire_routing") or ROUTING["ach"][1],
                    "is_tokenized_account_number": False,
                }
            )
        elif region == "CA":
            numbers["eft"].append(
                {
                    "account_id": aid,
                    "account": acct_no,
                    "institution": own.get("eft_institution") or ROUTING["eft"][0],
                    "branch": own.get("eft_branch") or ROUTING["eft"][1],
                }
            )
        else:
            if region == "GB":
                numbers["bacs"].append(
                    {
                        "account_id": aid,
                        "account": acct_no[-8:],
                        "sort_code": own.get("bacs_sort_code") or ROUTING["bacs"],
                    }
                )
            numbers["international"].append(
                {
                    "account_id": aid,
                    "iban": own.get("international_iban") or _iban(inst["country"], acct_no),
                    "bic": own.get("international_bic") or BIC[region],
                }
            )
    return {
        "accounts": [item.render_account(a) for a in accts],
        "numbers": numbers,
        "item": item.render(),
    }


OWNER = {
    "names": ["Alberta Bobbeth Charleson"],
    "phone_numbers": [{"data": "2025550123", "primary": False, "type": "home"}],
    "emails": [{"data": "accountholder0@example.com", "primary": True, "type": "primary"}],
    "addresses": [
        {
            "data": {
                "city": "Malakoff",
                "region": "NY",
                "street": "2992 Cameron Road",
                "postal_code": "14236",
                "country": "US",
            },
            "primary": True,
        }
    ],
}


def identity_get(emu, body):
    item = _product(emu, body, "identity")
    accounts = []
    for a in wanted_accounts(item, body):
        r = item.render_account(a)
        r["owners"] = [a.get("identity") or OWNER]
        accounts.append(r)
    return {"accounts": accounts, "item": item.render()}


ROUTES = {
    "/accounts/get": accounts_get,
    "/accounts/balance/get": accounts_balance_get,
    "/transactions/sync": transactions_sync,
    "/transactions/get": transactions_get,
    "/transactions/refresh": transactions_refresh,
    "/auth/get": auth_get,
    "/identity/get": identity_get,
}
