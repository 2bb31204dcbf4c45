"""The /emulator/ control API for tests, demos and benchmarks. Not part of Plaid's API."""

from __future__ import annotations

import re

from . import activity, data, institutions, recurring_api
from .balances_history import balances_history
from .errors import PlaidError

ITEM_ROUTE = re.compile(
    r"^/emulator/items/([A-Za-z0-9]+)/(advance|transactions|accounts|"
    r"fire_webhook|reset_login)$"
)
STREAM_ROUTE = re.compile(
    r"^/emulator/items/([A-Za-z0-9]+)/(recurring-truth|streams)(?:/([A-Za-z0-9]+))?$"
)

BALANCES_ROUTE = re.compile(
    r"^/emulator/items/([A-Za-z0-9]+)/accounts/([A-Za-z0-9]+)/balances-history$"
)


def _int(body, name, lo, hi, default=None):
    v = body.get(name, default)
    if not isinstance(v, int) or isinstance(v, bool) or not lo <= v <= hi:
        raise PlaidError("INVALID_FIELD", f"{name} must be an integer between {lo} and {hi}")
    return v


def _new_account(emu, item, body) -> dict:
    name, subtype = body.get("name", "Plaid Money Market"), body.get("subtype", "money market")
    if not isinstance(name, str) or not name.strip() or len(name) > 100:
        raise PlaidError(
            "INVALID_FIELD", "name must be a non-empty string of at most 100 characters"
        )
    if subtype not in data.ACCOUNT_SUBTYPES:
        raise PlaidError(
            "INVALID_FIELD", "subtype must be one of " + ", ".join(sorted(data.ACCOUNT_SUBTYPES))
        )
    a = activity.new_accounts(emu, item, name.strip(), subtype)
    return {
        "account": {
            "account_id": a["account_id"],
            "name": a["name"],
            "mask": a["mask"],
            "type": a["type"],
            "subtype": a["subtype"],
            "selected": False,
        },
        "webhook_fired": bool(item.webhook),
    }


def _bulk(emu, body) -> dict:
    """Many linked items at once, for scale benchmarks: what /sandbox/public_token/create and
    the exchange would give, without two HTTP calls per item. The items are complete at once
    and their INITIAL/HISTORICAL_UPDATE webhooks are not sent (tens of thousands of them would
    only flood the receiver); the webhook URL is set for everything that happens later."""
    count = _int(body, "count", 1, 100_000)
    days = _int(body, "days_requested", 1, 730, 30)
    inst = body.get("institution_id", "ins_109508")
    if inst not in institutions.BY_ID:
        raise PlaidError("INVALID_INSTITUTION")
    username = body.get("username", "user_good")
    if username not in ("user_good", "user_transactions_dynamic"):
        raise PlaidError("INVALID_FIELD", "username must be user_good or user_transactions_dynamic")
    webhook = body.get("webhook")
    if webhook is not None and not isinstance(webhook, str):
        raise PlaidError("INVALID_FIELD", "webhook must be a string")
    noise = body.get("recurring_noise", False)
    if not isinstance(noise, bool):
        raise PlaidError("INVALID_FIELD", "recurring_noise must be a boolean")
    out = []
    for _ in range(count):
        item = emu.create_item(inst, username, days_requested=days, recurring_noise=noise)
        with emu.store.lock:
            item.webhook = webhook or None
            out.append({"item_id": item.item_id, "access_token": emu.store.new_access_token(item)})
    return {"items": out}


def _streams(emu, method, item_id, what, stream_id, body) -> tuple[int, dict]:
    item = emu.store.items.get(item_id)
    if item is None:
        raise PlaidError("ITEM_NOT_FOUND")
    if what == "recurring-truth" and method == "GET" and stream_id is None:
        return 200, recurring_api.truth(emu, item)
    if what == "streams" and method == "POST":
        out = recurring_api.control(emu, item, stream_id, body if isinstance(body, dict) else {})
        if out.get("added"):
            activity.sync_updates(emu, item)
            activity.recurring_update(emu, item, [s["account_id"] for s in item.streams[-1:]])
        return 200, out
    return 404, {"error": f"no control endpoint {method} /emulator/items/{item_id}/{what}"}


def item_summary(item, access_token: str | None) -> dict:

    return {
        "item_id": item.item_id,
        "institution_id": item.institution_id,
        "username": item.username,
        "access_token": access_token,
        "webhook": item.webhook,
        "error": item.error,
        "accounts": len(item.shared_accounts()),
        "transactions": len(item.txns),
        "log_length": len(item.log),
        "transactions_update_status": (
            "NOT_READY",
            "INITIAL_UPDATE_COMPLETE",
            "HISTORICAL_UPDATE_COMPLETE",
        )[item.stage],
        "synced_once": item.synced_once,
        "today": item.today.isoformat(),
    }


def handle(emu, method: str, path: str, body: dict) -> tuple[int, dict]:
    store = emu.store
    if path == "/emulator/reset" and method == "POST":
        emu.reset()
        return 200, {"reset": True}
    if path == "/emulator/items/bulk" and method == "POST":
        return 200, _bulk(emu, body)
    if path == "/emulator/items" and method == "GET":
        with store.lock:
            # One reverse map instead of a scan of every token per item: the listing stays
            # linear at the tens of thousands of items the scale benchmark creates.
            tokens = {item_id: t for t, item_id in reversed(store.access_tokens.items())}
            items = [
                item_summary(i, tokens.get(i.item_id)) for i in store.items.values() if i.linked
            ]
            return 200, {"items": items}
    if path == "/emulator/faults":
        if method == "POST":
            return 200, {"fault": emu.faults.add(body)}
        if method == "DELETE":
            emu.faults.clear()
            return 200, {"faults": []}
        return 200, {"faults": emu.faults.snapshot()}
    if path == "/emulator/rate_limits":
        if method == "POST":
            limits = body.get("limits")
            if limits is not None and not isinstance(limits, dict):
                raise PlaidError("INVALID_FIELD", "limits must be an object")
            emu.limits.configure(bool(body.get("enforce")), limits, body.get("client_per_minute"))
        return 200, emu.limits.state()
    if path == "/emulator/recording":
        if method == "POST":
            emu.recorder.configure(bool(body.get("enabled", True)))
            return 200, {"enabled": emu.recorder.enabled}
        if method == "DELETE":
            emu.recorder.configure(False)
            return 200, {"enabled": False}
        return 200, {"enabled": emu.recorder.enabled, "calls": emu.recorder.take()}
    if path == "/emulator/webhooks":
        if method == "DELETE":
            emu.dispatcher.clear()
        return 200, {"webhooks": emu.dispatcher.entries()}
    if path == "/emulator/webhook_keys/rotate" and method == "POST":
        return 200, {"key_id": emu.keyring.rotate()}
    if path == "/emulator/config":
        if method == "POST":
            for name in ("ready_after_seconds", "historical_after_seconds"):
                if name in body:
                    setattr(store, name, float(body[name]))
        return 200, {
            "ready_after_seconds": store.ready_after_seconds,
            "historical_after_seconds": store.historical_after_seconds,
            "seed": store.seed,
        }
    m = STREAM_ROUTE.match(path)
    if m:
        return _streams(emu, method, m.group(1), m.group(2), m.group(3), body)
    m = BALANCES_ROUTE.match(path)
    if m and method == "GET":
        with store.lock:
            item = store.items.get(m.group(1))
            if item is None:
                raise PlaidError("ITEM_NOT_FOUND")
            return 200, balances_history(item, m.group(2))
    m = ITEM_ROUTE.match(path)
    if m and method == "POST":
        item = store.items.get(m.group(1))
        if item is None:
            raise PlaidError("ITEM_NOT_FOUND")
        action = m.group(2)
        if action == "advance":
            return 200, {
                "item_id": item.item_id,
                **activity.advance(emu, item, _int(body, "days", 1, 3650, 1)),
            }
        if action == "transactions":
            count, days = _int(body, "count", 1, 1_000_000), _int(body, "days", 1, 3650, 730)
            n = activity.append_volume(emu, item, count, days)
            return 200, {"item_id": item.item_id, "added": n, "transactions": len(item.txns)}
        if action == "accounts":
            return 200, {"item_id": item.item_id, **_new_account(emu, item, body)}
        if action == "reset_login":
            activity.login_required(emu, item)
            return 200, {"item_id": item.item_id, "error": item.error}
        code = body.get("webhook_code")
        if not isinstance(code, str):
            raise PlaidError("MISSING_FIELDS", "webhook_code is required")
        new = body.get("new_transactions")
        if new is not None and (not isinstance(new, int) or not 0 <= new <= 1_000_000):
            raise PlaidError("INVALID_FIELD", "new_transactions must be a non-negative integer")
        wtype = body.get("webhook_type")
        fired = activity.fire_named(
            emu, item, code, new, webhook_type=wtype if isinstance(wtype, str) else None
        )
        return 200, {"item_id": item.item_id, "webhook_fired": fired}
    return 404, {"error": f"no control endpoint {method} {path}"}
