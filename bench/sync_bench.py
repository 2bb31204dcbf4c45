"""Benchmark: initial sync of one emulator item with 100,000 transactions.

    .venv/bin/python bench/sync_bench.py            # DATABASE_URL, or a fresh SQLite file

Measured in one run, on the same pages:
- ours: the real sync service end to end (banking.sync.item_sync), fetch (emulator over HTTP
  plus parsing and staging) and write (applying the staged pages) reported separately;
- baseline: per-transaction `update_or_create` (what most apps do) of the first BASELINE_ROWS
  rows of the same pre-fetched pages: at ~100 rows/s the whole item would take a quarter of an
  hour, and a rate measured on a smaller table favours the baseline, so the speedups are
  conservative;
- floor (PostgreSQL only): COPY of the same rows into the same table.
With rules: the same sync for a user with 50 rules, timed until the rules have been applied to
every row, against the sync without rules; after a discarded warm-up pair, each is run REPEATS
times, alternating, and the best of each counts (this machine is shared: load comes and goes
within a run).
Peak RSS of a whole sync is measured in child processes (an item of 10k and one of 100k), so
`rss_growth_mb` shows whether memory grows with the item's history.

The outbound rate limiter is off here: under Plaid's real 50/min per item, 200 pages take at
least four minutes whatever our code does. Writes bench/results/sync.json (PostgreSQL) or
bench/results/sync-sqlite.json (SQLite) and prints a table.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import resource
import statistics
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.chdir(ROOT)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.test_settings")
os.environ.setdefault("DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'bench-sync.sqlite3'}")
os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "true")

N = int(os.environ.get("BENCH_SYNC_TRANSACTIONS", 100_000))
# Syncs without and with rules, each, alternating (see syncs_alternating).
REPEATS = int(os.environ.get("BENCH_SYNC_REPEATS", 2))
SMALL = int(os.environ.get("BENCH_SYNC_SMALL", 10_000))
BASELINE_ROWS = int(os.environ.get("BENCH_SYNC_BASELINE_ROWS", 10_000))
# Explanations earlier runs left in the results file that no longer hold.
STALE_KEYS = ("notes", "rules_note")


def setup_django(emulator_url: str):
    import django

    django.setup()
    from django.conf import settings

    settings.PLAID_ENV = "emulator"
    settings.PLAID_EMULATOR_URL = emulator_url
    settings.PLAID_CLIENT_ID = "emulator-client-id"
    settings.PLAID_SECRET = "emulator-secret"
    settings.PLAID_RATE_LIMIT_ENABLED = False
    settings.PLAID_WEBHOOK_URL = ""


def control(url, method, path, body=None):
    import urllib.request

    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(
        url + path, data=data, method=method, headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(req, timeout=600) as resp:
        return json.loads(resp.read() or b"{}")


def make_item(emulator_url: str, email: str, total: int):
    """Link an item through our real service and grow it at the emulator to `total` rows."""
    from accounts.models import User
    from banking import link, sync
    from banking import plaid as plaid_api

    user = User.objects.filter(email=email).first()
    if user:
        # The emulator (in this process) lets go of the previous item's rows too: kept, every
        # repetition would add 100,000 objects for the garbage collector to walk.
        for old in user.plaid_items.all():
            plaid_api.item_remove(old)
        user.plaid_items.all().delete()
        gc.collect()
        tables_vacuum()
    else:
        user = User.objects.create_user(email=email, password="bench-password-123")
    real_request = sync.sync_request
    sync.sync_request = lambda **kw: "skipped"  # the benchmark runs the sync itself
    try:
        item = link.item_link(
            user=user,
            public_token=plaid_api.sandbox_public_token_create("ins_109508"),
            metadata=None,
        )
    finally:
        sync.sync_request = real_request
    have = next(
        i
        for i in control(emulator_url, "GET", "/emulator/items")["items"]
        if i["item_id"] == item.item_id
    )["transactions"]
    if total > have:
        control(
            emulator_url,
            "POST",
            f"/emulator/items/{item.item_id}/transactions",
            {"count": total - have},
        )
    return item


def tables_vacuum() -> None:
    """On PostgreSQL, VACUUM ANALYZE the tables a sync writes, after a previous item's 100,000
    rows were deleted: otherwise autovacuum cleans them up during whichever sync runs next."""
    from django.db import connection

    from banking.models import Transaction
    from finance.models import TransactionMeta, TransactionTag

    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model in (Transaction, TransactionMeta, TransactionTag):
            cursor.execute(f'VACUUM ANALYZE "{model._meta.db_table}"')


def child_rss(emulator_url: str, total: int) -> None:
    """In a child process: one whole sync of a `total`-row item; print its peak RSS."""
    setup_django(emulator_url)
    from banking import sync

    item = make_item(emulator_url, f"bench-rss-{total}@example.com", total)
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    run = sync.item_sync(item=item, trigger="initial")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    item.delete()
    print(json.dumps({"total": total, "added": run.added, "base_kb": base, "peak_kb": peak}))


def prefetch(item) -> list[dict]:
    """All pages of the item from the start, compacted as the service stages them."""
    from banking import plaid as plaid_api
    from banking.sync.apply import PAGE_SIZE
    from banking.sync.fetch import compact

    pages, cursor = [], ""
    while True:
        page = plaid_api.transactions_sync(item, cursor, count=PAGE_SIZE)
        pages.append([compact(t) for t in page["added"] + page["modified"]])
        cursor = page["next_cursor"]
        if not page["has_more"]:
            return pages


def clear_rows(item) -> None:
    """Empty the item's rows before the next method writes them again."""
    from django.db import connection

    from banking.models import Account, Transaction

    if connection.vendor == "postgresql":
        # Fresh statistics: right after a 100k-row load the planner still thinks the table is
        # empty and picks nested loops that turn a delete into minutes.
        with connection.cursor() as cursor:
            cursor.execute(f'ANALYZE "{Transaction._meta.db_table}"')
    accounts = list(Account.objects.filter(item=item).values_list("pk", flat=True))
    Transaction.objects.filter(account_id__in=accounts).delete()


def baseline_sample(pages: list[list[dict]]) -> list[list[dict]]:
    """The first pages holding at least BASELINE_ROWS rows."""
    sample, rows = [], 0
    for page in pages:
        if rows >= BASELINE_ROWS:
            break
        sample.append(page)
        rows += len(page)
    return sample


def baseline(item, pages) -> float:
    """Per-row update_or_create in one transaction (its best case)."""
    from django.db import transaction

    from banking.models import Account, Transaction

    accounts = dict(Account.objects.filter(item=item).values_list("account_id", "pk"))
    clear_rows(item)
    started = time.perf_counter()
    with transaction.atomic():
        for page in pages:
            for r in page:
                fields = {k: v for k, v in r.items() if k not in ("transaction_id", "account_id")}
                Transaction.objects.update_or_create(
                    transaction_id=r["transaction_id"],
                    defaults={
                        **fields,
                        "user_id": item.user_id,
                        "account_id": accounts[r["account_id"]],
                    },
                )
    return time.perf_counter() - started


def copy_floor(item, pages) -> float | None:
    import uuid

    from django.db import connection, transaction
    from django.utils import timezone

    from banking.models import Account, Transaction

    if connection.vendor != "postgresql":
        return None
    accounts = dict(Account.objects.filter(item=item).values_list("account_id", "pk"))
    clear_rows(item)
    fields = [f for f in Transaction._meta.concrete_fields if f.name != "id"]
    columns = ", ".join(f'"{f.column}"' for f in fields)
    now = timezone.now()
    started = time.perf_counter()
    with (
        transaction.atomic(),
        connection.cursor() as cursor,
        cursor.connection.cursor().copy(
            f'COPY "{Transaction._meta.db_table}" ({columns}) FROM STDIN'
        ) as copy,
    ):
        for page in pages:
            for r in page:
                extra = {
                    "public_id": uuid.uuid4(),
                    "user": item.user_id,
                    "account": accounts[r["account_id"]],
                    "created_at": now,
                    "updated_at": now,
                    "category_override": "",
                    "notes": "",
                }
                copy.write_row([extra[f.name] if f.name in extra else r[f.name] for f in fields])
    return time.perf_counter() - started


RULE_WORDS = [
    "uber",
    "starbucks",
    "amazon",
    "walmart",
    "target",
    "shell",
    "netflix",
    "spotify",
    "whole foods",
    "costco",
    "apple",
    "delta",
    "united",
    "lyft",
    "mcdonald",
    "chipotle",
    "payroll",
    "rent",
    "venmo",
    "zelle",
    "atm",
    "interest",
    "transfer",
    "gas",
    "coffee",
]


def rules_create(user, n: int = 50) -> None:
    """n rules of mixed kinds: every text operator (regex included), amount ranges and signs,
    Plaid categories, and every action."""
    from decimal import Decimal

    from finance.models import Rule

    ops = ["contains", "starts_with", "exact", "regex"]
    for i in range(n):
        word = RULE_WORDS[i % len(RULE_WORDS)]
        op = ops[i % len(ops)]
        Rule.objects.create(
            user=user,
            name=f"bench {i}",
            position=i,
            text_field=["any", "merchant", "name"][i % 3],
            text_op=op,
            text_value=rf"\b{word}" if op == "regex" else word,
            amount_min=Decimal("5") if i % 5 == 0 else None,
            amount_max=Decimal("500") if i % 7 == 0 else None,
            sign=["", "out", "in"][i % 3] if i % 4 == 0 else "",
            plaid_category="FOOD_AND_DRINK" if i % 11 == 0 else "",
            set_category=["TRAVEL", "FOOD_AND_DRINK", "ENTERTAINMENT"][i % 3],
            set_display_name=word.title() if i % 2 else "",
            add_tags="bench" if i % 6 == 0 else "",
            set_notes="ruled" if i % 9 == 0 else "",
            exclude=i % 13 == 0,
        )


def plain_sync(url: str) -> dict:
    """The first sync of a fresh N-row item for a user without rules: fetch, then write plus
    the post-sync hooks (with an eager broker they run on commit, inside item_sync)."""
    from banking import sync
    from banking.models import Transaction

    item = make_item(url, "bench-sync@example.com", N)
    started = time.perf_counter()
    run = sync.item_sync(item=item, trigger="initial")
    total_s = time.perf_counter() - started
    count = Transaction.objects.filter(account__item=item).count()
    assert count == run.added, (count, run.added)
    fetch_s = run.fetch_ms / 1000
    return {
        "item": item,
        "run": run,
        "count": count,
        "total_s": total_s,
        "plain_s": total_s - fetch_s,
    }


def ruled_sync(url: str) -> dict:
    """The same sync for a second user with 50 rules: write plus the post-sync hooks until the
    rules are applied to every row take `rules_s`."""
    from banking import sync
    from banking.models import SyncOutbox, Transaction
    from banking.outbox import outbox_deliver
    from finance.models import Rule

    item = make_item(url, "bench-rules@example.com", N)
    Rule.objects.filter(user=item.user).delete()
    rules_create(item.user)
    started = time.perf_counter()
    run = sync.item_sync(item=item, trigger="initial")
    # With an eager broker the hooks ran on commit, inside item_sync; deliver any leftover.
    for pk in SyncOutbox.objects.filter(item=item, delivered_at__isnull=True).values_list(
        "pk", flat=True
    ):
        outbox_deliver(outbox_id=pk)
    total_s = time.perf_counter() - started
    mine = Transaction.objects.filter(account__item=item)
    return {
        "item": item,
        "count": mine.count(),
        "rules_s": total_s - run.fetch_ms / 1000,
        "ruled_rows": mine.exclude(category_override="").count(),
    }


def syncs_alternating(url: str) -> tuple[dict, dict, dict]:
    """Without and with rules, REPEATS times each, alternating, so a burst of load on this
    shared machine hits both sides; the best of each counts. (best plain, best ruled, reps)"""
    plains, ruleds = [], []
    # A discarded pair first: the first sync of each kind in a process runs cold (its caches,
    # the emulator's, PostgreSQL's buffers and plans) and would only ever lose.
    if REPEATS > 1:
        plain_sync(url)
        ruled_sync(url)
    for _ in range(REPEATS):
        plains.append(plain_sync(url))
        ruleds.append(ruled_sync(url))
    plain_s, ruled_s = [p["plain_s"] for p in plains], [r["rules_s"] for r in ruleds]
    reps = {
        "rules_reps_plain_s": [round(s, 2) for s in plain_s],
        "rules_reps_ruled_s": [round(s, 2) for s in ruled_s],
        # The same ratio from the medians: less moved by one lucky or unlucky repetition.
        "rules_overhead_median": round(statistics.median(plain_s) / statistics.median(ruled_s), 3),
        "rules_reps_note": (
            f"best of {REPEATS} alternating syncs of each kind, after one discarded warm-up "
            "pair (the first sync of each kind in a process runs cold)"
            if REPEATS > 1
            else "one sync of each kind, no warm-up"
        ),
    }
    best_plain = min(plains, key=lambda p: p["plain_s"])
    best_ruled = min(ruleds, key=lambda r: r["rules_s"])
    # The newest item of each user is the one still in the database.
    best_plain["item"], best_ruled["item"] = plains[-1]["item"], ruleds[-1]["item"]
    return best_plain, best_ruled, reps


def apply_existing_phase(ruled: dict) -> dict:
    """One new rule applied to every existing row of the ruled item, through the task path."""
    from finance.models import Rule
    from finance.rule_jobs import rule_apply_request

    item = ruled["item"]
    rule = Rule.objects.create(
        user=item.user, name="new", position=99, text_value="e", set_notes="applied"
    )
    # The page's path: the request queues the task, which (eager here) runs at once.
    started = time.perf_counter()
    assert rule_apply_request(rule=rule)
    apply_existing_s = time.perf_counter() - started
    rule.refresh_from_db()
    assert rule.apply_status == Rule.ApplyStatus.DONE, rule.apply_status
    # Memory, in a second run (tracemalloc would slow the timed one): the rows now match
    # already, so this reads as much and writes less; its peak is the batches' size.
    tracemalloc.start()
    assert rule_apply_request(rule=rule)
    apply_peak_mb = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return {
        **ruled,
        "apply_existing_s": apply_existing_s,
        "apply_existing_matched": rule.apply_done,
        "apply_existing_peak_python_mb": apply_peak_mb,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rss-child", type=int)
    parser.add_argument("--emulator-url")
    parser.add_argument(
        "--rules-only",
        action="store_true",
        help="the sync without and with rules, and the baseline sample (all in this run)",
    )
    args = parser.parse_args()
    if args.rss_child:
        child_rss(args.emulator_url, args.rss_child)
        return

    from plaid_emulator.server import EmulatorServer

    srv = EmulatorServer(
        host="127.0.0.1", port=0, client_id="emulator-client-id", secret="emulator-secret", seed=1
    ).start()
    try:
        run_bench(srv.url, rules_only_run=args.rules_only)
    finally:
        srv.stop()


def rules_result(ruled: dict, plain_tps: float, baseline_tps: float) -> dict:
    ruled_tps = ruled["count"] / ruled["rules_s"]
    return {
        "rules": 50,
        "rules_plain_tps": round(plain_tps),
        "rules_write_tps": round(ruled_tps),
        "rules_overhead": round(ruled_tps / plain_tps, 3),
        "speedup_vs_baseline_with_rules": round(ruled_tps / baseline_tps, 2),
        "rows_changed_by_rules": ruled["ruled_rows"],
        "apply_existing_s": round(ruled["apply_existing_s"], 3),
        "apply_existing_matched": ruled["apply_existing_matched"],
        "apply_existing_peak_python_mb": round(ruled["apply_existing_peak_python_mb"], 1),
    }


def results_path(vendor: str) -> Path:
    name = "sync.json" if vendor == "postgresql" else f"sync-{vendor}.json"
    return ROOT / "bench" / "results" / name


def results_write(out: Path, result: dict) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    # Merge: keys another run or tool added to the file are kept, this run's keys replace theirs.
    previous = json.loads(out.read_text()) if out.exists() else {}
    for key in STALE_KEYS:
        previous.pop(key, None)
    out.write_text(json.dumps({**previous, **result}, indent=2) + "\n")


def baseline_measure(item, pages: list[list[dict]] | None = None) -> tuple[int, float]:
    """(rows, seconds) of the baseline over a sample of the item's own pages."""
    sample = baseline_sample(pages if pages is not None else prefetch(item))
    return sum(len(p) for p in sample), baseline(item, sample)


def baseline_keys(rows: int, seconds: float) -> dict:
    return {
        "baseline_rows": rows,
        "baseline_s": round(seconds, 3),
        "baseline_tps": round(rows / seconds),
        "baseline_note": (
            f"update_or_create over the first {rows:,} rows of the same pages, in this run: "
            "on a smaller table than ours writes, which favours the baseline, so every "
            "speedup_vs_baseline* is conservative"
        ),
    }


def rules_only(url: str, vendor: str) -> None:
    """Without and with rules and the baseline sample, all in this run; the other keys of the
    file are left as the last full run wrote them."""
    out = results_path(vendor)
    plain, ruled, reps = syncs_alternating(url)
    ruled = apply_existing_phase(ruled)
    rows, base_s = baseline_measure(plain["item"])
    result = rules_result(ruled, plain["count"] / plain["plain_s"], rows / base_s)
    result.update(reps)
    result.update(baseline_keys(rows, base_s))
    results_write(out, result)
    print(json.dumps(result, indent=2))
    print(f"wrote {out.relative_to(ROOT)}")


def rss_children(url: str) -> dict[int, dict]:
    """Peak RSS of a whole sync of a SMALL and of an N-row item, each in its own process.
    Run before this process grows: on Linux a child's ru_maxrss starts at its parent's RSS at
    the fork (the emulator's items live in this process), which would hide the children's own."""
    rss = {}
    for total in (SMALL, N):
        out = (
            subprocess.run(
                [sys.executable, __file__, "--rss-child", str(total), "--emulator-url", url],
                check=True,
                capture_output=True,
                text=True,
                env=os.environ,
            )
            .stdout.strip()
            .splitlines()[-1]
        )
        rss[total] = json.loads(out)
    return rss


def run_bench(url: str, rules_only_run: bool = False) -> None:
    setup_django(url)
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    vendor = connection.vendor
    rss = {} if rules_only_run else rss_children(url)
    print(f"database: {vendor}; building emulator items with {N:,} transactions…", flush=True)
    if rules_only_run:
        rules_only(url, vendor)
        return
    plain, ruled, reps = syncs_alternating(url)
    ruled = apply_existing_phase(ruled)
    item, run, count, total_s = plain["item"], plain["run"], plain["count"], plain["total_s"]
    fetch_s, write_s = run.fetch_ms / 1000, run.apply_ms / 1000
    plain_s = plain["plain_s"]

    pages = prefetch(item)
    rows = sum(len(p) for p in pages)
    base_rows, base_s = baseline_measure(item, pages)
    base_tps = base_rows / base_s
    copy_s = copy_floor(item, pages)
    rss_growth_mb = (rss[N]["peak_kb"] - rss[SMALL]["peak_kb"]) / 1024

    result = {
        "database": vendor,
        "transactions": count,
        "pages": run.pages,
        "fetch_s": round(fetch_s, 3),
        "write_s": round(write_s, 3),
        "end_to_end_s": round(total_s, 3),
        "ours_tps": round(count / write_s),
        "end_to_end_tps": round(count / total_s),
        **baseline_keys(base_rows, base_s),
        "speedup_vs_baseline": round((count / write_s) / base_tps, 2),
        "rss_small_transactions": SMALL,
        "rss_peak_small_mb": round(rss[SMALL]["peak_kb"] / 1024, 1),
        "rss_peak_big_mb": round(rss[N]["peak_kb"] / 1024, 1),
        "rss_growth_mb": round(rss_growth_mb, 1),
        "rate_limiter": "off (Plaid's 50/min per item would make 200 pages take >= 4 min)",
    }
    result.update(rules_result(ruled, count / plain_s, base_tps))
    result.update(reps)
    if copy_s is not None:
        result["copy_s"] = round(copy_s, 3)
        result["copy_tps"] = round(rows / copy_s)
        result["fraction_of_copy"] = round((count / write_s) / (rows / copy_s), 3)
    out = results_path(vendor)
    results_write(out, result)

    print(f"\n{'phase':<34}{'seconds':>10}{'rows/s':>12}")
    print(f"{'ours: fetch (emulator+parse+stage)':<34}{fetch_s:>10.2f}{count / fetch_s:>12,.0f}")
    print(f"{'ours: write (apply staged pages)':<34}{write_s:>10.2f}{count / write_s:>12,.0f}")
    print(f"{'ours: end to end':<34}{total_s:>10.2f}{count / total_s:>12,.0f}")
    label = f"baseline: update_or_create ({base_rows:,})"
    print(f"{label:<34}{base_s:>10.2f}{base_tps:>12,.0f}")
    if copy_s is not None:
        print(f"{'floor: COPY':<34}{copy_s:>10.2f}{rows / copy_s:>12,.0f}")
    print(
        f"\nspeedup_vs_baseline {result['speedup_vs_baseline']}  "
        f"fraction_of_copy {result.get('fraction_of_copy', 'n/a')}  "
        f"rss_growth_mb {result['rss_growth_mb']} ({SMALL:,} -> {N:,})"
    )
    print(
        f"rules_write_tps {result['rules_write_tps']}  rules_overhead {result['rules_overhead']}  "
        f"apply_existing_s {result['apply_existing_s']}"
    )
    print(f"wrote {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
