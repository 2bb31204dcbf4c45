"""The /emulator/ control API, faults, rate limits, errors and persistence."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from plaid_emulator.server import EmulatorServer

from .helpers import link_item, post

REPO = Path(__file__).resolve().parents[2]


def sandbox_item(url, **opts):
    _, pt = post(
        url,
        "/sandbox/public_token/create",
        {
            "institution_id": "ins_109508",
            "initial_products": ["transactions"],
            "options": {"transactions": {"days_requested": 30}, **opts},
        },
    )
    _, ex = post(url, "/item/public_token/exchange", {"public_token": pt["public_token"]})
    return ex["access_token"], ex["item_id"], pt["public_token"]


def test_it_rejects_wrong_keys_with_invalid_api_keys(emulator):
    status, body = post(
        emulator.url, "/item/get", {"client_id": "x", "secret": "y", "access_token": "a"}
    )
    assert status == 400 and body["error_type"] == "INVALID_INPUT"
    assert body["error_code"] == "INVALID_API_KEYS" and body["request_id"]


def test_it_names_missing_fields(emulator):
    status, body = post(emulator.url, "/link/token/create", {"language": "en"})
    assert status == 400 and body["error_code"] == "MISSING_FIELDS"
    assert "client_name" in body["error_message"]


def test_it_accepts_a_public_token_only_once(emulator):
    _, _, public_token = sandbox_item(emulator.url)
    status, body = post(emulator.url, "/item/public_token/exchange", {"public_token": public_token})
    assert status == 400 and body["error_code"] == "INVALID_PUBLIC_TOKEN"


def test_it_expires_link_tokens(emulator):
    _, tok = post(
        emulator.url,
        "/link/token/create",
        {
            "client_name": "App",
            "language": "en",
            "country_codes": ["US"],
            "user": {"client_user_id": "u"},
            "products": ["transactions"],
        },
    )
    assert tok["link_token"].startswith("link-sandbox-")
    emulator.emu.store.link_tokens[tok["link_token"]]["expires"] = time.time() - 1
    status, body = post(emulator.url, "/link/token/get", {"link_token": tok["link_token"]})
    assert status == 400 and body["error_code"] == "INVALID_LINK_TOKEN"


def test_it_injects_a_fault_after_k_requests_for_n_times(emulator):
    access_token, item_id, _ = sandbox_item(emulator.url)
    status, _ = post(
        emulator.url,
        "/emulator/faults",
        {
            "path": "/accounts/get",
            "error_code": "INTERNAL_SERVER_ERROR",
            "after": 1,
            "times": 2,
            "item_id": item_id,
        },
        creds=False,
    )
    assert status == 200
    got = [post(emulator.url, "/accounts/get", {"access_token": access_token}) for _ in range(4)]
    assert [s for s, _ in got] == [200, 500, 500, 200]
    assert got[1][1]["error_type"] == "API_ERROR" and got[1][1]["request_id"]


@pytest.mark.parametrize(
    "code,status,etype",
    [
        ("PLANNED_MAINTENANCE", 503, "API_ERROR"),
        ("TRANSACTIONS_SYNC_LIMIT", 429, "RATE_LIMIT_EXCEEDED"),
        ("INSTITUTION_NOT_RESPONDING", 400, "INSTITUTION_ERROR"),
        ("ITEM_LOGIN_REQUIRED", 400, "ITEM_ERROR"),
        ("TRANSACTIONS_SYNC_MUTATION_DURING_PAGINATION", 400, "TRANSACTIONS_ERROR"),
    ],
)
def test_it_injects_each_supported_error_with_plaids_status(emulator, code, status, etype):
    access_token, _, _ = sandbox_item(emulator.url)
    post(
        emulator.url,
        "/emulator/faults",
        {"path": "/transactions/sync", "error_code": code, "times": 1},
        creds=False,
    )
    got, body = post(emulator.url, "/transactions/sync", {"access_token": access_token})
    assert (got, body["error_type"], body["error_code"]) == (status, etype, code)
    assert post(emulator.url, "/transactions/sync", {"access_token": access_token})[0] == 200


def test_it_adds_latency_and_clears_faults(emulator):
    access_token, _, _ = sandbox_item(emulator.url)
    post(emulator.url, "/emulator/faults", {"path": "/item/get", "latency_ms": 200}, creds=False)
    t0 = time.perf_counter()
    post(emulator.url, "/item/get", {"access_token": access_token})
    assert time.perf_counter() - t0 >= 0.2
    post(emulator.url, "/emulator/faults", method="DELETE", creds=False)
    assert post(emulator.url, "/emulator/faults", method="GET", creds=False)[1]["faults"] == []


def test_it_enforces_per_item_rate_limits_when_asked(emulator):
    access_token, _, _ = sandbox_item(emulator.url)
    post(
        emulator.url,
        "/emulator/rate_limits",
        {"enforce": True, "limits": {"/transactions/sync": 3}},
        creds=False,
    )
    codes = [
        post(emulator.url, "/transactions/sync", {"access_token": access_token}) for _ in range(4)
    ]
    assert [s for s, _ in codes] == [200, 200, 200, 429]
    assert codes[3][1]["error_code"] == "TRANSACTIONS_SYNC_LIMIT"
    other, _, _ = sandbox_item(emulator.url)
    assert post(emulator.url, "/transactions/sync", {"access_token": other})[0] == 200


def test_it_lists_items_with_counts_and_appends_volume(emulator):
    _, item_id, _ = sandbox_item(emulator.url)
    status, res = post(
        emulator.url, f"/emulator/items/{item_id}/transactions", {"count": 1000}, creds=False
    )
    assert status == 200 and res["added"] == 1000
    items = post(emulator.url, "/emulator/items", method="GET", creds=False)[1]["items"]
    assert items[0]["item_id"] == item_id and items[0]["transactions"] > 1000
    assert items[0]["accounts"] == 3
    post(emulator.url, "/emulator/reset", creds=False)
    assert post(emulator.url, "/emulator/items", method="GET", creds=False)[1]["items"] == []


def test_appended_volume_can_be_dated_in_the_last_days_up_to_today(emulator):
    access_token, item_id, _ = sandbox_item(emulator.url)
    item = emulator.emu.store.items[item_id]
    before = set(item.txns)
    status, res = post(
        emulator.url,
        f"/emulator/items/{item_id}/transactions",
        {"count": 50, "days": 1},
        creds=False,
    )
    assert status == 200 and res["added"] == 50
    new = [t for tid, t in item.txns.items() if tid not in before]
    assert {t.date for t in new} == {item.today.isoformat()}
    status, res = post(
        emulator.url, f"/emulator/items/{item_id}/transactions", {"days": 0}, creds=False
    )
    assert status == 400 and res["error_code"] == "INVALID_FIELD"


def test_it_generates_the_same_data_from_the_same_seed(emulator):
    a = sandbox_item(emulator.url)
    first = post(emulator.url, "/accounts/get", {"access_token": a[0]})[1]["accounts"]
    emulator.reset()
    b = sandbox_item(emulator.url)
    second = post(emulator.url, "/accounts/get", {"access_token": b[0]})[1]["accounts"]
    assert a[1] == b[1] and first == second


def test_it_keeps_balances_consistent_with_posted_transactions(emulator):
    access_token, _, _ = sandbox_item(emulator.url)
    accts = post(emulator.url, "/accounts/get", {"access_token": access_token})[1]["accounts"]
    card = next(a for a in accts if a["type"] == "credit")
    b = card["balances"]
    assert b["limit"] == 5000.0 and b["current"] > 0
    pending = sum(
        t.amount
        for t in emulator.emu.store.items[next(iter(emulator.emu.store.items))].txns.values()
        if t.pending and t.account_id == card["account_id"]
    )
    assert b["available"] == pytest.approx(b["limit"] - b["current"] - pending, abs=0.01)


def test_it_keeps_items_across_a_restart_with_state(tmp_path, plaid_client):
    state = tmp_path / "emulator.sqlite3"
    srv = EmulatorServer(port=0, state_path=str(state)).start()
    access_token, item_id, _ = sandbox_item(srv.url)
    before = post(srv.url, "/accounts/get", {"access_token": access_token})[1]["accounts"]
    srv.stop()
    srv2 = EmulatorServer(port=0, state_path=str(state)).start()
    try:
        after = post(srv2.url, "/accounts/get", {"access_token": access_token})[1]["accounts"]
        assert after == before
        page = post(srv2.url, "/transactions/sync", {"access_token": access_token})[1]
        assert page["added"]
        again = sandbox_item(srv2.url)
        assert again[1] != item_id
    finally:
        srv2.stop()


def test_it_runs_from_the_command_line(tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "PLAID_CLIENT_ID": "cid", "PLAID_SECRET": "sec", "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "plaid_emulator",
            "--port",
            str(port),
            "--state",
            str(tmp_path / "s.db"),
            "--seed",
            "7",
        ],
        env=env,
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        url = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                status, body = post(
                    url,
                    "/institutions/get_by_id",
                    {
                        "client_id": "cid",
                        "secret": "sec",
                        "institution_id": "ins_109508",
                        "country_codes": ["US"],
                    },
                )
                break
            except OSError:
                time.sleep(0.05)
        assert status == 200 and body["institution"]["name"] == "First Platypus Bank"
        assert post(url, "/item/get", {"access_token": "x"})[1]["error_code"] == "INVALID_API_KEYS"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_it_repairs_login_through_the_control_api_webhook(emulator, plaid_client, webhook_receiver):
    access_token, item_id = link_item(plaid_client, webhook=webhook_receiver.url)
    post(
        emulator.url,
        f"/emulator/items/{item_id}/fire_webhook",
        {"webhook_type": "ITEM", "webhook_code": "ERROR"},
        creds=False,
    )
    assert (
        post(emulator.url, "/accounts/get", {"access_token": access_token})[1]["error_code"]
        == "ITEM_LOGIN_REQUIRED"
    )
    post(
        emulator.url,
        f"/emulator/items/{item_id}/fire_webhook",
        {"webhook_code": "LOGIN_REPAIRED"},
        creds=False,
    )
    assert post(emulator.url, "/accounts/get", {"access_token": access_token})[0] == 200
    webhook_receiver.wait_for(lambda r: b"LOGIN_REPAIRED" in r["body"])
