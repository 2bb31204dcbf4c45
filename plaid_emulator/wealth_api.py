"""Plaid's Liabilities and Investments endpoints over the data in loans.py and portfolio.py.
An institution without the product answers PRODUCTS_NOT_SUPPORTED (products.ensure)."""

from __future__ import annotations

from datetime import date

from . import institutions, loans, portfolio, product_api, products
from .errors import PlaidError

# Plaid's Liabilities covers cards and two kinds of loan; an auto loan is an account only.
LIABILITY_SUBTYPES = {
    "credit card": "credit",
    "paypal": "credit",
    "mortgage": "mortgage",
    "student": "student",
}


def _item(emu, body, product: str):
    item = product_api.data_item(emu, body)
    with emu.store.lock:
        products.ensure(item, institutions.BY_ID[item.institution_id], product)
    return item


def liabilities_get(emu, body):
    item = _item(emu, body, "liabilities")
    out: dict[str, list] = {"credit": [], "mortgage": [], "student": []}
    with emu.store.lock:
        accts = product_api.wanted_accounts(item, body)
        for a in accts:
            kind = LIABILITY_SUBTYPES.get(a["subtype"])
            if kind == "credit":
                txns = [t for t in item.txns.values() if t.account_id == a["account_id"]]
                out["credit"].append(loans.card(a, a["start_balance"], txns, item.today))
            elif kind and a["type"] == "loan":
                out[kind].append(loans.loan(a, item.balances(a)["current"], item.today))
        return {
            "accounts": [item.render_account(a) for a in accts],
            "item": item.render(),
            "liabilities": out,
        }


def _investment_accounts(item, body) -> list[dict]:
    return [a for a in product_api.wanted_accounts(item, body) if a["type"] == "investment"]


def _render_investment(item, a: dict) -> dict:
    out = item.render_account(a)
    # InvestmentAccountBalance: plaid-python requires the key; these accounts have no margin.
    out["balances"]["margin_loan_amount"] = None
    return out


def investments_holdings_get(emu, body):
    item = _item(emu, body, "investments")
    with emu.store.lock:
        accts = _investment_accounts(item, body)
        currency = institutions.currency(institutions.BY_ID[item.institution_id])
        held, keys = [], set()
        for a in accts:
            if a.get("portfolio"):
                for h in portfolio.holdings(a, item.today):
                    held.append(portfolio.render_holding(a, h, item.today, currency))
                    keys.add(h["key"])
        return {
            "accounts": [_render_investment(item, a) for a in accts],
            "holdings": held,
            "securities": [
                portfolio.render_security(k, item.today, currency) for k in sorted(keys)
            ],
            "item": item.render(),
        }


def investments_transactions_get(emu, body):
    item = _item(emu, body, "investments")
    start, end = body["start_date"], body["end_date"]
    if start > end:
        raise PlaidError("INVALID_FIELD", "start_date must be on or before end_date")
    opts = body.get("options") or {}
    count, offset = opts.get("count") or 100, opts.get("offset") or 0
    with emu.store.lock:
        accts = _investment_accounts(item, {"options": {"account_ids": opts.get("account_ids")}})
        currency = institutions.currency(institutions.BY_ID[item.institution_id])
        lo = max(date.fromisoformat(start), portfolio.window(item.today))
        hi = min(date.fromisoformat(end), item.today)
        rows = [
            (a, e)
            for a in accts
            if a.get("portfolio")
            for e in portfolio.events(a, hi)
            if e.day >= lo
        ]
        rows.sort(key=lambda r: (r[1].day, r[1].id), reverse=True)
        page = rows[offset : offset + count]
        keys = sorted({e.key for _, e in page if e.key})
        return {
            "item": item.render(),
            "accounts": [_render_investment(item, a) for a in accts],
            "securities": [portfolio.render_security(k, item.today, currency) for k in keys],
            "investment_transactions": [portfolio.render_event(a, e, currency) for a, e in page],
            "total_investment_transactions": len(rows),
        }


ROUTES = {
    "/liabilities/get": liabilities_get,
    "/investments/holdings/get": investments_holdings_get,
    "/investments/transactions/get": investments_transactions_get,
}
