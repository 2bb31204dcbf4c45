"""Injected faults and Plaid's per-item rate limits."""

from __future__ import annotations

import threading
import time
from collections import deque

from .errors import PlaidError, is_known

# Plaid Sandbox's documented per-item limits per minute, with the error code each one raises.
SANDBOX_ITEM_LIMITS = {
    "/transactions/sync": (50, "TRANSACTIONS_SYNC_LIMIT"),
    "/accounts/get": (100, "ACCOUNTS_LIMIT"),
    "/item/get": (40, "ITEM_GET_LIMIT"),
    "/transactions/refresh": (2, "TRANSACTIONS_REFRESH_LIMIT"),
    "/accounts/balance/get": (25, "BALANCE_LIMIT"),
    "/item/remove": (100, "RATE_LIMIT"),
}


class Faults:
    """Rules like {"path", "error_code" | "latency_ms", "after", "times", "item_id"}.

    A rule matches requests to its path (and item, when given). It lets the first `after`
    matches through, then applies to the next `times` matches (every later one if `times` is
    omitted)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.rules: list[dict] = []

    def add(self, spec: dict) -> dict:
        path = spec.get("path")
        if not isinstance(path, str) or not path.startswith("/"):
            raise PlaidError(
                "INVALID_FIELD", "path must be an endpoint path such as /transactions/sync"
            )
        code = spec.get("error_code")
        latency = spec.get("latency_ms")
        if code is None and latency is None:
            raise PlaidError("MISSING_FIELDS", "one of error_code or latency_ms is required")
        if code is not None and not is_known(code):
            raise PlaidError("INVALID_FIELD", f"error_code {code} cannot be injected")
        rule = {
            "id": len(self.rules) + 1,
            "path": path,
            "error_code": code,
            "latency_ms": latency,
            "after": int(spec.get("after") or 0),
            "times": spec.get("times"),
            "item_id": spec.get("item_id"),
            "seen": 0,
            "fired": 0,
        }
        with self.lock:
            self.rules.append(rule)
        return rule

    def clear(self) -> None:
        with self.lock:
            self.rules = []

    def check(self, path: str, item_id: str | None) -> tuple[float, str | None]:
        """Return (latency seconds, error code or None) for this request."""
        latency, code = 0.0, None
        with self.lock:
            for r in self.rules:
                if r["path"] != path or (r["item_id"] and r["item_id"] != item_id):
                    continue
                r["seen"] += 1
                if r["seen"] <= r["after"]:
                    continue
                if r["times"] is not None and r["fired"] >= r["times"]:
                    continue
                r["fired"] += 1
                if r["latency_ms"]:
                    latency += r["latency_ms"] / 1000
                if r["error_code"] and code is None:
                    code = r["error_code"]
        return latency, code

    def snapshot(self) -> list[dict]:
        with self.lock:
            return [dict(r) for r in self.rules]


class RateLimits:
    """Sliding one-minute windows per (path, item), and one per API client across every
    endpoint. Each is off until switched on."""

    def __init__(self):
        self.lock = threading.Lock()
        self.configure(False)

    def configure(
        self, enforce: bool, limits: dict | None = None, client_per_minute: int | None = None
    ) -> None:
        if client_per_minute is not None and (
            not isinstance(client_per_minute, int) or client_per_minute < 1
        ):
            raise PlaidError("INVALID_FIELD", "client_per_minute must be a positive integer")
        table = dict(SANDBOX_ITEM_LIMITS)
        for path, per_minute in (limits or {}).items():
            if not isinstance(per_minute, int) or per_minute < 0:
                raise PlaidError("INVALID_FIELD", f"limits.{path} must be a non-negative integer")
            table[path] = (per_minute, table.get(path, (0, "RATE_LIMIT"))[1])
        with self.lock:
            self.enforce = bool(enforce)
            self.limits = table
            self.client_per_minute = client_per_minute
            self.hits: dict[tuple[str, str], deque] = {}

    def _hit(self, key: tuple[str, str], per_minute: int, code: str, now: float) -> None:
        window = self.hits.setdefault(key, deque())
        while window and window[0] <= now - 60:
            window.popleft()
        if len(window) >= per_minute:
            raise PlaidError(code)
        window.append(now)

    def check(self, path: str, item_id: str | None, client_id: str = "") -> None:
        now = time.monotonic()
        with self.lock:
            if self.client_per_minute is not None:
                self._hit(("*client*", client_id), self.client_per_minute, "RATE_LIMIT", now)
            if self.enforce and item_id is not None and path in self.limits:
                per_minute, code = self.limits[path]
                self._hit((path, item_id), per_minute, code, now)

    def state(self) -> dict:
        return {
            "enforce": self.enforce,
            "client_per_minute": self.client_per_minute,
            "limits": {p: {"per_minute": n, "error_code": c} for p, (n, c) in self.limits.items()},
        }
