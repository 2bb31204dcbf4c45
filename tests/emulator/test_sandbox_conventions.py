"""Plaid's Sandbox conventions through /sandbox/public_token/create and the data endpoints:
error passwords, user_custom, products, days_requested, item fields, account ids."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest

from plaid_emulator.credentials import ERROR_PASSWORD_CODES
from plaid_emulator.errors import PlaidError

from .helpers import post


def create(url, password="pass_good", username="user_good", **extra):
    body = {
        "institution_id": extra.pop("institution_id", "ins_109508"),
        "initial_products": extra.pop("products", ["transactions"]),
        "options": {"override_username": username, "override_password": password, **extra},
    }
    return post(url, "/sandbox/public_token/create", body)


def linked(url, **kw) -> str:
    status, body = create(url, **kw)
    assert status == 200, body
    return post(url, "/item/public_token/exchange", {"public_token": body["public_token"]})[1][
        "access_token"
    ]


@pytest.mark.parametrize("code", ERROR_PASSWORD_CODES)
def test_it_answers_each_error_password_with_that_error(emulator, code):
    status, body = create(emulator.url, password=f"error_{code}")
    expected = PlaidError(code)
    assert (status, body["error_code"], body["error_type"]) == (
        expected.status,
        code,
        expected.error_type,
    )


def test_it_refuses_an_unknown_error_password_as_wrong_credentials(emulator):
    assert create(emulator.url, password="error_NOT_A_CODE")[1]["error_code"] == (
        "INVALID_CREDENTIALS"
    )


@pytest.mark.parametrize("password", ["mfa_device", "mfa_questions_2_3", "mfa_selections"])
def test_it_skips_mfa_where_nobody_can_answer_it(emulator, password):
    assert create(emulator.url, password=password)[0] == 200


def test_it_builds_a_user_custom_item_from_its_json_configuration(emulator):
    today = date.today()
    config = {
        "override_accounts": [
            {
                "type": "depository",
                "subtype": "savings",
                "starting_balance": 1000,
                "currency": "EUR",
                "meta": {"name": "Holiday Pot", "mask": "4242"},
                "transactions": [
                    {
                        "date_transacted": (today - timedelta(days=3)).isoformat(),
                        "date_posted": (today - timedelta(days=2)).isoformat(),
                        "amount": 12.5,
                        "description": "Coffee",
                        "currency": "EUR",
                    },
                    {
                        "date_transacted": today.isoformat(),
                        "date_posted": (today + timedelta(days=1)).isoformat(),
                        "amount": 40,
                        "description": "Groceries",
                        "currency": "EUR",
                    },
                ],
            },
            {
                "type": "credit",
                "subtype": "credit card",
                "starting_balance": 300,
                "meta": {"limit": 2000},
            },
        ]
    }
    token = linked(emulator.url, username="user_custom", password=json.dumps(config))
    accounts = post(emulator.url, "/accounts/get", {"access_token": token})[1]["accounts"]
    pot, card = accounts
    assert (pot["name"], pot["mask"], pot["subtype"]) == ("Holiday Pot", "4242", "savings")
    assert pot["balances"] == {
        "available": 960.0,  # less the pending groceries
        "current": 1000.0,
        "limit": None,
        "iso_currency_code": "EUR",
        "unofficial_currency_code": None,
    }
    assert card["balances"]["current"] == 300.0 and card["balances"]["available"] == 1700.0
    page = post(emulator.url, "/transactions/sync", {"access_token": token})[1]
    got = {(t["name"], t["amount"], t["pending"], t["iso_currency_code"]) for t in page["added"]}
    assert got == {("Coffee", 12.5, False, "EUR"), ("Groceries", 40.0, True, "EUR")}


def test_it_applies_user_custom_force_error(emulator):
    config = json.dumps({"force_error": "ITEM_LOCKED"})
    assert create(emulator.url, username="user_custom", password=config)[1]["error_code"] == (
        "ITEM_LOCKED"
    )


def test_it_gives_an_empty_user_custom_configuration_the_default_accounts(emulator):
    token = linked(emulator.url, username="user_custom", password="{}")
    assert len(post(emulator.url, "/accounts/get", {"access_token": token})[1]["accounts"]) == 3


def test_it_refuses_a_user_custom_password_that_is_not_json(emulator):
    status, body = create(emulator.url, username="user_custom", password="not json")
    assert (status, body["error_code"]) == (400, "INVALID_CREDENTIALS")


@pytest.mark.parametrize("product", ["transactions", "auth", "identity"])
def test_it_accepts_each_implemented_product(emulator, product):
    assert create(emulator.url, products=[product])[0] == 200


@pytest.mark.parametrize("product", ["investments", "liabilities"])
def test_it_refuses_a_product_the_bank_lacks_with_products_not_supported(emulator, product):
    status, body = create(emulator.url, products=[product])
    assert (status, body["error_code"]) == (400, "PRODUCTS_NOT_SUPPORTED")
    assert create(emulator.url, products=[product], institution_id="ins_109510")[0] == 200


def test_it_treats_balance_as_implicit(emulator):
    token = linked(emulator.url, products=["transactions", "balance"])
    item = post(emulator.url, "/item/get", {"access_token": token})[1]["item"]
    assert item["products"] == ["transactions"] and "balance" in item["available_products"]


@pytest.mark.parametrize("product", ["assets", "income_verification", "signal"])
def test_it_answers_a_product_it_does_not_serve_with_plaids_product_error(emulator, product):
    status, body = create(emulator.url, products=[product])
    assert (status, body["error_type"], body["error_code"]) == (
        400,
        "INVALID_INPUT",
        "INVALID_PRODUCT",
    )
    assert product in body["error_message"]


def test_it_answers_a_misspelt_product_with_a_field_error(emulator):
    status, body = create(emulator.url, products=["transaction"])
    assert body["error_code"] == "INVALID_FIELD" and "initial_products[0]" in body["error_message"]


def test_it_keeps_products_and_available_products_consistent(emulator):
    token = linked(emulator.url, products=["transactions"])
    item = post(emulator.url, "/item/get", {"access_token": token})[1]["item"]
    assert (
        item["products"]
        == item["billed_products"]
        == item["consented_products"]
        == ["transactions"]
    )
    assert item["available_products"] == ["auth", "balance", "identity"]
    assert item["created_at"].endswith("Z")
    # Calling a product's endpoint adds it, as on Plaid.
    post(emulator.url, "/auth/get", {"access_token": token})
    item = post(emulator.url, "/item/get", {"access_token": token})[1]["item"]
    assert item["products"] == ["auth", "transactions"]
    assert item["available_products"] == ["balance", "identity"]


def test_it_defaults_history_to_ninety_days(emulator):
    token = linked(emulator.url)
    today = date.today()
    body = {
        "access_token": token,
        "start_date": (today - timedelta(days=800)).isoformat(),
        "end_date": today.isoformat(),
        "options": {"count": 500},
    }
    oldest = post(emulator.url, "/transactions/get", body)[1]["transactions"][-1]["date"]
    assert date.fromisoformat(oldest) >= today - timedelta(days=89)


def test_it_honours_days_requested_up_to_730(emulator):
    status, body = create(emulator.url, transactions={"days_requested": 731})
    assert body["error_code"] == "INVALID_FIELD" and "days_requested" in body["error_message"]
    token = linked(emulator.url, transactions={"days_requested": 400})
    items = post(emulator.url, "/emulator/items", method="GET", creds=False)[1]["items"]
    assert items[0]["transactions"] > 800 and token


def test_it_answers_an_unknown_account_id_with_invalid_account_id(emulator):
    token = linked(emulator.url)
    for path in ("/accounts/get", "/accounts/balance/get", "/auth/get", "/identity/get"):
        status, body = post(
            emulator.url, path, {"access_token": token, "options": {"account_ids": ["nope"]}}
        )
        assert (status, body["error_code"]) == (400, "INVALID_ACCOUNT_ID"), path


def test_it_includes_the_original_description_only_when_asked(emulator):
    token = linked(emulator.url)
    plain = post(emulator.url, "/transactions/sync", {"access_token": token, "count": 5})[1]
    asked = post(
        emulator.url,
        "/transactions/sync",
        {"access_token": token, "count": 5, "options": {"include_original_description": True}},
    )[1]
    assert all(t["original_description"] is None for t in plain["added"])
    assert all(t["original_description"] for t in asked["added"])


def test_it_keeps_available_at_or_below_current_for_depository_accounts(emulator):
    token = linked(emulator.url, institution_id="ins_109510")
    for a in post(emulator.url, "/accounts/get", {"access_token": token})[1]["accounts"]:
        b = a["balances"]
        if a["type"] == "depository":
            assert b["available"] <= b["current"]
        if a["type"] in ("loan", "investment"):
            assert b["available"] is None and b["current"] > 0


def test_it_rejects_a_min_last_updated_datetime_in_the_future(emulator):
    token = linked(emulator.url)
    status, body = post(
        emulator.url,
        "/accounts/balance/get",
        {"access_token": token, "options": {"min_last_updated_datetime": "2999-01-01T00:00:00Z"}},
    )
    assert (status, body["error_code"]) == (400, "LAST_UPDATED_DATETIME_OUT_OF_RANGE")


@pytest.mark.parametrize(
    "body,code,field",
    [
        ({"access_token": "x", "options": ["x"]}, "INVALID_FIELD", "options"),
        (
            {"access_token": "x", "options": {"account_ids": "a"}},
            "INVALID_FIELD",
            "options.account_ids",
        ),
        ({"access_token": "x", "options": {"bogus": 1}}, "UNKNOWN_FIELDS", "options.bogus"),
        ({"access_token": 5}, "INVALID_FIELD", "access_token"),
        ({}, "MISSING_FIELDS", "access_token"),
    ],
)
def test_it_names_the_field_in_each_request_error(emulator, body, code, field):
    status, answer = post(emulator.url, "/accounts/get", body)
    assert (status, answer["error_type"], answer["error_code"]) == (400, "INVALID_REQUEST", code)
    assert field in answer["error_message"]
