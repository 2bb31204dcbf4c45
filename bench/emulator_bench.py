"""Plaid emulator benchmark: is a 500-transaction /transactions/sync page independent of the
item's history size, how long does a 100k-transaction item take to generate, and how long do
20,000 items take to create through the control API?

Run: python bench/emulator_bench.py  (writes bench/results/emulator.json)
"""

from __future__ import annotations

import json
import statistics
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from _results import results_write  # noqa: E402

from plaid_emulator.server import EmulatorServer  # noqa: E402

ROUNDS = 15
BULK = 20_000  # items made at once through the control API, as the scale benchmark does


def call(url, path, body, creds=True):
    if creds:
        body = {"client_id": "emulator-client-id", "secret": "emulator-secret", **body}
    req = urllib.request.Request(
        url + path, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(req) as r:
        return json.loads(r.read())


def new_item(url, days):
    pt = call(
        url,
        "/sandbox/public_token/create",
        {
            "institution_id": "ins_109508",
            "initial_products": ["transactions"],
            "options": {"transactions": {"days_requested": days}},
        },
    )["public_token"]
    ex = call(url, "/item/public_token/exchange", {"public_token": pt})
    return ex["access_token"], ex["item_id"]


def page_ms(url, access_token) -> float:
    """Median time of a 500-transaction page taken from the middle of the history."""
    first = call(url, "/transactions/sync", {"access_token": access_token, "count": 500})
    cursor = first["next_cursor"]
    times = []
    for _ in range(ROUNDS):
        t0 = time.perf_counter()
        page = call(
            url,
            "/transactions/sync",
            {"access_token": access_token, "cursor": cursor, "count": 500},
        )
        times.append((time.perf_counter() - t0) * 1000)
        assert len(page["added"]) == 500
    return statistics.median(times)


def main() -> int:
    srv = EmulatorServer(port=0, webhook_retry_delays=()).start()
    try:
        small, small_id = new_item(srv.url, 5)
        call(srv.url, f"/emulator/items/{small_id}/transactions", {"count": 1000}, creds=False)
        big, big_id = new_item(srv.url, 5)
        t0 = time.perf_counter()
        call(srv.url, f"/emulator/items/{big_id}/transactions", {"count": 100_000}, creds=False)
        generate = time.perf_counter() - t0
        ms_1k, ms_100k = page_ms(srv.url, small), page_ms(srv.url, big)
        t0 = time.perf_counter()
        made = call(
            srv.url, "/emulator/items/bulk", {"count": BULK, "days_requested": 1}, creds=False
        )["items"]
        bulk = time.perf_counter() - t0
        assert len(made) == BULK
    finally:
        srv.stop()
    result = {
        "page_ms_1k": round(ms_1k, 2),
        "page_ms_100k": round(ms_100k, 2),
        "ratio": round(ms_100k / ms_1k, 3),
        "generate_100k_s": round(generate, 3),
        "bulk_20k_items_s": round(bulk, 3),
    }
    print(f"{'metric':<18}{'value':>10}")
    for k, v in result.items():
        print(f"{k:<18}{v:>10}")
    results_write("emulator.json", result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
