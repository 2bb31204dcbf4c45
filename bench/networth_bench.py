"""Backfill benchmark: reconstructing 730 days of balances for 20 accounts at link.

Run (PostgreSQL, as the issue asks; SQLite works but is reported as such):
    DATABASE_URL=postgres://... .venv/bin/python bench/networth_bench.py
Writes bench/results/networth.json: backfill_s (finance.networth.backfill.item_backfill over
one item of 20 accounts with two years of posted transactions, as the first sync's outbox
delivery runs it), its peak Python memory (tracemalloc) and the process's RSS growth, and a
baseline measured in the same run: one plain read of every transaction of the item, so
`ratio_to_one_read` says what the backfill costs beyond reading the history once.

It creates its own throwaway database (test_<name>) and drops it at the end.
"""

from __future__ import annotations

import datetime as dt
import gc
import json
import os
import random
import resource
import sys
import time
import tracemalloc
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from _results import results_merge, results_write  # noqa: E402

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.test_settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

ACCOUNTS = 20
DAYS = 730
PER_DAY = 3  # posted transactions a day per account with activity


class _NoMigrations:
    def __contains__(self, item):
        return True

    def __getitem__(self, item):
        return None


def build(rnd: random.Random):
    """One item, 20 accounts (cash, cards, loans, investments), two years of transactions and
    today's snapshot, as the first sync leaves them just before its outbox delivery."""
    from django.contrib.auth import get_user_model

    from banking.models import Account, Institution, PlaidItem, Transaction
    from finance.networth.snapshots import snapshots_record

    user = get_user_model().objects.create_user(email="nw@bench.example", password="bench-pw-1")
    institution, _ = Institution.objects.get_or_create(
        institution_id="ins_109508", defaults={"name": "First Platypus Bank"}
    )
    item = PlaidItem.objects.create(
        user=user, item_id="bench-nw", access_token="access-bench-nw", institution=institution
    )
    kinds = ["depository", "depository", "credit", "loan", "investment"]
    today = dt.date.today()
    txn_ids: list[int] = []
    for n in range(ACCOUNTS):
        kind = kinds[n % len(kinds)]
        account = Account.objects.create(
            item=item,
            account_id=f"bench-nw-{n}",
            name=f"Account {n}",
            type=kind,
            current_balance=Decimal("5000.00"),
            iso_currency_code="USD",
        )
        rows = [
            Transaction(
                user=user,
                account=account,
                transaction_id=f"bench-nw-{n}-{d}-{k}",
                amount=Decimal(rnd.randint(-20000, 20000)) / 100,
                iso_currency_code="USD",
                date=today - dt.timedelta(days=d),
                name="BENCH",
                pending=d < 2 and k == 0,
            )
            for d in range(DAYS)
            for k in range(PER_DAY)
        ]
        txn_ids += [t.pk for t in Transaction.objects.bulk_create(rows, batch_size=5000)]
    snapshots_record(item=item, today=today)
    return item, txn_ids


def rss_kb() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def main() -> int:
    from banking.models import Transaction
    from finance.models import BalanceSnapshot
    from finance.networth.backfill import item_backfill

    setup_test_environment()
    settings.MIGRATION_MODULES = _NoMigrations()
    vendor = connection.vendor
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        item, ids = build(random.Random(20261202))
        if ids and ids[0] is None:  # SQLite's bulk_create does not return ids everywhere
            ids = list(Transaction.objects.values_list("pk", flat=True))
        if vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE")

        t0 = time.perf_counter()
        read = len(
            list(Transaction.objects.filter(account__item=item).values_list("date", "amount"))
        )
        baseline_s = time.perf_counter() - t0

        gc.collect()
        rss_before = rss_kb()
        tracemalloc.start()
        t0 = time.perf_counter()
        written = item_backfill(item=item, transaction_ids=ids)
        backfill_s = time.perf_counter() - t0
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        rss_growth = rss_kb() - rss_before

        rows = BalanceSnapshot.objects.filter(estimated=True).count()
        # Investment accounts are never estimated (their value is their holdings'), 4 of 20.
        estimated_accounts = ACCOUNTS - ACCOUNTS // 5
        assert rows == estimated_accounts * (DAYS - 1), rows
        out = {
            "database": vendor,
            "accounts": ACCOUNTS,
            "days": DAYS,
            "transactions": read,
            "estimated_rows": rows,
            "accounts_backfilled": len(written),
            "backfill_s": round(backfill_s, 3),
            "backfill_peak_python_kb": round(peak / 1024),
            "backfill_rss_growth_kb": rss_growth,
            "baseline_one_read_s": round(baseline_s, 3),
            "ratio_to_one_read": round(backfill_s / baseline_s, 2),
        }
        print(json.dumps(out, indent=2))
        results_write("networth.json", out, note=vendor)
        # The issue asks for the backfill's numbers beside the sync's: merged into sync.json.
        keys = ("backfill_s", "backfill_peak_python_kb", "backfill_rss_growth_kb")
        results_merge("sync.json", {key: out[key] for key in keys}, note="backfill keys")
        return 0
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    sys.exit(main())
