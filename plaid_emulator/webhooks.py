"""Signed webhook delivery, following Plaid's verification recipe.

The body is json.dumps(payload, indent=2) and the JWT's request_body_sha256 covers exactly the
bytes sent: Plaid's docs warn that the hash is whitespace-sensitive, and our receivers must
hash the raw body, so the emulator must never re-serialise between signing and sending.
"""

from __future__ import annotations

import base64
import hashlib
import json
import threading
import time
import urllib.error
import urllib.request
import uuid

import jwt
from cryptography.hazmat.primitives.asymmetric import ec

# Plaid retries a non-200 answer for up to 24 hours, starting at 30 s and growing x4.
PLAID_RETRY_DELAYS = (30.0, 120.0, 480.0, 1920.0, 7680.0, 30720.0)
TIMEOUT_SECONDS = 10.0


def _b64(n: int) -> str:
    return base64.urlsafe_b64encode(n.to_bytes(32, "big")).decode().rstrip("=")


class KeyRing:
    """ES256 signing keys. Rotation keeps old public keys published with expired_at set."""

    def __init__(self):
        self.lock = threading.Lock()
        self.keys: dict[str, dict] = {}
        self.current: str | None = None
        self.rotate()

    def rotate(self) -> str:
        with self.lock:
            now = int(time.time())
            if self.current:
                self.keys[self.current]["jwk"]["expired_at"] = now
            priv = ec.generate_private_key(ec.SECP256R1())
            nums = priv.public_key().public_numbers()
            kid = str(uuid.uuid4())
            jwk = {
                "alg": "ES256",
                "crv": "P-256",
                "kid": kid,
                "kty": "EC",
                "use": "sig",
                "x": _b64(nums.x),
                "y": _b64(nums.y),
                "created_at": now,
                "expired_at": None,
            }
            self.keys[kid] = {"private": priv, "jwk": jwk}
            self.current = kid
            return kid

    def jwk(self, kid: str) -> dict | None:
        rec = self.keys.get(kid)
        return dict(rec["jwk"]) if rec else None

    def sign(self, body: bytes) -> str:
        with self.lock:
            kid = self.current
            priv = self.keys[kid]["private"]
        claims = {"iat": int(time.time()), "request_body_sha256": hashlib.sha256(body).hexdigest()}
        return jwt.encode(claims, priv, algorithm="ES256", headers={"kid": kid})


class Dispatcher:
    def __init__(self, keyring: KeyRing, retry_delays=PLAID_RETRY_DELAYS):
        self.keyring = keyring
        self.retry_delays = tuple(retry_delays)
        self.lock = threading.Lock()
        self.log: list[dict] = []
        self.generation = 0
        self.stopped = False

    def clear(self) -> None:
        with self.lock:
            self.log = []
            self.generation += 1  # pending retries from before a reset are dropped

    def send(self, url: str | None, payload: dict) -> bool:
        if not url:
            return False
        body = json.dumps(payload, indent=2).encode()
        gen = self.generation
        t = threading.Thread(target=self._deliver, args=(url, payload, body, gen), daemon=True)
        t.start()
        return True

    def _deliver(self, url: str, payload: dict, body: bytes, gen: int) -> None:
        for attempt in range(len(self.retry_delays) + 1):
            if self.stopped or gen != self.generation:
                return
            status, error = None, None
            req = urllib.request.Request(
                url,
                data=body,
                method="POST",
                headers={
                    "Content-Type": "application/json",
                    "Plaid-Verification": self.keyring.sign(body),
                    "User-Agent": "Plaid Verifier",
                },
            )
            try:
                with urllib.request.urlopen(req, timeout=TIMEOUT_SECONDS) as resp:
                    status = resp.status
            except urllib.error.HTTPError as e:
                status = e.code
            except (urllib.error.URLError, OSError) as e:
                error = str(getattr(e, "reason", e))
            with self.lock:
                if gen != self.generation:
                    return
                self.log.append(
                    {
                        "url": url,
                        "webhook_type": payload.get("webhook_type"),
                        "webhook_code": payload.get("webhook_code"),
                        "item_id": payload.get("item_id"),
                        "attempt": attempt + 1,
                        "status": status,
                        "error": error,
                        "at": time.time(),
                        "payload": payload,
                    }
                )
            if status == 200 or attempt >= len(self.retry_delays):
                return
            time.sleep(self.retry_delays[attempt])

    def entries(self) -> list[dict]:
        with self.lock:
            return list(self.log)
