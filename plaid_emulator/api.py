"""Plaid's endpoints. Each handler takes (emulator, body) and returns the response dict
without request_id; the server adds it."""

from __future__ import annotations

import time
import uuid
from urllib.parse import urlsplit

from . import activity, credentials, institutions, product_api, products, recurring_api, wealth_api
from .errors import PlaidError, invalid_field, missing_fields
from .store import iso

NEW_TOKEN_TTL, UPDATE_TOKEN_TTL = 4 * 3600, 30 * 60
DEFAULT_DAYS_REQUESTED = 90  # Plaid's default for transactions.days_requested


def _list(body, name) -> list:
    return body.get(name) or []


# -- Link tokens -------------------------------------------------------------------------------
def link_token_create(emu, body):
    user = body.get("user")
    if not body.get("user_id") and not isinstance(user, dict):
        raise missing_fields("user.client_user_id")
    access_token = body.get("access_token")
    item = emu.store.item_for_token(access_token) if access_token else None
    requested = _list(body, "products")
    if item is None and not requested:
        raise missing_fields("products")
    products.check_authorized(
        requested,
        _list(body, "required_if_supported_products"),
        _list(body, "optional_products"),
    )
    redirect_uri = body.get("redirect_uri") or None
    if redirect_uri is not None:
        parts = urlsplit(redirect_uri)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise invalid_field("redirect_uri", "must be a valid URL")
        if parts.query or parts.fragment or "*" in redirect_uri:
            raise invalid_field("redirect_uri", "must not contain query parameters, fragments or *")
    days = (body.get("transactions") or {}).get("days_requested") or DEFAULT_DAYS_REQUESTED
    now = time.time()
    ttl = UPDATE_TOKEN_TTL if item else NEW_TOKEN_TTL
    token = f"link-sandbox-{uuid.uuid4()}"
    emu.store.link_tokens[token] = {
        "created": now,
        "expires": now + ttl,
        "client_name": body["client_name"],
        "language": body["language"],
        "country_codes": body["country_codes"],
        "products": [p for p in requested if p not in products.IMPLICIT],
        "required_if_supported": _list(body, "required_if_supported_products"),
        "optional": _list(body, "optional_products"),
        "additional_consented": _list(body, "additional_consented_products"),
        "webhook": body.get("webhook") or None,
        "redirect_uri": redirect_uri,
        "days_requested": days,
        "item_id": item.item_id if item else None,
        "user": user if isinstance(user, dict) else {"client_user_id": body.get("user_id")},
        "account_selection": bool((body.get("update") or {}).get("account_selection_enabled")),
    }
    return {"link_token": token, "expiration": iso(now + ttl)}


def link_token_get(emu, body):
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


# -- Institutions and keys -----------------------------------------------------------------------
def institutions_get_by_id(emu, body):
    inst = institutions.BY_ID.get(body["institution_id"])
    if inst is None or inst["country"] not in body["country_codes"]:
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
    opts = body.get("options") or {}
    found = institutions.search(body["query"], body["country_codes"], body.get("products"))
    if opts.get("oauth") is not None:
        found = [i for i in found if (i["kind"] == "oauth") == opts["oauth"]]
    return {
        "institutions": [
            institutions.render(i, optional_metadata=bool(opts.get("include_optional_metadata")))
            for i in found
        ]
    }


def webhook_verification_key_get(emu, body):
    jwk = emu.keyring.jwk(body["key_id"])
    if jwk is None:
        raise PlaidError("INVALID_WEBHOOK_VERIFICATION_KEY_ID")
    return {"key": jwk}


# -- Sandbox -------------------------------------------------------------------------------------
def sandbox_public_token_create(emu, body):
    inst = institutions.BY_ID.get(body["institution_id"])
    if inst is None:
        raise PlaidError("INVALID_INSTITUTION")
    prods, consented = products.resolve(inst, body["initial_products"])
    opts = body.get("options") or {}
    username = opts.get("override_username") or "user_good"
    password = opts.get("override_password") or "pass_good"
    # Nobody is there to answer MFA, so Plaid skips it here.
    who = credentials.login(username, password, inst)
    days = (opts.get("transactions") or {}).get("days_requested") or DEFAULT_DAYS_REQUESTED
    item = emu.create_item(
        inst["institution_id"],
        who.username,
        webhook=opts.get("webhook") or None,
        products=prods,
        consented=consented,
        days_requested=days,
        custom=who.custom,
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
    item = emu.store.item_for_token(body["access_token"])
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
    **product_api.ROUTES,
    "/transactions/recurring/get": recurring_api.transactions_recurring_get,
    **wealth_api.ROUTES,
    "/institutions/get_by_id": institutions_get_by_id,
    "/institutions/search": institutions_search,
    "/webhook_verification_key/get": webhook_verification_key_get,
    "/sandbox/public_token/create": sandbox_public_token_create,
    "/sandbox/item/fire_webhook": sandbox_item_fire_webhook,
    "/sandbox/item/reset_login": sandbox_item_reset_login,
}
