"""The control API's true past balances: consistent with /accounts/get and the transactions."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

from .helpers import post


def linked(url, days=60, institution_id="ins_109508"):
    _, pt = post(
        url,
        "/sandbox/public_token/create",
        {
            "institution_id": institution_id,
            "initial_products": ["transactions"],
            "options": {"transactions": {"days_requested": days}},
        },
    )
    _, ex = post(url, "/item/public_token/exchange", {"public_token": pt["public_token"]})
    return ex["access_token"], ex["item_id"]


def history(url, item_id, account_id):
    path = f"/emulator/items/{item_id}/accounts/{account_id}/balances-history"
    return post(url, path, creds=False, method="GET")


def test_it_ends_at_todays_current_balance_and_moves_by_each_days_posted_amounts(emulator):
    token, item_id = linked(emulator.url)
    _, accounts = post(emulator.url, "/accounts/get", {"access_token": token})
    _, txns = post(
        emulator.url,
        "/transactions/get",
        {
            "access_token": token,
            "start_date": "2000-01-01",
            "end_date": "2100-01-01",
            "options": {"count": 500},
        },
    )
    for account in accounts["accounts"]:
        status, body = history(emulator.url, item_id, account["account_id"])
        assert status == 200
        days = body["balances"]
        assert len(days) == 60
        assert Decimal(days[-1]["current"]) == Decimal(str(account["balances"]["current"]))
        per_day = defaultdict(Decimal)
        for t in txns["transactions"]:
            if t["account_id"] == account["account_id"] and not t["pending"]:
                per_day[t["date"]] += Decimal(str(t["amount"]))
        sign = 1 if account["type"] in ("credit", "loan") else -1
        for before, after in zip(days, days[1:], strict=False):
            moved = Decimal(after["current"]) - Decimal(before["current"])
            assert moved == sign * per_day[after["date"]], after["date"]


def test_it_follows_the_items_clock(emulator):
    token, item_id = linked(emulator.url, days=10)
    _, accounts = post(emulator.url, "/accounts/get", {"access_token": token})
    account_id = accounts["accounts"][0]["account_id"]
    post(emulator.url, f"/emulator/items/{item_id}/advance", {"days": 3}, creds=False)

    _, body = history(emulator.url, item_id, account_id)

    last = date.fromisoformat(body["balances"][-1]["date"])
    assert last == date.today() + timedelta(days=3)
    _, accounts = post(emulator.url, "/accounts/get", {"access_token": token})
    assert Decimal(body["balances"][-1]["current"]) == Decimal(
        str(accounts["accounts"][0]["balances"]["current"])
    )


def test_an_unknown_item_or_account_is_plaids_error(emulator):
    _, item_id = linked(emulator.url, days=5)
    assert history(emulator.url, "nope", "nope")[1]["error_code"] == "ITEM_NOT_FOUND"
    assert history(emulator.url, item_id, "nope")[1]["error_code"] == "INVALID_ACCOUNT_ID"
