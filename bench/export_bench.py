"""Full data export benchmark: the ZIP of a user with 10,000 and with 1,000,000 transactions.

Run (PostgreSQL, as the issue asks; SQLite works but is reported as such):
    scripts/with-postgres.sh .venv/bin/python bench/export_bench.py
    EXPORT_BENCH_SIZES=10000,100000 ...   (other sizes; the first is the memory baseline)
Writes bench/results/export.json: per size, export_s (finance.portability.export
.data_export_build: every kind as CSV and JSON Lines, deflated, written to the default storage),
zip_mb, the process's peak RSS after it, and a baseline measured in the same run: one plain
chunked read of the same transactions (ratio_to_one_read says what the export costs beyond
reading them once). rss_growth_mb = peak RSS after the largest export minus after the
smallest (target <= 64: memory must not grow with the user's size).

Rows are inserted with one INSERT ... SELECT per user (generate_series on PostgreSQL, a
recursive CTE on SQLite), so building a million rows takes seconds and no Python memory.
It creates its own throwaway database (test_<name>) and drops it at the end.
"""

from __future__ import annotations

import gc
import json
import os
import resource
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from _results import results_write  # noqa: E402

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.test_settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

SIZES = [int(n) for n in os.environ.get("EXPORT_BENCH_SIZES", "10000,1000000").split(",")]
TARGET_RSS_GROWTH_MB = 64
ACCOUNTS = 4
CATEGORIES = ["FOOD_AND_DRINK", "TRAVEL", "GENERAL_MERCHANDISE", "RENT_AND_UTILITIES", "INCOME"]


class _NoMigrations:
    def __contains__(self, item):
        return True

    def __getitem__(self, item):
        return None


def series(n: int) -> str:
    if connection.vendor == "postgresql":
        return f"SELECT g AS n FROM generate_series(1, {n}) AS g"
    return (
        f"WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < {n}) "
        "SELECT n FROM s"
    )


def build(size: int):
    """A user with ACCOUNTS accounts and `size` transactions spread over them and ten years,
    one in 50 with notes, one in 100 tagged."""
    from django.contrib.auth import get_user_model

    from banking.models import Account, Institution, PlaidItem, Transaction
    from finance.models import Tag, TransactionTag

    user = get_user_model().objects.create_user(email=f"x{size}@bench.example", password="pw-1")
    institution, _ = Institution.objects.get_or_create(
        institution_id="ins_109508", defaults={"name": "First Platypus Bank"}
    )
    item = PlaidItem.objects.create(
        user=user,
        item_id=f"bench-x-{size}",
        access_token=f"access-x-{size}",
        institution=institution,
    )
    accounts = [
        Account.objects.create(
            item=item,
            account_id=f"x-{size}-{a}",
            name=f"Account {a}",
            type="depository",
            iso_currency_code="USD",
        ).pk
        for a in range(ACCOUNTS)
    ]
    pg = connection.vendor == "postgresql"
    uuid = "gen_random_uuid()" if pg else "lower(hex(randomblob(16)))"
    day = (
        "(DATE '2026-12-01' - (n % 3650))"
        if pg
        else "date('2026-12-01', '-' || (n % 3650) || ' days')"
    )
    now = "now()" if pg else "datetime('now')"
    cases = " ".join(f"WHEN {i} THEN '{c}'" for i, c in enumerate(CATEGORIES))
    account = " ".join(f"WHEN {i} THEN {pk}" for i, pk in enumerate(accounts))
    table = Transaction._meta.db_table
    sql = f"""
        INSERT INTO {table} (
            public_id, user_id, account_id, transaction_id, amount, iso_currency_code,
            unofficial_currency_code, date, name, merchant_name, logo_url, website, pending,
            pending_transaction_id, pfc_primary, pfc_detailed, pfc_confidence, payment_channel,
            city, region, category_override, notes, created_at, updated_at
        )
        SELECT {uuid}, {user.pk}, CASE n % {ACCOUNTS} {account} END, 'x-{size}-' || n,
            (((n % 40000) * 7919) % 40000 - 10000) / 100.0, 'USD', '', {day},
            'PURCHASE ' || (n % 997), 'Merchant ' || (n % 211), '', '', false, '',
            CASE n % {len(CATEGORIES)} {cases} END, '', '', 'online', '', '', '',
            CASE WHEN n % 50 = 0 THEN '=note, with "quotes"' ELSE '' END, {now}, {now}
        FROM ({series(size)}) AS s
    """
    with connection.cursor() as cursor:
        cursor.execute(sql)
    tag = Tag.objects.create(user=user, name="bench")
    ids = Transaction.objects.filter(user=user).values_list("pk", flat=True)[: size // 100]
    TransactionTag.objects.bulk_create(
        [TransactionTag(transaction_id=pk, tag=tag) for pk in ids], batch_size=5000
    )
    return user


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def one_read_s(user) -> float:
    from finance.portability.kinds import KINDS_BY_NAME

    kind = KINDS_BY_NAME["transactions"]
    t0 = time.perf_counter()
    for _ in kind.rows(user).values_list(*[c.lookup for c in kind.columns]).iterator(2000):
        pass
    return time.perf_counter() - t0


def jsonl_lines(path: str) -> int:
    with zipfile.ZipFile(path) as archive, archive.open("transactions.jsonl") as f:
        return sum(1 for _ in f)


def main() -> int:
    from django.core.files.storage import default_storage
    from django.utils import timezone

    from finance.models import DataExport
    from finance.portability.export import LINK_VALID, data_export_build

    setup_test_environment()
    settings.MIGRATION_MODULES = _NoMigrations()
    vendor = connection.vendor
    media = tempfile.mkdtemp(prefix="export-bench-")
    settings.MEDIA_ROOT = media
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        users = {}
        for size in SIZES:
            t0 = time.perf_counter()
            users[size] = build(size)
            print(f"built {size} transactions in {time.perf_counter() - t0:.1f}s", flush=True)
        if vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE")
        results = []
        for size in SIZES:
            gc.collect()
            row = DataExport.objects.create(
                user=users[size], expires_at=timezone.now() + LINK_VALID
            )
            t0 = time.perf_counter()
            assert data_export_build(export_id=row.pk) == "ready"
            export_s = time.perf_counter() - t0
            peak = peak_rss_mb()
            row.refresh_from_db()
            path = default_storage.path(row.file.name)
            assert jsonl_lines(path) == size
            results.append(
                {
                    "transactions": size,
                    "export_s": round(export_s, 2),
                    "zip_mb": round(os.path.getsize(path) / 2**20, 2),
                    "peak_rss_mb": round(peak, 1),
                    "rows_per_s": round(size / export_s),
                }
            )
            print(json.dumps(results[-1]), flush=True)
        # The baselines after every export, so their reads cannot raise the exports' peaks.
        for result, size in zip(results, SIZES, strict=True):
            read_s = one_read_s(users[size])
            result["baseline_one_read_s"] = round(read_s, 2)
            result["ratio_to_one_read"] = round(result["export_s"] / read_s, 1)
        growth = results[-1]["peak_rss_mb"] - results[0]["peak_rss_mb"]
        out = {
            "database": vendor,
            "sizes": results,
            "rss_growth_mb": round(growth, 1),
            "rss_growth_between": [SIZES[0], SIZES[-1]],
            "target_rss_growth_mb": TARGET_RSS_GROWTH_MB,
            "meets_target": growth <= TARGET_RSS_GROWTH_MB,
        }
        print(json.dumps(out, indent=2))
        results_write("export.json", out, note=vendor)
        return 0 if out["meets_target"] else 1
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    sys.exit(main())
