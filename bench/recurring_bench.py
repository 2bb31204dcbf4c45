"""Recurring benchmark: our detector against the emulator's ground truth, and its cost at scale.

Run: .venv/bin/python bench/recurring_bench.py   (or `make bench-recurring`)
Writes bench/results/recurring.json:

- quality: 20 emulator items with 730 days of history each, made with a seed no test uses and
  the generator's noise on (weekend shifts, descriptor variants, a skipped month, price rises,
  one-off look-alikes). Transactions and truth come over HTTP (/transactions/get and
  /emulator/items/{id}/recurring-truth). A stream matches when account, merchant and frequency
  agree; `precision`, `recall`, and `next_date_mae_days` over matched streams.
- scale: `detect_s` for one user with 100,000 transactions (median of ROUNDS), the peak Python
  memory of one run, and `ratio`: detect_s over a baseline measured in the same run (one pass
  that groups the same rows by account and merchant, the floor any detector pays).
  `incremental_detect_s`: the post-sync refresh for a sync of the SYNC_ROWS newest rows: the
  groups they touch, re-read as the database query would (one aggregate of days per
  descriptor; then, by descriptor, the rows of the groups not too dense for a cadence) and
  re-detected; `incremental_equals_full` checks its streams against the full run's.
  Both are in memory: the database read is in neither.
- hook_sqlite (or hook_postgresql when DATABASE_URL names PostgreSQL, as under
  scripts/with-postgres.sh; the other database's section is kept): the same on the database,
  through the real code. A user synced up to 100,000 transactions; `full_refresh_s`, every row
  read and detected, against `hook_s`, finance.recurring_run on the announcement of a sync of
  SYNC_ROWS new rows; `hook_ratio` of the medians; `hook_equals_full` compares the streams after
  the last hook with a full refresh's from nothing.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
import tracemalloc
import urllib.request
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from _results import results_read, results_write  # noqa: E402

from finance.recurring.detect import (  # noqa: E402
    Row,
    descriptor_key,
    detect,
    detect_groups,
    group_key,
    merchant_key,
    normalise,
    too_dense,
)
from plaid_emulator.server import EmulatorServer  # noqa: E402

SEED = 7_301_973  # used by no test
ITEMS, DAYS = 20, 730
SCALE_TRANSACTIONS = 100_000
SYNC_ROWS = 500
DB_TRANSACTIONS = int(os.environ.get("BENCH_RECURRING_TRANSACTIONS", 100_000))
ROUNDS = 3
TARGETS = {"precision": 0.9, "recall": 0.9, "next_date_mae_days": 2.0}
CREDS = {"client_id": "emulator-client-id", "secret": "emulator-secret"}


def call(url: str, path: str, body: dict | None = None, method: str = "POST") -> dict:
    data = json.dumps({**CREDS, **(body or {})}).encode() if method == "POST" else None
    req = urllib.request.Request(
        url + path, data=data, method=method, headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(req, timeout=120) as r:
        return json.loads(r.read())


def item_rows(url: str, token: str, today: date) -> tuple[list[Row], dict[str, int]]:
    """Every transaction of the item as detector rows, ordered by account."""
    accounts: dict[str, int] = {}
    rows, offset, total = [], 0, None
    start = (today - timedelta(days=DAYS + 5)).isoformat()
    while total is None or offset < total:
        page = call(
            url,
            "/transactions/get",
            {
                "access_token": token,
                "start_date": start,
                "end_date": today.isoformat(),
                "options": {"count": 500, "offset": offset},
            },
        )
        total = page["total_transactions"]
        for t in page["transactions"]:
            acct = accounts.setdefault(t["account_id"], len(accounts) + 1)
            rows.append(
                Row(
                    len(rows),
                    acct,
                    date.fromisoformat(t["date"]),
                    Decimal(str(t["amount"])),
                    t["name"],
                    t["merchant_name"] or "",
                    t["iso_currency_code"] or "",
                    "",
                    "",
                )
            )
        offset += len(page["transactions"])
    rows.sort(key=lambda r: (r.account_id, r.date, r.pk))
    return rows, accounts


def quality(url: str) -> dict:
    items = call(
        url,
        "/emulator/items/bulk",
        {"count": ITEMS, "days_requested": DAYS, "recurring_noise": True},
    )["items"]
    tp = fp = fn = 0
    errors: list[int] = []
    per_frequency: dict[str, list[int]] = {}
    for it in items:
        truth = call(url, f"/emulator/items/{it['item_id']}/recurring-truth", method="GET")
        today = date.fromisoformat(truth["today"])
        rows, accounts = item_rows(url, it["access_token"], today)
        found = {
            (f.account_id, normalise(f.merchant_name or f.description), f.frequency): f
            for f in detect(rows, today)
            if f.is_active
        }
        expected = {
            (
                accounts.get(s["account_id"]),
                normalise(s["merchant_name"] or s["description"]),
                s["frequency"],
            ): s
            for s in truth["streams"]
            if s["status"] == "active"
        }
        for key, s in expected.items():
            hits = per_frequency.setdefault(key[2], [0, 0])
            hits[1] += 1
            f = found.get(key)
            if f is None:
                fn += 1
                continue
            tp += 1
            hits[0] += 1
            if s["predicted_next_date"] and f.predicted_next_date:
                truth_next = date.fromisoformat(s["predicted_next_date"])
                errors.append(abs((truth_next - f.predicted_next_date).days))
        fp += sum(1 for key in found if key not in expected)
    return {
        "items": ITEMS,
        "days_requested": DAYS,
        "seed": SEED,
        "truth_streams": tp + fn,
        "found_streams": tp + fp,
        "precision": round(tp / (tp + fp), 4),
        "recall": round(tp / (tp + fn), 4),
        "next_date_mae_days": round(sum(errors) / len(errors), 3),
        "next_date_max_days": max(errors),
        "recall_by_frequency": {k: round(h / n, 3) for k, (h, n) in sorted(per_frequency.items())},
    }


def scale_rows(emulator) -> tuple[list[Row], date]:
    """One user's 100,000 transactions: two years of history plus bulk purchases."""
    emu = emulator.emu
    item = emu.create_item("ins_109508", "user_good", days_requested=DAYS, recurring_noise=True)
    from plaid_emulator import activity

    activity.append_volume(emu, item, SCALE_TRANSACTIONS - len(item.txns))
    accounts = {a["account_id"]: n for n, a in enumerate(item.accounts)}
    rows = [
        Row(
            n,
            accounts[t.account_id],
            date.fromisoformat(t.date),
            Decimal(str(t.amount)),
            t.name or t.merchant.raw,
            t.merchant.name or "",
            "USD",
            "",
            "",
        )
        for n, t in enumerate(item.txns.values())
    ]
    rows.sort(key=lambda r: (r.account_id, r.date, r.pk))
    return rows, item.today


def baseline(rows: list[Row]) -> int:
    groups: dict[tuple, list[Row]] = {}
    for r in rows:
        groups.setdefault(
            (r.account_id, merchant_key(r.name, r.merchant_name), r.amount > 0), []
        ).append(r)
    return len(groups)


def candidates(rows: list[Row], keys: set[str]) -> list[Row]:
    """What services._groups_rows asks the database for: one aggregate per account, direction
    and descriptor (its days, first and last date), then the rows of the touched groups that
    are not too dense to be a stream, by their descriptors. `rows` come ordered by account and
    date, so a descriptor's new day is a date unlike its last one."""
    per: dict[tuple[int, bool, str], list] = {}
    for r in rows:
        if r.amount:
            agg = per.get(where := (r.account_id, r.amount > 0, r.merchant_name or r.name))
            if agg is None:
                per[where] = [1, r.date, r.date]
            elif agg[2] != r.date:
                agg[0], agg[2] = agg[0] + 1, r.date
    groups: dict[str, list[tuple]] = {}
    for where, (days, first, last) in per.items():
        if (key := descriptor_key(*where)) in keys:
            groups.setdefault(key, []).append((where, days, first, last))
    wanted: set[tuple[int, bool, str]] = set()
    for parts in groups.values():
        span = (max(p[3] for p in parts) - min(p[2] for p in parts)).days
        if not too_dense(max(p[1] for p in parts), span):
            wanted.update(p[0] for p in parts)
    return [
        r
        for r in rows
        if r.amount and (r.account_id, r.amount > 0, r.merchant_name or r.name) in wanted
    ]


def incremental(rows: list[Row], sync: list[Row], due: set[str], today: date) -> list:
    keys = {k for r in sync if (k := group_key(r)) is not None} | due
    return detect_groups(candidates(rows, keys), today, keys)


def timed(fn, *args) -> float:
    started = time.perf_counter()
    fn(*args)
    return time.perf_counter() - started


def scale(emulator) -> dict:
    rows, today = scale_rows(emulator)
    detect_runs = [timed(detect, rows, today) for _ in range(ROUNDS)]
    base_runs = [timed(baseline, rows) for _ in range(ROUNDS)]
    tracemalloc.start()
    streams = detect(iter(rows), today)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    detect_s = statistics.median(detect_runs)
    base_s = statistics.median(base_runs)
    # A sync of the SYNC_ROWS newest rows: the touched groups, and the live streams whose date
    # passed, re-detected from the rows the database query would return.
    sync = sorted(rows, key=lambda r: (r.date, r.pk))[-SYNC_ROWS:]
    due = {s.key for s in streams if s.is_active and s.predicted_next_date < today}
    inc_runs = [timed(incremental, rows, sync, due, today) for _ in range(ROUNDS)]
    inc = incremental(rows, sync, due, today)
    touched = {k for r in sync if (k := group_key(r)) is not None} | due
    # The same streams, field for field, as the full run found for those groups.
    same = {s.key: s for s in inc} == {s.key: s for s in streams if s.key in touched}
    reread = candidates(rows, touched)
    return {
        "transactions": len(rows),
        "streams_found": len(streams),
        "detect_s": round(detect_s, 3),
        "baseline_group_s": round(base_s, 3),
        "ratio": round(detect_s / base_s, 2),
        "detect_peak_mb": round(peak / 2**20, 1),
        "sync_rows": SYNC_ROWS,
        "touched_groups": len(touched),
        "touched_groups_rows": sum(1 for r in rows if group_key(r) in touched),
        "dense_groups_skipped": len(touched) - len({group_key(r) for r in reread}),
        "rows_reread": len(reread),
        "streams_redetected": len(inc),
        "incremental_detect_s": round(statistics.median(inc_runs), 3),
        "incremental_ratio": round(statistics.median(inc_runs) / detect_s, 3),
        "incremental_equals_full": same,
    }


def django_setup(url: str) -> None:
    os.chdir(ROOT)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.test_settings")
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'bench-recurring.sqlite3'}")
    # The syncs queue their hooks (purged at the end): only the timed refreshes run here.
    os.environ["CELERY_TASK_ALWAYS_EAGER"] = "false"
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.PLAID_ENV = "emulator"
    settings.PLAID_EMULATOR_URL = url
    settings.PLAID_CLIENT_ID, settings.PLAID_SECRET = CREDS["client_id"], CREDS["secret"]
    settings.PLAID_RATE_LIMIT_ENABLED = False
    settings.PLAID_WEBHOOK_URL = ""
    settings.RECURRING_SOURCE = "detector"
    call_command("migrate", verbosity=0)


def hook(url: str) -> dict:
    """The real hook on the database: a user with DB_TRANSACTIONS synced rows, the full
    refresh (every row read and detected) against the post-sync hook for a sync of SYNC_ROWS
    new rows (finance.recurring_run on that sync's announcement), each the median of ROUNDS."""
    django_setup(url)
    from django.db import connection

    from accounts.models import User
    from banking import link, sync
    from banking import plaid as plaid_api
    from banking.models import SyncOutbox, Transaction
    from finance.models import RecurringStream
    from finance.recurring.hooks import recurring_run
    from finance.recurring.services import recurring_refresh

    def state():
        return sorted(
            (s.key, s.frequency, s.status, s.predicted_next_date, s.last_amount)
            + tuple(sorted(s.transactions.values_list("pk", flat=True)))
            for s in RecurringStream.objects.filter(user=user)
        )

    User.objects.filter(email="bench-recurring@example.com").delete()
    user = User.objects.create_user(email="bench-recurring@example.com", password="bench-pass-1")
    item = link.item_link(
        user=user, public_token=plaid_api.sandbox_public_token_create("ins_109508"), metadata=None
    )
    have = Transaction.objects.filter(user=user).count()
    call(url, f"/emulator/items/{item.item_id}/transactions", {"count": DB_TRANSACTIONS - have})
    sync.item_sync(item=item, trigger="webhook")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    full = [timed(lambda: recurring_refresh(user=user)) for _ in range(ROUNDS)]
    runs = []
    for _ in range(ROUNDS):
        call(url, f"/emulator/items/{item.item_id}/transactions", {"count": SYNC_ROWS})
        row = SyncOutbox.objects.select_related("item__user").get(
            run=sync.item_sync(item=item, trigger="webhook")
        )
        runs.append(timed(recurring_run, row))
    incremental = state()
    RecurringStream.objects.filter(user=user).delete()
    recurring_refresh(user=user)
    full_s, hook_s = statistics.median(full), statistics.median(runs)
    return {
        "database": connection.vendor,
        "transactions": Transaction.objects.filter(user=user).count(),
        "streams": RecurringStream.objects.filter(user=user).count(),
        "full_refresh_s": round(full_s, 3),
        "hook_s": [round(r, 3) for r in runs],
        "hook_median_s": round(hook_s, 3),
        "hook_ratio": round(hook_s / full_s, 3),
        "hook_equals_full": incremental == state(),
    }


def main() -> None:
    emulator = EmulatorServer(host="127.0.0.1", port=0, seed=SEED).start()
    try:
        started = time.perf_counter()
        result = {"quality": quality(emulator.url)}
        result["quality"]["quality_s"] = round(time.perf_counter() - started, 1)
        result["scale"] = scale(emulator)
        db = hook(emulator.url)
    finally:
        emulator.stop()
    # One run per database: SQLite by default (make bench-recurring), PostgreSQL when
    # DATABASE_URL names it (scripts/with-postgres.sh); the other database's numbers are kept.
    result |= {k: v for k, v in results_read("recurring.json").items() if k.startswith("hook_")}
    result[f"hook_{db['database']}"] = db
    q = result["quality"]
    result["targets"] = TARGETS
    result["meets_targets"] = (
        q["precision"] >= TARGETS["precision"]
        and q["recall"] >= TARGETS["recall"]
        and q["next_date_mae_days"] <= TARGETS["next_date_mae_days"]
    )
    print(json.dumps(result, indent=2))
    results_write("recurring.json", result)
    from config.celery import app

    app.control.purge()


if __name__ == "__main__":
    main()
