"""Plaid's endpoints. Each handler takes (emulator, body) and returns the response dict
without request_id; the server adds it."""

from __future__ import annotations

import time
import uuid
from urllib.parse import urlsplit

from . import activity, institutions, sync
from .errors import PlaidError, invalid_field, missing_fields
from .store import iso

COUNTRY_CODES = {
    "US",
    "GB",
    "ES",
    "NL",
    "FR",
    "IE",
    "CA",
    "DE",
    "IT",
    "PL",
    "DK",
    "NO",
    "SE",
    "EE",
    "LT",
    "LV",
    "PT",
    "BE",
    "AT",
    "FI",
}
PRODUCTS = {
    "transactions",
    "auth",
    "identity",
    "investments",
    "liabilities",
    "assets",
    "income_verification",
    "payment_initiation",
    "transfer",
    "signal",
    "statements",
    "employment",
    "standing_orders",
    "recurring_transactions",
}
SANDBOX_PASSWORDS = {"user_good": "pass_good"}
NEW_TOKEN_TTL, UPDATE_TOKEN_TTL = 4 * 3600, 30 * 60


def require(body: dict, *names: str) -> None:
    missing = [n for n in names if body.get(n) in (None, "")]
    if missing:
        raise missing_fields(*missing)


def _string(body, name, *, required=False):
    v = body.get(name)
    if v is None:
        if required:
            raise missing_fields(name)
        return None
    if not isinstance(v, str):
        raise invalid_field(name, "must be a string")
    return v


def _url(body, name):
    v = _string(body, name)
    if v:
        parts = urlsplit(v)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise invalid_field(name, "must be a valid URL")
    return v


def _countries(body):
    codes = body.get("country_codes")
    if not codes:
        raise missing_fields("country_codes")
    if not isinstance(codes, list) or any(c not in COUNTRY_CODES for c in codes):
        raise invalid_field("country_codes", "must be a list of supported country codes")
    return codes


def _products(body, name, *, required):
    prods = body.get(name)
    if prods in (None, []):
        if required:
            raise missing_fields(name)
        return []
    if not isinstance(prods, list) or any(p not in PRODUCTS for p in prods):
        raise invalid_field(name, "must be a list of valid products")
    return prods


def check_credentials(username: str, password: str, inst: dict) -> None:
    """Sandbox's rules: user_good/pass_good; user_transactions_dynamic with any non-blank
    password; the OAuth bank authenticates on its own consent page."""
    if inst["kind"] == "oauth":
        return
    if username == "user_transactions_dynamic" and password:
        return
    if SANDBOX_PASSWORDS.get(username) != password:
        raise PlaidError("INVALID_CREDENTIALS")


def data_item(emu, body, product_call=True):
    item = emu.store.item_for_token(body.get("access_token"))
    if institutions.BY_ID[item.institution_id]["kind"] == "down" and product_call:
        raise PlaidError("INSTITUTION_DOWN")
    if item.error and product_call:
        raise PlaidError(item.error)
    return item


# -- Link tokens -------------------------------------------------------------------------------
def link_token_create(emu, body):
    require(body, "client_name", "language")
    _string(body, "client_name", required=True)
    countries = _countries(body)
    user = body.get("user")
    if not body.get("user_id") and (not isinstance(user, dict) or not user.get("client_user_id")):
        raise missing_fields("user.client_user_id")
    access_token = body.get("access_token")
    item = emu.store.item_for_token(access_token) if access_token else None
    products = _products(body, "products", required=item is None)
    webhook = _url(body, "webhook")
    redirect_uri = _url(body, "redirect_uri")
    if redirect_uri and ("?" in redirect_uri or "*" in redirect_uri or "#" in redirect_uri):
        raise invalid_field("redirect_uri", "must not contain query parameters, fragments or *")
    days = (body.get("transactions") or {}).get("days_requested", 730)
    if not isinstance(days, int) or not 1 <= days <= 730:
        raise invalid_field("transactions.days_requested", "must be between 1 and 730")
    now = time.time()
    ttl = UPDATE_TOKEN_TTL if item else NEW_TOKEN_TTL
    token = f"link-sandbox-{uuid.uuid4()}"
    emu.store.link_tokens[token] = {
        "created": now,
        "expires": now + ttl,
        "client_name": body["client_name"],
        "language": body["language"],
        "country_codes": countries,
        "products": products,
        "webhook": webhook,
        "redirect_uri": redirect_uri,
        "days_requested": days,
        "item_id": item.item_id if item else None,
        "user": user,
        "account_selection": bool((body.get("update") or {}).get("account_selection_enabled")),
    }
    return {"link_token": token, "expiration": iso(now + ttl)}


def link_token_get(emu, body):
    require(body, "link_token")
    rec = emu.store.link_token(body["link_token"])
    return {
        "link_token": body["link_token"],
        "created_at": iso(rec["created"]),
        "expiration": iso(rec["expires"]),
        "metadata": {
            "initial_products": rec["products"],
            "webhook": rec["webhook"],
            "country_codes": rec["country_codes"],
            "language": rec["language"],
            "redirect_uri": rec["redirect_uri"],
            "client_name": rec["client_name"],
        },
    }


# -- Items ---------------------------------------------------------------------------------------
def item_public_token_exchange(emu, body):
    require(body, "public_token")
    access_token, item = emu.store.exchange(body["public_token"])
    return {"access_token": access_token, "item_id": item.item_id}


def item_get(emu, body):
    item = emu.store.item_for_token(body.get("access_token"))
    return {"item": item.render(), "status": item.render_status()}


def item_remove(emu, body):
    item = emu.store.item_for_token(body.get("access_token"))
    emu.store.remove_item(item)
    return {}


def item_webhook_update(emu, body):
    item = emu.store.item_for_token(body.get("access_token"))
    if "webhook" in body and body["webhook"] is not None:
        _url(body, "webhook")
    item.webhook = body.get("webhook") or None
    item.version += 1
    if item.webhook:
        emu.fire(
            item, "ITEM", "WEBHOOK_UPDATE_ACKNOWLEDGED", new_webhook_url=item.webhook, error=None
        )
    return {"item": item.render()}


def item_access_token_invalidate(emu, body):
    item = emu.store.item_for_token(body.get("access_token"))
    with emu.store.lock:
        del emu.store.access_tokens[body["access_token"]]
        return {"new_access_token": emu.store.new_access_token(item)}


# -- Accounts and transactions -------------------------------------------------------------------
def accounts_get(emu, body):
    item = data_item(emu, body)
    wanted = (body.get("options") or {}).get("account_ids")
    accts = [
        item.render_account(a)
        for a in item.shared_accounts()
        if not wanted or a["account_id"] in wanted
    ]
    return {"accounts": accts, "item": item.render()}


def transactions_sync(emu, body):
    item = data_item(emu, body)
    count = body.get("count", 100)
    if count is None:
        count = 100
    if not isinstance(count, int) or isinstance(count, bool) or not 1 <= count <= 500:
        raise invalid_field("count", "must be an integer between 1 and 500")
    cursor = body.get("cursor")
    if cursor is not None and not isinstance(cursor, str):
        raise invalid_field("cursor", "must be a string")
    with emu.store.lock:
        return sync.page(item, cursor, count)


def transactions_refresh(emu, body):
    item = data_item(emu, body)
    activity.refresh(emu, item)
    return {}


# -- Institutions and keys -----------------------------------------------------------------------
def institutions_get_by_id(emu, body):
    require(body, "institution_id")
    _countries(body)
    inst = institutions.BY_ID.get(body["institution_id"])
    if inst is None:
        raise PlaidError("INVALID_INSTITUTION")
    opts = body.get("options") or {}
    return {
        "institution": institutions.render(
            inst,
            optional_metadata=bool(opts.get("include_optional_metadata")),
            include_status=bool(opts.get("include_status")),
        )
    }


def institutions_search(emu, body):
    if not isinstance(body.get("query"), str) or not body["query"]:
        raise missing_fields("query")
    _countries(body)
    opts = body.get("options") or {}
    return {
        "institutions": [
            institutions.render(i, optional_metadata=bool(opts.get("include_optional_metadata")))
            for i in institutions.search(body["query"])
        ]
    }


def webhook_verification_key_get(emu, body):
    require(body, "key_id")
    jwk = emu.keyring.jwk(body["key_id"])
    if jwk is None:
        raise PlaidError("INVALID_WEBHOOK_VERIFICATION_KEY_ID")
    return {"key": jwk}


# -- Sandbox -------------------------------------------------------------------------------------
def sandbox_public_token_create(emu, body):
    require(body, "institution_id")
    products = _products(body, "initial_products", required=True)
    inst = institutions.BY_ID.get(body["institution_id"])
    if inst is None:
        raise PlaidError("INVALID_INSTITUTION")
    opts = body.get("options") or {}
    username = opts.get("override_username") or "user_good"
    password = opts.get("override_password") or "pass_good"
    check_credentials(username, password, inst)
    webhook = _url(opts, "webhook")
    days = (opts.get("transactions") or {}).get("days_requested", 730)
    if not isinstance(days, int) or not 1 <= days <= 730:
        raise invalid_field("options.transactions.days_requested", "must be between 1 and 730")
    item = emu.create_item(
        inst["institution_id"], username, webhook=webhook, products=products, days_requested=days
    )
    with emu.store.lock:
        return {"public_token": emu.store.new_public_token(item)}


# The product each sandbox webhook code needs on the item (None: none, the code is about the
# item itself or about a product the emulator only announces).
FIRE_NEEDS = {
    "DEFAULT_UPDATE": "transactions",
    "SYNC_UPDATES_AVAILABLE": "transactions",
    "RECURRING_TRANSACTIONS_UPDATE": "transactions",
    "SMS_MICRODEPOSITS_VERIFICATION": "auth",
}


def sandbox_item_fire_webhook(emu, body):
    item = emu.store.item_for_token(body["access_token"])
    code, wtype = body["webhook_code"], body.get("webhook_type")
    if not item.webhook:
        raise PlaidError("SANDBOX_WEBHOOK_INVALID")
    need = FIRE_NEEDS.get(code)
    if code == "DEFAULT_UPDATE" and wtype not in (None, "TRANSACTIONS"):
        need = None
    if need and need not in item.products:
        raise PlaidError("SANDBOX_PRODUCT_NOT_ENABLED")
    opts = body.get("options") or {}
    return {
        "webhook_fired": activity.fire_named(
            emu, item, code, new_transactions=opts.get("new_transactions"), webhook_type=wtype
        )
    }


def sandbox_item_reset_login(emu, body):
    item = emu.store.item_for_token(body.get("access_token"))
    activity.login_required(emu, item)
    return {"reset_login": True}


ROUTES = {
    "/link/token/create": link_token_create,
    "/link/token/get": link_token_get,
    "/item/public_token/exchange": item_public_token_exchange,
    "/item/get": item_get,
    "/item/remove": item_remove,
    "/item/webhook/update": item_webhook_update,
    "/item/access_token/invalidate": item_access_token_invalidate,
    "/accounts/get": accounts_get,
    "/accounts/balance/get": accounts_get,
    "/transactions/sync": transactions_sync,
    "/transactions/refresh": transactions_refresh,
    "/institutions/get_by_id": institutions_get_by_id,
    "/institutions/search": institutions_search,
    "/webhook_verification_key/get": webhook_verification_key_get,
    "/sandbox/public_token/create": sandbox_public_token_create,
    "/sandbox/item/fire_webhook": sandbox_item_fire_webhook,
    "/sandbox/item/reset_login": sandbox_item_reset_login,
}
