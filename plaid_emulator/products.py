"""Which Plaid products the emulator serves, and how an item's product lists follow from a
request (the table in docs/emulator.md is this module in prose).

- Implemented: their endpoints exist here.
- `balance`: implicit, as on Plaid; accepted anywhere, never billed, always available.
- Every other product in the spec's enum is one this client is "not authorized" for: Plaid's
  INVALID_PRODUCT, the error a real client gets for a product its account lacks.
"""

from __future__ import annotations

import json

from .errors import PlaidError

IMPLEMENTED = ("transactions", "auth", "identity", "investments", "liabilities")
IMPLICIT = ("balance",)


def not_authorized(names) -> PlaidError:
    return PlaidError(
        "INVALID_PRODUCT",
        "client is not authorized to access the following products: " + json.dumps(names),
    )


def check_authorized(*lists) -> None:
    bad = sorted({p for lst in lists for p in (lst or ()) if p not in IMPLEMENTED + IMPLICIT})
    if bad:
        raise not_authorized(bad)


def unsupported(inst: dict, names) -> PlaidError:
    return PlaidError(
        "PRODUCTS_NOT_SUPPORTED",
        "the following products are not supported by this institution: " + ", ".join(names),
    )


def resolve(inst: dict, requested, required_if_supported=(), optional=(), consented=()):
    """(products, consented_products) for a new item at `inst`. Products the institution
    lacks are an error when requested, skipped when only wanted if supported."""
    check_authorized(requested, required_if_supported, optional)
    wanted = [p for p in requested or () if p not in IMPLICIT]
    missing = [p for p in wanted if p not in inst["products"]]
    if missing:
        raise unsupported(inst, missing)
    extra = [
        p
        for p in [*(required_if_supported or ()), *(optional or ())]
        if p in inst["products"] and p not in IMPLICIT
    ]
    products = sorted(set(wanted) | set(extra))
    consent = sorted(set(products) | (set(consented or ()) - set(IMPLICIT)))
    return products, consent


def available(inst: dict, products) -> list[str]:
    """What the item could add: implemented products the bank supports, and balance."""
    return sorted(p for p in inst["products"] if p in IMPLEMENTED + IMPLICIT and p not in products)


def ensure(item, inst: dict, product: str) -> None:
    """A product endpoint called on an item: Plaid adds the product to the item when the
    institution supports it (and bills it), else PRODUCTS_NOT_SUPPORTED."""
    if product in item.products:
        return
    if product not in inst["products"]:
        raise unsupported(inst, [product])
    item.products = sorted({*item.products, product})
    item.consented_products = sorted({*item.consented_products, product})
    item.version += 1
