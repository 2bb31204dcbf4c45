"""/transactions/sync semantics: cursors, paging, ordering, pending->posted, mutation."""

from __future__ import annotations

import time

import pytest
from plaid.exceptions import ApiException
from plaid.model.transactions_refresh_request import TransactionsRefreshRequest
from plaid.model.transactions_sync_request import TransactionsSyncRequest

from .helpers import link_item, post, sync_all

OMIT = object()


def raw_sync(url, access_token, cursor=OMIT, count=None):
    body = {"access_token": access_token}
    if cursor is not OMIT:
        body["cursor"] = cursor
    if count is not None:
        body["count"] = count
    return post(url, "/transactions/sync", body)


def test_it_treats_omitted_empty_and_null_cursors_as_the_start(emulator, plaid_client):
    access_token, _ = link_item(plaid_client)
    pages = [
        raw_sync(emulator.url, access_token)[1],
        raw_sync(emulator.url, access_token, cursor="")[1],
        raw_sync(emulator.url, access_token, cursor=None)[1],
    ]
    ids = [[t["transaction_id"] for t in p["added"]] for p in pages]
    assert ids[0] == ids[1] == ids[2] and len(ids[0]) == 100  # count defaults to 100
    assert pages[0]["next_cursor"] == pages[1]["next_cursor"] == pages[2]["next_cursor"]


@pytest.mark.parametrize("count", [0, 501, "5"])
def test_it_rejects_a_count_outside_1_to_500(emulator, plaid_client, count):
    access_token, _ = link_item(plaid_client)
    status, body = raw_sync(emulator.url, access_token, count=count)
    assert status == 400 and body["error_code"] == "INVALID_FIELD"
    assert "count" in body["error_message"] and body["request_id"]


def test_it_pages_to_the_end_and_returns_a_stable_cursor(emulator, plaid_client):
    access_token, _ = link_item(plaid_client, days=730)
    seen, cursor, pages = [], "", 0
    while True:
        status, page = raw_sync(emulator.url, access_token, cursor=cursor, count=500)
        assert status == 200
        seen += [t["transaction_id"] for t in page["added"]]
        cursor, pages = page["next_cursor"], pages + 1
        if not page["has_more"]:
            break
    assert 1000 <= len(seen) <= 3000 and len(seen) == len(set(seen)) and pages > 2
    again = raw_sync(emulator.url, access_token, cursor=cursor)[1]
    assert again["next_cursor"] == cursor and again["added"] == [] and not again["has_more"]
    assert again["transactions_update_status"] == "HISTORICAL_UPDATE_COMPLETE"


def test_it_rejects_a_malformed_cursor(emulator, plaid_client):
    access_token, _ = link_item(plaid_client)
    status, body = raw_sync(emulator.url, access_token, cursor="not-a-cursor")
    assert status == 400 and body["error_code"] == "INVALID_FIELD"


def test_it_raises_mutation_during_pagination_when_data_changes_between_pages(
    emulator, plaid_client
):
    access_token, item_id = link_item(plaid_client)
    first = raw_sync(emulator.url, access_token, count=10)[1]
    assert first["has_more"]
    post(emulator.url, f"/emulator/items/{item_id}/advance", {"days": 1}, creds=False)
    status, body = raw_sync(emulator.url, access_token, cursor=first["next_cursor"], count=10)
    assert status == 400
    assert body["error_type"] == "TRANSACTIONS_ERROR"
    assert body["error_code"] == "TRANSACTIONS_SYNC_MUTATION_DURING_PAGINATION"
    assert body["display_message"] is None and body["request_id"]
    # Restarting from the update's first cursor (here: the start) succeeds.
    assert raw_sync(emulator.url, access_token, count=10)[0] == 200


def test_it_reports_pending_to_posted_as_removed_plus_added_with_the_link(emulator, plaid_client):
    access_token, _ = link_item(plaid_client, username="user_transactions_dynamic", password="any")
    _, _, _, cursor, _ = sync_all(plaid_client, access_token)
    plaid_client.transactions_refresh(TransactionsRefreshRequest(access_token=access_token))
    _, _, _, cursor, _ = sync_all(plaid_client, access_token, cursor)  # posts nothing yet
    plaid_client.transactions_refresh(TransactionsRefreshRequest(access_token=access_token))
    added, modified, removed, cursor, _ = sync_all(plaid_client, access_token, cursor)
    removed_ids = {r.transaction_id for r in removed}
    posted = [t for t in added if t.pending_transaction_id]
    assert len(removed_ids) == 3 and {t.pending_transaction_id for t in posted} == removed_ids
    assert len([t for t in added if t.pending]) == 3
    assert len(modified) == 1


def test_it_orders_changes_by_last_modification_and_reports_each_id_once(emulator, plaid_client):
    access_token, item_id = link_item(plaid_client)
    *_, cursor, _ = sync_all(plaid_client, access_token)
    post(emulator.url, f"/emulator/items/{item_id}/advance", {"days": 5}, creds=False)
    page = raw_sync(emulator.url, access_token, cursor=cursor, count=500)[1]
    ids = [t["transaction_id"] for t in page["added"] + page["modified"]] + [
        r["transaction_id"] for r in page["removed"]
    ]
    assert len(ids) == len(set(ids))
    added_ids = {t["transaction_id"] for t in page["added"]}
    assert not added_ids & {r["transaction_id"] for r in page["removed"]}


def test_it_progresses_from_not_ready_to_historical_update_complete(
    emulator, plaid_client, webhook_receiver
):
    post(
        emulator.url,
        "/emulator/config",
        {"ready_after_seconds": 0.3, "historical_after_seconds": 0.6},
        creds=False,
    )
    access_token, _ = link_item(plaid_client, webhook=webhook_receiver.url, days=90)
    first = plaid_client.transactions_sync(TransactionsSyncRequest(access_token=access_token))
    assert first.transactions_update_status.value == "NOT_READY"
    assert first.next_cursor == "" and first.added == [] and not first.has_more
    hook = webhook_receiver.wait_for(
        lambda r: (
            b"SYNC_UPDATES_AVAILABLE" in r["body"]
            and b'"initial_update_complete": true' in r["body"]
            and b'"historical_update_complete": false' in r["body"]
        )
    )
    assert hook
    added, _, _, cursor, _ = sync_all(plaid_client, access_token)
    assert all(t.date.toordinal() >= time.time() // 86400 + 719163 - 31 for t in added)
    webhook_receiver.wait_for(lambda r: b'"historical_update_complete": true' in r["body"])
    older, *_ = sync_all(plaid_client, access_token, cursor)
    assert older
    final = plaid_client.transactions_sync(TransactionsSyncRequest(access_token=access_token))
    assert final.transactions_update_status.value == "HISTORICAL_UPDATE_COMPLETE"


def test_it_treats_houndstooth_as_an_ordinary_bank(emulator, plaid_client):
    access_token, _ = link_item(plaid_client, institution_id="ins_109512")
    page = plaid_client.transactions_sync(TransactionsSyncRequest(access_token=access_token))
    assert page.added


def test_it_fails_data_calls_while_an_institution_down_fault_is_injected(emulator, plaid_client):
    access_token, _ = link_item(plaid_client, institution_id="ins_109512")
    post(
        emulator.url,
        "/emulator/faults",
        {"path": "/transactions/sync", "error_code": "INSTITUTION_DOWN"},
        creds=False,
    )
    with pytest.raises(ApiException) as err:
        plaid_client.transactions_sync(TransactionsSyncRequest(access_token=access_token))
    assert err.value.status == 400 and "INSTITUTION_DOWN" in err.value.body


def test_it_serves_a_page_in_time_independent_of_history(emulator, plaid_client):
    access_token, item_id = link_item(plaid_client, days=30)
    post(emulator.url, f"/emulator/items/{item_id}/transactions", {"count": 100_000}, creds=False)
    first = raw_sync(emulator.url, access_token, count=500)[1]
    t0 = time.perf_counter()
    raw_sync(emulator.url, access_token, cursor=first["next_cursor"], count=500)
    assert time.perf_counter() - t0 < 1.0
