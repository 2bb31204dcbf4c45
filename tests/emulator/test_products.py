"""Institutions in four currencies, /transactions/get, /auth/get numbers per region,
/identity/get, the per-client rate limit and bulk item creation."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from plaid_emulator.institutions import INSTITUTIONS

from .helpers import post
from .test_sandbox_conventions import linked

TODAY = date.today()
ALL_TIME = {"start_date": (TODAY - timedelta(days=800)).isoformat(), "end_date": TODAY.isoformat()}


def test_it_has_ten_banks_across_four_currencies_with_an_oauth_bank_per_region():
    assert len(INSTITUTIONS) >= 10
    regions = {"US": {"US"}, "CA": {"CA"}, "GB": {"GB"}, "EU": {"FR", "DE", "ES", "NL", "IE"}}
    for name, countries in regions.items():
        banks = [i for i in INSTITUTIONS if i["country"] in countries]
        assert any(i["kind"] == "oauth" for i in banks), name
        assert any(i["kind"] != "oauth" for i in banks), name


@pytest.mark.parametrize(
    "ins,country,currency,numbers",
    [
        ("ins_109508", "US", "USD", "ach"),
        ("ins_43", "CA", "CAD", "eft"),
        ("ins_117650", "GB", "GBP", "bacs"),
        ("ins_140002", "FR", "EUR", "international"),
    ],
)
def test_it_serves_accounts_and_numbers_in_the_banks_currency(
    emulator, ins, country, currency, numbers
):
    token = linked(emulator.url, institution_id=ins)
    accounts = post(emulator.url, "/accounts/get", {"access_token": token})[1]["accounts"]
    assert {a["balances"]["iso_currency_code"] for a in accounts} == {currency}
    txn = post(emulator.url, "/transactions/sync", {"access_token": token, "count": 1})[1]
    assert txn["added"][0]["iso_currency_code"] == currency
    got = post(emulator.url, "/auth/get", {"access_token": token})[1]["numbers"]
    depository = {a["account_id"] for a in accounts if a["type"] == "depository"}
    assert {n["account_id"] for n in got[numbers]} == depository
    if numbers == "international":
        iban = got["international"][0]["iban"]
        digits = "".join(str(int(c, 36)) for c in iban[4:] + iban[:4])
        assert iban.startswith(country) and int(digits) % 97 == 1


def test_it_gives_the_credit_union_investment_and_loan_accounts(emulator):
    token = linked(emulator.url, institution_id="ins_109510")
    accounts = post(emulator.url, "/accounts/get", {"access_token": token})[1]["accounts"]
    assert {a["type"] for a in accounts} == {"depository", "credit", "investment", "loan"}
    item = post(emulator.url, "/item/get", {"access_token": token})[1]["item"]
    # Linked for transactions only: the bank's other products are there to add.
    assert {"investments", "liabilities"} <= set(item["available_products"])


def test_it_pages_transactions_get_by_offset_newest_first(emulator):
    token = linked(emulator.url)
    body = {"access_token": token, **ALL_TIME}
    first = post(emulator.url, "/transactions/get", {**body, "options": {"count": 500}})[1]
    total = first["total_transactions"]
    assert total == len(first["transactions"]) > 100
    seen, offset = [], 0
    while offset < total:
        page = post(
            emulator.url, "/transactions/get", {**body, "options": {"count": 40, "offset": offset}}
        )[1]
        seen += [t["transaction_id"] for t in page["transactions"]]
        offset += len(page["transactions"])
    assert seen == [t["transaction_id"] for t in first["transactions"]]
    dates = [t["date"] for t in first["transactions"]]
    assert dates == sorted(dates, reverse=True)
    synced = post(emulator.url, "/transactions/sync", {"access_token": token, "count": 500})[1]
    assert {t["transaction_id"] for t in synced["added"]} == set(seen)


def test_it_filters_transactions_get_by_account_and_date(emulator):
    token = linked(emulator.url)
    accounts = post(emulator.url, "/accounts/get", {"access_token": token})[1]["accounts"]
    card = next(a["account_id"] for a in accounts if a["type"] == "credit")
    start = (TODAY - timedelta(days=10)).isoformat()
    page = post(
        emulator.url,
        "/transactions/get",
        {
            "access_token": token,
            "start_date": start,
            "end_date": TODAY.isoformat(),
            "options": {"account_ids": [card], "count": 500},
        },
    )[1]
    assert page["transactions"]
    assert {t["account_id"] for t in page["transactions"]} == {card}
    assert min(t["date"] for t in page["transactions"]) >= start


def test_it_refuses_a_start_date_after_the_end_date(emulator):
    token = linked(emulator.url)
    body = {"access_token": token, "start_date": "2026-02-02", "end_date": "2026-01-01"}
    status, answer = post(emulator.url, "/transactions/get", body)
    assert (status, answer["error_code"]) == (400, "INVALID_FIELD")


def test_it_answers_identity_with_an_owner_per_account(emulator):
    token = linked(emulator.url)
    accounts = post(emulator.url, "/identity/get", {"access_token": token})[1]["accounts"]
    assert len(accounts) == 3 and all(a["owners"][0]["names"] for a in accounts)


def test_it_limits_requests_per_client_when_asked(emulator):
    token = linked(emulator.url)
    post(emulator.url, "/emulator/rate_limits", {"client_per_minute": 3}, creds=False)
    statuses = [post(emulator.url, "/item/get", {"access_token": token})[0] for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    answer = post(emulator.url, "/institutions/search", {"query": "a", "country_codes": ["US"]})
    assert answer[0] == 429 and answer[1]["error_type"] == "RATE_LIMIT_EXCEEDED"
    post(emulator.url, "/emulator/rate_limits", {}, creds=False)  # off again
    assert post(emulator.url, "/item/get", {"access_token": token})[0] == 200


def test_it_has_no_client_rate_limit_by_default(emulator):
    state = post(emulator.url, "/emulator/rate_limits", method="GET", creds=False)[1]
    assert state["client_per_minute"] is None


def test_it_creates_items_in_bulk(emulator):
    status, body = post(
        emulator.url, "/emulator/items/bulk", {"count": 200, "days_requested": 5}, creds=False
    )
    assert status == 200 and len(body["items"]) == 200
    token = body["items"][-1]["access_token"]
    page = post(emulator.url, "/transactions/sync", {"access_token": token})[1]
    assert page["transactions_update_status"] == "HISTORICAL_UPDATE_COMPLETE" and page["added"]


def test_it_fires_pending_expiration_through_the_control_api(emulator, webhook_receiver):
    token = linked(emulator.url, webhook=webhook_receiver.url)
    items = post(emulator.url, "/emulator/items", method="GET", creds=False)[1]["items"]
    post(
        emulator.url,
        f"/emulator/items/{items[0]['item_id']}/fire_webhook",
        {"webhook_code": "PENDING_EXPIRATION"},
        creds=False,
    )
    assert webhook_receiver.wait_for(lambda r: b"PENDING_EXPIRATION" in r["body"]) and token


def test_it_lists_in_link_only_banks_of_the_tokens_countries(emulator):
    body = {
        "client_name": "Pennywise",
        "language": "en",
        "country_codes": ["GB", "CA"],
        "user": {"client_user_id": "u"},
        "products": ["transactions", "auth"],
    }
    token = post(emulator.url, "/link/token/create", body)[1]["link_token"]
    init = post(emulator.url, "/link/api/init", {"token": token}, creds=False)[1]
    listed = {i["institution_id"] for i in init["institutions"]}
    assert listed == {"ins_43", "ins_140001", "ins_117650", "ins_116834"}
    session = {"link_session_id": init["link_session_id"]}
    refused = post(
        emulator.url, "/link/api/select", {**session, "institution_id": "ins_109508"}, creds=False
    )[1]
    assert refused["error"]["error_code"] == "INVALID_INSTITUTION"
