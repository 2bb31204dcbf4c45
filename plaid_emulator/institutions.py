"""The emulator's banks. Ids are Plaid Sandbox's where Sandbox has them."""

from __future__ import annotations

import base64
import struct
import zlib
from functools import cache

# kind: "password" (username/password), "oauth" (bank consent page), "mfa" (code after login),
# "down" (INSTITUTION_DOWN in Link and on every data call).
INSTITUTIONS = [
    {
        "institution_id": "ins_109508",
        "name": "First Platypus Bank",
        "kind": "password",
        "primary_color": "#1f8a70",
        "url": "https://www.firstplatypus.example",
    },
    {
        "institution_id": "ins_127287",
        "name": "Platypus OAuth Bank",
        "kind": "oauth",
        "primary_color": "#2355d8",
        "url": "https://www.platypusoauth.example",
    },
    {
        "institution_id": "ins_109509",
        "name": "First Gingham Credit Union",
        "kind": "mfa",
        "primary_color": "#b5452c",
        "url": "https://www.firstgingham.example",
        "mfa_code": "1234",
    },
    {
        "institution_id": "ins_109512",
        "name": "Houndstooth Bank",
        "kind": "down",
        "primary_color": "#5b4a8a",
        "url": "https://www.houndstooth.example",
    },
]
BY_ID = {i["institution_id"]: i for i in INSTITUTIONS}
PRODUCTS = ["assets", "auth", "balance", "identity", "transactions"]


def _png(rgb: tuple[int, int, int], size: int = 32) -> bytes:
    # A round badge in the bank's colour on a transparent background, built with zlib so the
    # emulator needs no imaging library.
    r, g, b = rgb
    rows = []
    c = (size - 1) / 2
    for y in range(size):
        row = bytearray([0])
        for x in range(size):
            inside = (x - c) ** 2 + (y - c) ** 2 <= (size / 2) ** 2
            row += bytes((r, g, b, 255 if inside else 0))
        rows.append(bytes(row))
    raw = zlib.compress(b"".join(rows))

    def chunk(tag: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + tag
            + data
            + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)
        )

    ihdr = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", raw) + chunk(b"IEND", b"")


@cache
def logo(institution_id: str) -> str:
    hexcol = BY_ID[institution_id]["primary_color"].lstrip("#")
    rgb = tuple(int(hexcol[i : i + 2], 16) for i in (0, 2, 4))
    return base64.b64encode(_png(rgb)).decode()


def render(inst: dict, *, optional_metadata: bool = True, include_status: bool = False) -> dict:
    out = {
        "institution_id": inst["institution_id"],
        "name": inst["name"],
        "products": PRODUCTS,
        "country_codes": ["US"],
        "routing_numbers": ["011401533", "021000021"],
        "dtc_numbers": [],
        "oauth": inst["kind"] == "oauth",
        # plaid-python 46 requires this key although the 2020-09-14 spec snapshot lacks it.
        "connection_availability": "SUPPORTED",
    }
    if optional_metadata:
        out.update(
            url=inst["url"], primary_color=inst["primary_color"], logo=logo(inst["institution_id"])
        )
    if include_status:
        health = "DOWN" if inst["kind"] == "down" else "HEALTHY"
        breakdown = {
            "success": 0.0 if health == "DOWN" else 0.99,
            "error_plaid": 0.01,
            "error_institution": 0.0 if health != "DOWN" else 0.99,
            "refresh_interval": "NORMAL",
        }
        stat = {
            "status": health,
            "last_status_change": "2024-01-01T00:00:00Z",
            "breakdown": breakdown,
        }
        out["status"] = {"item_logins": stat, "transactions_updates": stat}
    return out


def search(query: str) -> list[dict]:
    q = (query or "").strip().lower()
    return [i for i in INSTITUTIONS if q in i["name"].lower()]
