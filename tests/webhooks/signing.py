"""Signing real and forged Plaid-Verification JWTs for the webhook tests."""

import base64
import hashlib
import hmac
import json
import time
import uuid

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def body_for(payload: dict) -> bytes:
    # Plaid's own serialisation: two-space indent (the hash is whitespace-sensitive).
    return json.dumps(payload, indent=2).encode()


def sign(body: bytes, private_key, kid: str, *, iat: int | None = None) -> str:
    claims = {
        "iat": int(time.time()) if iat is None else iat,
        "request_body_sha256": hashlib.sha256(body).hexdigest(),
    }
    return jwt.encode(claims, private_key, algorithm="ES256", headers={"kid": kid})


def unsigned_token(header: dict, claims: dict, signature: bytes = b"") -> str:
    parts = [json.dumps(header).encode(), json.dumps(claims).encode()]
    return ".".join([b64url(p) for p in parts] + [b64url(signature)])


def alg_none_token(body: bytes, kid: str) -> str:
    claims = {"iat": int(time.time()), "request_body_sha256": hashlib.sha256(body).hexdigest()}
    return unsigned_token({"alg": "none", "kid": kid, "typ": "JWT"}, claims)


def hs256_with_public_key(body: bytes, kid: str, public_key) -> str:
    """The classic key-confusion forgery: HMAC keyed with the (public) verification key."""
    pem = public_key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    header = {"alg": "HS256", "kid": kid, "typ": "JWT"}
    claims = {"iat": int(time.time()), "request_body_sha256": hashlib.sha256(body).hexdigest()}
    signing_input = ".".join(b64url(json.dumps(p).encode()) for p in (header, claims))
    mac = hmac.new(pem, signing_input.encode(), hashlib.sha256).digest()
    return signing_input + "." + b64url(mac)


class KeyPair:
    """An ES256 key with its Plaid-shaped JWK (for unit tests with a stubbed key fetch)."""

    def __init__(self, expired: bool = False):
        self.private = ec.generate_private_key(ec.SECP256R1())
        self.public = self.private.public_key()
        self.kid = str(uuid.uuid4())
        nums = self.public.public_numbers()
        self.jwk = {
            "alg": "ES256",
            "crv": "P-256",
            "kid": self.kid,
            "kty": "EC",
            "use": "sig",
            "x": b64url(nums.x.to_bytes(32, "big")),
            "y": b64url(nums.y.to_bytes(32, "big")),
            "created_at": int(time.time()) - 3600,
            "expired_at": int(time.time()) if expired else None,
        }

    def sign(self, body: bytes, *, iat: int | None = None) -> str:
        return sign(body, self.private, self.kid, iat=iat)


# The forgeries the issue lists; each must be rejected with nothing stored.
FORGERIES = [
    "no header",
    "malformed jwt",
    "alg none",
    "hs256 with the public key",
    "unknown kid",
    "expired key",
    "wrong signature",
    "body changed by one byte",
    "same json other whitespace",
    "iat six minutes old",
    "iat in the future",
]
