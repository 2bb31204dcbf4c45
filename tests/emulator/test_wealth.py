"""Liabilities and Investments: through plaid-python 46's typed models, every answer checked
against Plaid's spec, and the numbers moving with the emulator's clock."""

from __future__ import annotations

import json
from datetime import date, timedelta

from plaid.configuration import Configuration
from plaid.model.holding import Holding
from plaid.model.investment_transaction import InvestmentTransaction
from plaid.model.liabilities_get_request import LiabilitiesGetRequest
from plaid.model.security import Security
from plaid.model_utils import validate_and_convert_types

from plaid_emulator import products
from plaid_emulator.institutions import BY_ID

from .helpers import link_item, post
from .test_sandbox_conventions import linked

CU = "ins_109510"  # Tattersall FCU: investment, loan and card accounts


def _item_id(emulator, token):
    return post(emulator.url, "/item/get", {"access_token": token})[1]["item"]["item_id"]


def _advance(emulator, item_id, days):
    return post(emulator.url, f"/emulator/items/{item_id}/advance", {"days": days}, creds=False)[1]


def _window(url, token, days=730, **options):
    today = date.today() + timedelta(days=400)
    body = {
        "access_token": token,
        "start_date": (today - timedelta(days=days + 400)).isoformat(),
        "end_date": today.isoformat(),
        "options": {"count": 500, **options},
    }
    return post(url, "/investments/transactions/get", body)[1]


def typed(model, raw):
    """plaid-python 46's typed model for `raw`, with its type checks on."""
    return validate_and_convert_types(raw, (model,), ["response"], True, True, Configuration())


def test_it_serves_liabilities_investments_and_their_transactions_spec_valid(
    emulator, plaid_client, contract, openapi
):
    token, _ = link_item(plaid_client, institution_id=CU)
    liab = plaid_client.liabilities_get(LiabilitiesGetRequest(access_token=token)).liabilities
    card = liab.credit[0]
    assert card.minimum_payment_amount > 0 and card.next_payment_due_date
    assert {a.apr_type for a in card.aprs} == {"purchase_apr", "cash_apr"}
    assert liab.mortgage[0].interest_rate.percentage == 3.99
    assert liab.student[0].interest_rate_percentage == 5.25
    # plaid-python 46 cannot build an InvestmentAccount (its two balance classes never compare
    # equal), so the holdings and transactions answers are read raw, their parts typed, and the
    # whole checked against the spec.
    held = post(emulator.url, "/investments/holdings/get", {"access_token": token})[1]
    holdings = [typed(Holding, h) for h in held["holdings"]]
    securities = [typed(Security, s) for s in held["securities"]]
    assert len(holdings) == 7 and {s.type for s in securities} >= {"etf", "cash"}
    by_account = {}
    for h in holdings:
        assert h.cost_basis is not None and h.institution_value > 0
        by_account[h.account_id] = by_account.get(h.account_id, 0) + h.institution_value
    for a in held["accounts"]:
        assert round(by_account[a["account_id"]], 2) == a["balances"]["current"]
    txns = _window(emulator.url, token)
    rows = [typed(InvestmentTransaction, t) for t in txns["investment_transactions"]]
    kinds = {(t.type.value, t.subtype.value) for t in rows}
    assert {("cash", "dividend"), ("buy", "buy"), ("sell", "sell"), ("fee", "account fee")} <= kinds
    assert txns["total_investment_transactions"] == len(rows) >= 100
    for path, answer in (
        ("/investments/holdings/get", held),
        ("/investments/transactions/get", txns),
    ):
        openapi.validate(path, 200, {**answer, "request_id": "x"})
    contract.check()
    assert "/liabilities/get" in contract.checked


def test_it_pages_investment_transactions_newest_first_within_24_months(emulator):
    token = linked(emulator.url, institution_id=CU, products=["investments"])
    first = _window(emulator.url, token)["investment_transactions"]
    ids = [t["investment_transaction_id"] for t in first]
    dates = [t["date"] for t in first]
    assert dates == sorted(dates, reverse=True) and len(set(ids)) == len(ids)
    assert min(dates) >= (date.today() - timedelta(days=730)).isoformat()
    rest = _window(emulator.url, token, count=50, offset=50)["investment_transactions"]
    assert [t["investment_transaction_id"] for t in rest] == ids[50:100]


def test_it_moves_prices_pays_a_dividend_and_amortises_loans_when_advanced(emulator):
    token = linked(emulator.url, institution_id=CU, products=["transactions", "investments"])
    item_id = _item_id(emulator, token)
    body = {"access_token": token}
    before = post(emulator.url, "/investments/holdings/get", body)[1]
    loans = post(emulator.url, "/liabilities/get", body)[1]
    owed = {a["account_id"]: a["balances"]["current"] for a in loans["accounts"]}
    _advance(emulator, item_id, 30)
    after = post(emulator.url, "/investments/holdings/get", body)[1]
    prices = lambda r: {s["security_id"]: s["close_price"] for s in r["securities"]}  # noqa: E731
    assert prices(before) != prices(after)
    today = date.fromisoformat(after["securities"][0]["close_price_as_of"])
    recent = post(
        emulator.url,
        "/investments/transactions/get",
        {**body, "start_date": (today - timedelta(days=29)).isoformat(), "end_date": str(today)},
    )[1]["investment_transactions"]
    assert any(t["subtype"] == "dividend" and t["amount"] < 0 for t in recent)
    later = post(emulator.url, "/liabilities/get", body)[1]
    for a in later["accounts"]:
        if a["subtype"] in ("mortgage", "student"):
            assert a["balances"]["current"] < owed[a["account_id"]]


def test_it_fires_the_wealth_webhooks_on_advance(emulator, webhook_receiver):
    token = linked(
        emulator.url,
        institution_id=CU,
        products=["transactions", "investments", "liabilities"],
        webhook=webhook_receiver.url,
    )
    _advance(emulator, _item_id(emulator, token), 1)
    wanted = {
        ("HOLDINGS", "DEFAULT_UPDATE"),
        ("INVESTMENTS_TRANSACTIONS", "DEFAULT_UPDATE"),
        ("LIABILITIES", "DEFAULT_UPDATE"),
    }

    def kind(r):
        body = json.loads(r["body"])
        return body["webhook_type"], body["webhook_code"]

    got = webhook_receiver.wait_for(lambda r: kind(r) in wanted, count=3)
    assert {kind(r) for r in got} == wanted


def test_it_answers_products_not_supported_at_a_bank_without_them(emulator):
    token = linked(emulator.url)
    for path in ("/liabilities/get", "/investments/holdings/get"):
        status, body = post(emulator.url, path, {"access_token": token})
        assert (status, body["error_code"]) == (400, "PRODUCTS_NOT_SUPPORTED")


def test_it_adds_products_wanted_if_supported_only_where_the_bank_has_them():
    wanted = {"required_if_supported": ["liabilities"], "optional": ["investments"]}
    at_cu = products.resolve(BY_ID[CU], ["transactions"], **wanted)[0]
    assert at_cu == ["investments", "liabilities", "transactions"]
    assert products.resolve(BY_ID["ins_109508"], ["transactions"], **wanted)[0] == ["transactions"]


def test_it_keeps_the_items_product_lists_consistent(emulator):
    token = linked(emulator.url, institution_id=CU, products=["transactions", "liabilities"])
    item = post(emulator.url, "/item/get", {"access_token": token})[1]["item"]
    assert item["products"] == item["billed_products"] == ["liabilities", "transactions"]
    assert "investments" in item["available_products"]
    post(emulator.url, "/investments/holdings/get", {"access_token": token})
    item = post(emulator.url, "/item/get", {"access_token": token})[1]["item"]
    assert "investments" in item["products"] and "investments" not in item["available_products"]
