"""Activity after linking: /emulator/.../advance, user_transactions_dynamic refreshes, new
accounts, and what survives a restart with --state. All through plaid-python over HTTP."""

from __future__ import annotations

import json
from datetime import date, timedelta

import jwt
import pytest
from plaid.model.accounts_get_request import AccountsGetRequest
from plaid.model.transactions_refresh_request import TransactionsRefreshRequest
from plaid.model.transactions_sync_request import TransactionsSyncRequest
from plaid.model.webhook_verification_key_get_request import WebhookVerificationKeyGetRequest

from plaid_emulator.server import EmulatorServer

from .helpers import link_item, link_token, post, sync_all


def balances(client, access_token) -> dict:
    accts = client.accounts_get(AccountsGetRequest(access_token=access_token)).accounts
    return {a.account_id: (a.type.value, a.balances) for a in accts}


def sums(known: dict) -> dict:
    """account_id -> [posted total, pending total] of the transactions a client holds."""
    out: dict[str, list[float]] = {}
    for t in known.values():
        out.setdefault(t.account_id, [0.0, 0.0])[1 if t.pending else 0] += t.amount
    return out


def apply(known: dict, added, modified, removed) -> None:
    for t in added + modified:
        known[t.transaction_id] = t
    for r in removed:
        known.pop(r.transaction_id)


def test_it_advances_an_item_day_by_day_with_new_posted_modified_and_removed_transactions(
    emulator, plaid_client, webhook_receiver
):
    access_token, item_id = link_item(plaid_client, webhook=webhook_receiver.url, days=30)
    added, _, _, cursor, _ = sync_all(plaid_client, access_token)
    known = {t.transaction_id: t for t in added}
    start = date.fromisoformat(
        post(emulator.url, "/emulator/items", method="GET", creds=False)[1]["items"][0]["today"]
    )
    before, sums_before = balances(plaid_client, access_token), sums(known)
    window = {start + timedelta(days=n) for n in range(1, 31)}
    all_added, all_modified, all_removed, totals = [], [], [], {}
    for _ in range(30):
        status, stats = post(
            emulator.url, f"/emulator/items/{item_id}/advance", {"days": 1}, creds=False
        )
        assert status == 200
        for k in ("added", "posted", "modified", "removed"):
            totals[k] = totals.get(k, 0) + stats[k]
        added, modified, removed, cursor, _ = sync_all(plaid_client, access_token, cursor)
        pending_before = {i for i, t in known.items() if t.pending}
        # A posted transaction names the pending one it replaces, which is removed.
        for t in added:
            if t.pending_transaction_id:
                assert t.pending_transaction_id in pending_before
                assert t.pending_transaction_id in {r.transaction_id for r in removed}
        apply(known, added, modified, removed)
        all_added += added
        all_modified += modified
        all_removed += removed

    posted_new = [t for t in all_added if not t.pending]
    pending_new = [t for t in all_added if t.pending]
    assert posted_new and pending_new
    assert all(t.date in window for t in posted_new + pending_new)
    linked = {t.pending_transaction_id for t in posted_new if t.pending_transaction_id}
    dropped = [r for r in all_removed if r.transaction_id not in linked]
    assert linked and dropped, "pending ones post, and some holds fall off"
    assert all_modified and all(t.date <= start + timedelta(days=30) for t in all_modified)
    assert totals["modified"] == len(all_modified) and totals["removed"] == len(dropped)

    # Balances move exactly with the transactions the client now holds.
    after, sums_after = balances(plaid_client, access_token), sums(known)
    for account_id, (kind, b) in after.items():
        posted_delta = (
            sums_after.get(account_id, [0, 0])[0] - sums_before.get(account_id, [0, 0])[0]
        )
        pending = sums_after.get(account_id, [0, 0])[1]
        sign = 1 if kind == "credit" else -1
        assert b.current == pytest.approx(
            before[account_id][1].current + sign * posted_delta, abs=0.01
        )
        # Pending inflows (a transfer in, a payroll) are not spendable yet: only outflows count.
        outflow = max(pending, 0)
        expected_available = (
            b.limit - b.current - outflow if kind == "credit" else b.current - outflow
        )
        assert b.available == pytest.approx(expected_available, abs=0.01)

    hook = webhook_receiver.wait_for(lambda r: b"SYNC_UPDATES_AVAILABLE" in r["body"])[0]
    assert json.loads(hook["body"])["item_id"] == item_id


def test_it_brings_new_pending_posts_earlier_ones_and_changes_an_amount_on_each_refresh(
    emulator, plaid_client, webhook_receiver
):
    access_token, item_id = link_item(
        plaid_client,
        webhook=webhook_receiver.url,
        username="user_transactions_dynamic",
        password="any",
    )
    added, _, _, cursor, _ = sync_all(plaid_client, access_token)
    known = {t.transaction_id: t for t in added}
    assert len(known) == 50
    webhook_receiver.received.clear()

    plaid_client.transactions_refresh(TransactionsRefreshRequest(access_token=access_token))
    added, modified, removed, cursor, _ = sync_all(plaid_client, access_token, cursor)
    assert len(added) == 3 and all(t.pending for t in added) and not removed
    assert len(modified) == 1
    old = known[modified[0].transaction_id]
    assert modified[0].amount == pytest.approx(old.amount + 1.0)
    apply(known, added, modified, removed)
    webhook_receiver.wait_for(lambda r: b"DEFAULT_UPDATE" in r["body"])
    webhook_receiver.wait_for(lambda r: b"SYNC_UPDATES_AVAILABLE" in r["body"])

    first_pending = {t.transaction_id for t in added}
    webhook_receiver.received.clear()
    plaid_client.transactions_refresh(TransactionsRefreshRequest(access_token=access_token))
    added, modified, removed, cursor, _ = sync_all(plaid_client, access_token, cursor)
    assert {r.transaction_id for r in removed} == first_pending
    posted = [t for t in added if not t.pending]
    assert {t.pending_transaction_id for t in posted} == first_pending
    assert len([t for t in added if t.pending]) == 3 and len(modified) == 1
    hook = webhook_receiver.wait_for(lambda r: b"TRANSACTIONS_REMOVED" in r["body"])[0]
    assert set(json.loads(hook["body"])["removed_transactions"]) == first_pending
    webhook_receiver.wait_for(lambda r: b"SYNC_UPDATES_AVAILABLE" in r["body"])
    # Webhooks arrive in no fixed order: wait for this one too, never look at one instant.
    webhook_receiver.wait_for(lambda r: b"DEFAULT_UPDATE" in r["body"])


def test_it_adds_a_new_account_through_the_control_api_and_fires_new_accounts_available(
    emulator, plaid_client, webhook_receiver
):
    access_token, item_id = link_item(plaid_client, webhook=webhook_receiver.url)
    status, body = post(
        emulator.url,
        f"/emulator/items/{item_id}/accounts",
        {"name": "Vacation Fund", "subtype": "savings"},
        creds=False,
    )
    assert status == 200 and body["webhook_fired"]
    new = body["account"]
    assert (new["name"], new["type"], new["subtype"]) == ("Vacation Fund", "depository", "savings")
    hook = webhook_receiver.wait_for(lambda r: b"NEW_ACCOUNTS_AVAILABLE" in r["body"])[0]
    payload = json.loads(hook["body"])
    assert payload["webhook_type"] == "ITEM" and payload["item_id"] == item_id
    # Not shared until the user picks it in update mode.
    assert new["account_id"] not in balances(plaid_client, access_token)
    bad = post(
        emulator.url, f"/emulator/items/{item_id}/accounts", {"subtype": "yacht"}, creds=False
    )
    assert bad[0] == 400 and bad[1]["error_code"] == "INVALID_FIELD"


def test_it_keeps_cursors_webhook_keys_and_link_sessions_across_a_restart(tmp_path):
    from plaid import ApiClient, Configuration, api

    state = str(tmp_path / "emulator.sqlite3")
    srv = EmulatorServer(port=0, state_path=state).start()
    cfg = Configuration(
        host=srv.url, api_key={"clientId": "emulator-client-id", "secret": "emulator-secret"}
    )
    client = api.plaid_api.PlaidApi(ApiClient(cfg))
    access_token, item_id = link_item(client)
    *_, cursor, _ = sync_all(client, access_token)
    kid = srv.emu.keyring.current
    token = link_token(client)
    _, init = post(srv.url, "/link/api/init", {"token": token}, creds=False)
    sid = init["link_session_id"]
    _, step = post(
        srv.url,
        "/link/api/select",
        {"link_session_id": sid, "institution_id": "ins_109508"},
        creds=False,
    )
    assert step["step"] == "credentials"
    srv.stop()

    srv2 = EmulatorServer(port=0, state_path=state).start()
    try:
        cfg.host = srv2.url
        client = api.plaid_api.PlaidApi(ApiClient(cfg))
        # The cursor still points at the end: nothing new.
        r = client.transactions_sync(
            TransactionsSyncRequest(access_token=access_token, cursor=cursor)
        )
        assert r.added == [] and r.next_cursor == cursor and not r.has_more
        key = client.webhook_verification_key_get(WebhookVerificationKeyGetRequest(key_id=kid)).key
        assert key.kid == kid and key.expired_at is None
        signed = srv2.emu.keyring.sign(b"{}")
        assert jwt.get_unverified_header(signed)["kid"] == kid
        public = jwt.PyJWK(key.to_dict(), algorithm="ES256")
        assert jwt.decode(signed, public.key, algorithms=["ES256"])["request_body_sha256"]
        # The Link session carries on where the user left it.
        _, step = post(
            srv2.url,
            "/link/api/credentials",
            {"link_session_id": sid, "username": "user_good", "password": "pass_good"},
            creds=False,
        )
        assert step["step"] == "accounts", step
        _, done = post(
            srv2.url,
            "/link/api/complete",
            {"link_session_id": sid, "account_ids": [a["id"] for a in step["accounts"]]},
            creds=False,
        )
        assert done["public_token"].startswith("public-sandbox-")
    finally:
        srv2.stop()
