"""/transactions/recurring/get through plaid-python 46 (typed), its ground truth, the stream
controls and RECURRING_TRANSACTIONS_UPDATE."""

from __future__ import annotations

import json
from datetime import date

import pytest
from plaid.exceptions import ApiException
from plaid.model.transactions_recurring_get_request import TransactionsRecurringGetRequest

from .helpers import link_item, post

SUBSCRIPTIONS = {"Hulu", "Disney+", "Apple", "The New York Times", "Audible", "Adobe"}


def _recurring(client, access_token):
    return client.transactions_recurring_get(
        TransactionsRecurringGetRequest(access_token=access_token)
    )


def _truth(emulator, item_id):
    status, body = post(
        emulator.url, f"/emulator/items/{item_id}/recurring-truth", method="GET", creds=False
    )
    assert status == 200
    return body


def test_it_serves_spec_valid_streams_that_typed_plaid_python_accepts(
    plaid_client, contract, emulator
):
    access_token, item_id = link_item(plaid_client, days=200)
    got = _recurring(plaid_client, access_token)
    contract.check()
    assert "/transactions/recurring/get" in contract.checked
    streams = got.inflow_streams + got.outflow_streams
    freqs = {s.frequency.value for s in streams}
    assert {"BIWEEKLY", "MONTHLY"} <= freqs
    rent = next(s for s in got.outflow_streams if s.description.startswith("RENT PAYMENT"))
    assert rent.status.value == "MATURE" and rent.is_active
    assert rent.average_amount.amount > 0 and rent.predicted_next_date > rent.last_date
    salary = next(s for s in got.inflow_streams if "PAYROLL" in s.description)
    assert salary.last_amount.amount < 0 and salary.frequency.value == "BIWEEKLY"
    assert all(s.is_user_modified is False for s in streams)
    truth = {s["stream_id"]: s for s in _truth(emulator, item_id)["streams"]}
    for s in streams:
        assert s.transaction_ids == truth[s.stream_id]["transaction_ids"]


def test_it_answers_product_not_ready_before_the_history_is_complete(plaid_client, emulator):
    post(emulator.url, "/emulator/config", {"historical_after_seconds": 30}, creds=False)
    access_token, _ = link_item(plaid_client, days=200)
    with pytest.raises(ApiException) as e:
        _recurring(plaid_client, access_token)
    assert json.loads(e.value.body)["error_code"] == "PRODUCT_NOT_READY"


def test_it_refuses_an_account_id_not_on_the_item(plaid_client):
    access_token, _ = link_item(plaid_client, days=200)
    with pytest.raises(ApiException) as e:
        plaid_client.transactions_recurring_get(
            TransactionsRecurringGetRequest(access_token=access_token, account_ids=["nope"])
        )
    assert json.loads(e.value.body)["error_code"] == "INVALID_ACCOUNT_ID"


def test_it_raises_a_price_and_fires_the_recurring_webhook_when_the_charge_posts(
    plaid_client, emulator, webhook_receiver
):
    access_token, item_id = link_item(plaid_client, webhook=webhook_receiver.url, days=200)
    webhook_receiver.wait_for(lambda r: b"HISTORICAL_UPDATE" in r["body"])
    truth = _truth(emulator, item_id)
    sub = next(s for s in truth["streams"] if s["merchant_name"] in SUBSCRIPTIONS)
    status, body = post(
        emulator.url,
        f"/emulator/items/{item_id}/streams/{sub['stream_id']}",
        {"amount": 99.5},
        creds=False,
    )
    assert status == 200 and body["amount"] == 99.5
    days = (
        date.fromisoformat(sub["predicted_next_date"]) - date.fromisoformat(truth["today"])
    ).days
    post(emulator.url, f"/emulator/items/{item_id}/advance", {"days": days + 1}, creds=False)
    hook = webhook_receiver.wait_for(lambda r: b"RECURRING_TRANSACTIONS_UPDATE" in r["body"])[0]
    assert sub["account_id"] in json.loads(hook["body"])["account_ids"]
    got = _recurring(plaid_client, access_token)
    stream = next(s for s in got.outflow_streams if s.stream_id == sub["stream_id"])
    assert stream.last_amount.amount == 99.5


def test_it_adds_and_stops_a_stream_through_the_control_api(plaid_client, emulator):
    access_token, item_id = link_item(plaid_client, days=200)
    status, body = post(
        emulator.url,
        f"/emulator/items/{item_id}/streams",
        {"name": "Peacock", "amount": 7.99, "frequency": "MONTHLY"},
        creds=False,
    )
    assert status == 200 and body["added"] == 3
    sid = body["stream_id"]
    got = _recurring(plaid_client, access_token)
    added = next(s for s in got.outflow_streams if s.stream_id == sid)
    assert added.merchant_name == "Peacock" and added.status.value == "MATURE"
    post(emulator.url, f"/emulator/items/{item_id}/streams/{sid}", {"stop": True}, creds=False)
    post(emulator.url, f"/emulator/items/{item_id}/advance", {"days": 40}, creds=False)
    stopped = next(s for s in _truth(emulator, item_id)["streams"] if s["stream_id"] == sid)
    assert stopped["status"] == "stopped" and stopped["predicted_next_date"] is None
    got = _recurring(plaid_client, access_token)
    assert not next(s for s in got.outflow_streams if s.stream_id == sid).is_active


@pytest.mark.parametrize(
    ("path", "body", "message"),
    [
        ("streams", {"name": "", "amount": 5}, "name must be"),
        ("streams", {"name": "X", "amount": "5"}, "amount must be"),
        ("streams", {"name": "X", "amount": 5, "frequency": "DAILY"}, "frequency must be"),
        ("streams/nosuchstream", {"amount": 5}, "no stream"),
    ],
)
def test_it_refuses_bad_stream_controls_with_a_clear_message(
    plaid_client, emulator, path, body, message
):
    _, item_id = link_item(plaid_client, days=60)
    status, out = post(emulator.url, f"/emulator/items/{item_id}/{path}", body, creds=False)
    assert status == 400 and message in out["error_message"]


def test_it_builds_the_same_streams_from_the_same_seed(emulator):
    def build():
        post(emulator.url, "/emulator/reset", creds=False)
        _, body = post(
            emulator.url,
            "/emulator/items/bulk",
            {"count": 1, "days_requested": 400, "recurring_noise": True},
            creds=False,
        )
        return _truth(emulator, body["items"][0]["item_id"])["streams"]

    first = build()
    assert first == build()
    assert {s["frequency"] for s in first} >= {"BIWEEKLY", "MONTHLY", "ANNUALLY"}


def test_a_saved_item_keeps_its_streams_and_their_merchants():
    from plaid_emulator.app import Emulator
    from plaid_emulator.persist import item_from_json, item_to_json
    from plaid_emulator.recurring_api import truth

    emu = Emulator(seed=5)
    item = emu.create_item("ins_109508", "user_good", days_requested=200)
    copy = item_from_json(json.loads(json.dumps(item_to_json(item))))
    emu.store.items[item.item_id] = copy
    assert truth(emu, copy) == truth(emu, item)
    hulu_like = [t for t in copy.txns.values() if t.merchant.name in SUBSCRIPTIONS]
    assert hulu_like and all(t.merchant.logo for t in hulu_like)
