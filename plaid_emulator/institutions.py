"""The emulator's banks. Ids are Plaid Sandbox's where Sandbox has them."""

from __future__ import annotations

import base64
import struct
import zlib
from functools import cache

# kind: "password" (username/password), "oauth" (bank consent page), "mfa" (a code after the
# password for every user). Region decides the currency, the account numbers /auth/get gives
# (ACH, EFT, BACS, IBAN) and the demo accounts; "accounts" names a set in data.ACCOUNT_SETS.
US_PRODUCTS = ["auth", "balance", "identity", "transactions"]
CU_PRODUCTS = ["auth", "balance", "identity", "investments", "liabilities", "transactions"]


def _bank(ins, name, kind, color, url, country="US", accounts="personal", **extra):
    return {
        "institution_id": ins,
        "name": name,
        "kind": kind,
        "primary_color": color,
        "url": url,
        "country": country,
        "accounts": accounts,
        "products": CU_PRODUCTS if accounts == "credit_union" else US_PRODUCTS,
        **extra,
    }


INSTITUTIONS = [
    _bank(
        "ins_109508",
        "First Platypus Bank",
        "password",
        "#1f8a70",
        "https://www.firstplatypus.example",
    ),
    _bank(
        "ins_127287", "Platypus OAuth Bank", "oauth", "#2355d8", "https://www.platypusoauth.example"
    ),
    _bank(
        "ins_109509",
        "First Gingham Credit Union",
        "mfa",
        "#b5452c",
        "https://www.firstgingham.example",
        mfa_code="1234",
    ),
    _bank(
        "ins_109510",
        "Tattersall Federal Credit Union",
        "password",
        "#6b8e23",
        "https://www.tattersallfcu.example",
        accounts="credit_union",
    ),
    _bank("ins_109511", "Tartan Bank", "password", "#8b1a1a", "https://www.tartanbank.example"),
    _bank(
        "ins_109512", "Houndstooth Bank", "password", "#5b4a8a", "https://www.houndstooth.example"
    ),
    _bank(
        "ins_130016",
        "First Platypus Balance Bank",
        "password",
        "#13795b",
        "https://www.platypusbalance.example",
    ),
    _bank(
        "ins_43",
        "Tartan-Dominion Bank of Canada",
        "password",
        "#c8102e",
        "https://www.tartandominion.example",
        country="CA",
    ),
    _bank(
        "ins_140001",
        "Maple Platypus OAuth Bank",
        "oauth",
        "#d52b1e",
        "https://www.mapleplatypus.example",
        country="CA",
    ),
    _bank(
        "ins_117650",
        "Royal Bank of Plaid",
        "password",
        "#0a3161",
        "https://www.royalbankofplaid.example",
        country="GB",
    ),
    _bank(
        "ins_116834",
        "Flexible Platypus Open Banking",
        "oauth",
        "#00857c",
        "https://www.flexibleplatypus.example",
        country="GB",
    ),
    _bank(
        "ins_140002",
        "Banque Ornithorynque",
        "password",
        "#1d4e89",
        "https://www.banque-ornithorynque.example",
        country="FR",
    ),
    _bank(
        "ins_117181",
        "Platypus Euro OAuth Bank",
        "oauth",
        "#003399",
        "https://www.platypuseuro.example",
        country="DE",
    ),
]
BY_ID = {i["institution_id"]: i for i in INSTITUTIONS}
REGION = {"US": "US", "CA": "CA", "GB": "GB"}  # everything else: the euro area
CURRENCY = {"US": "USD", "CA": "CAD", "GB": "GBP", "EU": "EUR"}


def region(inst: dict) -> str:
    return REGION.get(inst["country"], "EU")


def currency(inst: dict) -> str:
    return CURRENCY[region(inst)]


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
        "products": inst["products"],
        "country_codes": [inst["country"]],
        "routing_numbers": ["011401533", "021000021"] if inst["country"] == "US" else [],
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
        health = "HEALTHY"
        breakdown = {
            "success": 0.99,
            "error_plaid": 0.01,
            "error_institution": 0.0,
            "refresh_interval": "NORMAL",
        }
        stat = {
            "status": health,
            "last_status_change": "2024-01-01T00:00:00Z",
            "breakdown": breakdown,
        }
        out["status"] = {"item_logins": stat, "transactions_updates": stat}
    return out


def search(query: str, country_codes=(), products=()) -> list[dict]:
    q = (query or "").strip().lower()
    return [
        i
        for i in INSTITUTIONS
        if q in i["name"].lower()
        and (not country_codes or i["country"] in country_codes)
        and set(products or ()) <= set(i["products"])
    ]
