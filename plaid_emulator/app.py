"""The emulator core, independent of HTTP: credentials, faults, rate limits, dispatch."""

from __future__ import annotations

import hmac
import os
import threading
import time

from . import activity, api, schemas, validation
from .errors import PlaidError, missing_fields
from .faults import Faults, RateLimits
from .store import Item, Store
from .webhooks import PLAID_RETRY_DELAYS, Dispatcher, KeyRing

DEMO_CLIENT_ID = "emulator-client-id"
DEMO_SECRET = "emulator-secret"

# Endpoints that reach the bank, so a down institution or a broken login fails them.
ITEM_PATHS = {
    "/accounts/get",
    "/accounts/balance/get",
    "/transactions/sync",
    "/transactions/refresh",
    "/transactions/get",
    "/transactions/recurring/get",
    "/auth/get",
    "/identity/get",
    "/item/get",
    "/item/remove",
    "/item/webhook/update",
    "/item/access_token/invalidate",
    "/sandbox/item/fire_webhook",
    "/sandbox/item/reset_login",
}


def default_credentials(client_id=None, secret=None) -> tuple[str, str]:
    return (
        client_id or os.environ.get("PLAID_CLIENT_ID") or DEMO_CLIENT_ID,
        secret or os.environ.get("PLAID_SECRET") or DEMO_SECRET,
    )


class Recorder:
    """Request and response bodies of Plaid calls, kept only while a test switches it on, so
    a contract test can check the exact JSON a typed client received."""

    def __init__(self, limit: int = 10_000):
        self.lock = threading.Lock()
        self.enabled = False
        self.limit = limit
        self.entries: list[dict] = []

    def record(self, path: str, status: int, request, response) -> None:
        if not self.enabled:
            return
        if isinstance(request, dict):
            request = {k: v for k, v in request.items() if k not in ("client_id", "secret")}
        with self.lock:
            if len(self.entries) < self.limit:
                self.entries.append(
                    {"path": path, "status": status, "request": request, "response": response}
                )

    def configure(self, enabled: bool) -> None:
        with self.lock:
            self.enabled = enabled
            self.entries = []

    def take(self) -> list[dict]:
        with self.lock:
            out, self.entries = self.entries, []
            return out


class Emulator:
    def __init__(
        self,
        *,
        client_id=None,
        secret=None,
        seed: int = 1,
        webhook_retry_delays=PLAID_RETRY_DELAYS,
        ready_after_seconds: float = 0.0,
        historical_after_seconds: float = 0.0,
        state_path=None,
    ):
        self.client_id, self.secret = default_credentials(client_id, secret)
        self.store = Store(seed, ready_after_seconds, historical_after_seconds)
        self.store.on_stage = lambda item, stage, n: activity.on_stage(self, item, stage, n)
        self.keyring = KeyRing()
        self.dispatcher = Dispatcher(self.keyring, webhook_retry_delays)
        self.faults = Faults()
        self.limits = RateLimits()
        self.recorder = Recorder()
        self.persister = None
        if state_path:
            from .persist import Persister

            self.persister = Persister(state_path, self)
            self.persister.load()

    # -- lifecycle -----------------------------------------------------------------------------
    def reset(self) -> None:
        self.store.clear()
        self.faults.clear()
        self.limits.configure(False)
        self.recorder.configure(False)
        self.dispatcher.clear()

    def close(self) -> None:
        self.dispatcher.stopped = True
        if self.persister:
            self.persister.stop()

    # -- items and webhooks --------------------------------------------------------------------
    def create_item(self, institution_id, username, **kwargs) -> Item:
        return self.store.create_item(institution_id, username, **kwargs)

    def fire(self, item: Item, webhook_type: str, webhook_code: str, **fields) -> bool:
        payload = {
            "webhook_type": webhook_type,
            "webhook_code": webhook_code,
            "item_id": item.item_id,
            **fields,
            "environment": "sandbox",
        }
        if not item.webhook:
            return False
        item.last_webhook = (time.time(), webhook_code)
        return self.dispatcher.send(item.webhook, payload)

    # -- Plaid API -----------------------------------------------------------------------------
    def authenticate(self, headers, body: dict) -> None:
        cid = headers.get("PLAID-CLIENT-ID") or body.get("client_id")
        sec = headers.get("PLAID-SECRET") or body.get("secret")
        missing = [n for n, v in (("client_id", cid), ("secret", sec)) if not v]
        if missing:
            raise missing_fields(*missing)
        ok_id = hmac.compare_digest(str(cid).encode(), self.client_id.encode())
        ok_secret = hmac.compare_digest(str(sec).encode(), self.secret.encode())
        if not (ok_id and ok_secret):
            raise PlaidError("INVALID_API_KEYS")

    def call(self, path: str, headers, body) -> dict:
        handler = api.ROUTES.get(path)
        if handler is None:
            raise PlaidError("NOT_FOUND", f"unknown endpoint {path[:200]}")
        if not isinstance(body, dict):
            raise PlaidError("INVALID_BODY")
        self.authenticate(headers, body)
        validation.validate(schemas.REQUESTS[path], body)
        item_id = None
        if path in ITEM_PATHS and isinstance(body.get("access_token"), str):
            item_id = self.store.access_tokens.get(body["access_token"])
        latency, code = self.faults.check(path, item_id)
        if latency:
            time.sleep(latency)
        if code:
            raise PlaidError(code)
        self.limits.check(path, item_id, self.client_id)
        return handler(self, body)
