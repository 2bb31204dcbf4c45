"""The net-worth and portfolio pages alone, with the data the pages benchmark gives them.

Run (PostgreSQL):
    BENCH_PG_PORT=55444 scripts/with-postgres.sh .venv/bin/python bench/networth_pages_bench.py
The same measurement as bench/pages_bench.py for /net-worth/ (a user with 1 year against one
with 10 years of daily snapshots across 20 accounts) and /investments/ (1 account with 5
holdings and 50 investment transactions against 20 accounts, 2,000 holdings and 50,000),
without the 100,000-transaction users the other pages need, so it runs in a minute. Medians of
alternating requests, the ratio is big over small measured in the same run. Writes
bench/results/networth-pages.json.
"""

from __future__ import annotations

import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

import pages_bench as pb  # noqa: E402  (sets Django up)
from _results import results_write  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402


def main() -> int:
    from django.conf import settings

    setup_test_environment()
    settings.MIGRATION_MODULES = pb._NoMigrations()
    vendor = connection.vendor
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        rnd = random.Random(20240601)
        t0 = time.perf_counter()
        nw_users = {
            label: pb.make_snapshot_user(f"nw-{label}@bench.example", years, rnd)
            for label, years in pb.NETWORTH_YEARS.items()
        }
        # The portfolio page does not read bank transactions: a few are enough.
        inv_users = {
            label: pb.make_user(f"{label}@bench.example", pb.SMALL, rnd)
            for label in ("small", "big")
        }
        for label, user in inv_users.items():
            pb.add_investments(user, label, rnd)
        load_s = time.perf_counter() - t0
        if vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE")
        results = {}
        cases = (
            ("networth", "/net-worth/", nw_users, True),
            ("networth_all", "/net-worth/?range=all", nw_users, False),
            ("networth_dashboard", "/", nw_users, True),
            ("portfolio", "/investments/", inv_users, True),
        )
        for page, url, users, targeted in cases:
            clients = {}
            for label, user in users.items():
                clients[label] = Client()
                clients[label].force_login(user)
            small_ms, big_ms = pb.medians(clients, users, url, False, False)
            results[page] = {
                "url": url,
                "small_ms": round(small_ms, 2),
                "big_ms": round(big_ms, 2),
                "ratio": round(big_ms / small_ms, 2),
            }
            if targeted:
                results[page]["meets_target"] = big_ms / small_ms <= pb.TARGET_RATIO
            print(f"{page:18} small {small_ms:8.2f} ms   big {big_ms:9.2f} ms")
        out = {
            "database": vendor,
            # The machine's 1-minute load average when the measurement ended: the absolute
            # times follow it, the ratios (small and big alternating) much less.
            "load_average_1min": round(os.getloadavg()[0], 1),
            "rounds": pb.ROUNDS,
            "networth_snapshots": "1 year vs 10 years, 20 accounts (small vs big)",
            "portfolio": {
                size: {"accounts": a, "holdings": a * h, "investment_transactions": n}
                for size, (a, h, n) in pb.PORTFOLIO.items()
            },
            "load_seconds": round(load_s, 1),
            "target_ratio": pb.TARGET_RATIO,
            "pages": results,
        }
        results_write("networth-pages.json", out, note=vendor)
        return 0
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    sys.exit(main())
