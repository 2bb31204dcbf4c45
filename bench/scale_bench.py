"""Benchmark: the daily refresh end to end, on PostgreSQL and Redis with two Celery nodes.

    scripts/with-postgres.sh .venv/bin/python bench/scale_bench.py     # make bench-scale

BENCH_SCALE_ITEMS emulator items (default 1,000; few transactions each) are created through the
emulator's bulk endpoint and stored as ours, all due. Two worker nodes run as the Procfile
says: `user` (-Q the default queue) and `bulk` (-Q the bulk queue). The emulator enforces Plaid's
per-item limits and a per-client budget; our limiter runs just under it. The coordinator runs
the dispatcher once a second (beat's every-minute pass, sped up) with DISPATCH_SYNCS_PER_MINUTE
as the pacing, and meanwhile clicks "Refresh now" on other items every couple of seconds,
timing click -> its sync starting. Counts come from our SyncRun and PlaidApiCall rows.
Then the memory part (memory_part) at BENCH_SCALE_RSS_SIZES (default 10,000 and 50,000 items:
the whole run stays under ~12 minutes on a loaded 2-core box; 100,000 adds ~5 minutes of
publishing countdown messages for the baseline). Writes bench/results/scale.json.
"""

from __future__ import annotations

import json
import os
import random
import statistics
import subprocess
import sys
import time
import urllib.request
import uuid
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.chdir(ROOT)
ITEMS = int(os.environ.get("BENCH_SCALE_ITEMS", 1000))
CLIENT_BUDGET = int(os.environ.get("BENCH_SCALE_CLIENT_PER_MINUTE", 3000))
DISPATCH_PER_MINUTE = int(os.environ.get("BENCH_SCALE_DISPATCH_PER_MINUTE", 1500))
BULK_CONCURRENCY = int(os.environ.get("BENCH_SCALE_BULK_CONCURRENCY", 4))
USER_CONCURRENCY = int(os.environ.get("BENCH_SCALE_USER_CONCURRENCY", 2))
TIMEOUT_S = int(os.environ.get("BENCH_SCALE_TIMEOUT", 12 * 60))
EMULATOR_PORT = int(os.environ.get("BENCH_SCALE_EMULATOR_PORT", 8799))
RSS_SIZES = [int(n) for n in os.environ.get("BENCH_SCALE_RSS_SIZES", "10000,50000").split(",")]
QUEUE = f"bench-scale-{uuid.uuid4().hex[:6]}"
EMULATOR = f"http://127.0.0.1:{EMULATOR_PORT}"

ENV = {
    "DJANGO_SETTINGS_MODULE": "config.test_settings",
    "CELERY_TASK_ALWAYS_EAGER": "false",
    "CELERY_TASK_DEFAULT_QUEUE": QUEUE,
    "PLAID_ENV": "emulator",
    "PLAID_EMULATOR_URL": EMULATOR,
    "PLAID_CLIENT_ID": "emulator-client-id",
    "PLAID_SECRET": "emulator-secret",
    # Ours a little under the emulator's, so the budget is proven by zero 429s, not assumed.
    "PLAID_CLIENT_RATE_LIMIT_PER_MINUTE": str(int(CLIENT_BUDGET * 0.9)),
    "DISPATCH_SYNCS_PER_MINUTE": str(DISPATCH_PER_MINUTE),
    "CACHE_KEY_PREFIX": QUEUE,
}
os.environ.update(ENV)

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.db.models.functions import TruncMinute  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import User  # noqa: E402
from banking import dispatch, sync  # noqa: E402
from banking.models import PlaidApiCall, PlaidItem, SyncRun  # noqa: E402

procs: list[subprocess.Popen] = []


def control(method: str, path: str, body: dict | None = None) -> dict:
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(
        EMULATOR + path, data=data, method=method, headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(req, timeout=600) as resp:
        return json.loads(resp.read() or b"{}")


def start(args: list[str], log: str) -> subprocess.Popen:
    out = open(ROOT / "var" / log, "w")  # noqa: SIM115 - the child process writes it
    proc = subprocess.Popen(
        args, cwd=ROOT, env={**os.environ}, stdout=out, stderr=subprocess.STDOUT
    )
    procs.append(proc)
    return proc


def wait_until(predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.5)
    raise SystemExit(f"timed out waiting for {what}")


def emulator_up() -> bool:
    try:
        control("GET", "/emulator/faults")
        return True
    except OSError:
        return False


def worker(name: str, queue: str, concurrency: int) -> subprocess.Popen:
    celery = [sys.executable, "-m", "celery", "-A", "config", "worker", "-Q", queue]
    return start(
        [*celery, "-n", f"{name}@%h", f"--concurrency={concurrency}", "-l", "warning"],
        f"bench-scale-{name}.log",
    )


def rss_mb(pid: int) -> float:
    """Resident memory of a process and its children (Celery's pool), from /proc."""
    total = 0
    for p in [pid, *children(pid)]:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return round(total / 1024, 1)


def children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(c) for c in text.split()]


def redis_client():
    from config.celery import app

    return app.connection_for_write().default_channel.client


def worker_rss_after_draining(queue: str) -> float:
    """Start a bulk-shaped node on `queue`, wait until it has taken every message it will take
    (the list is empty), settle, and read its RSS."""
    client = redis_client()
    proc = worker(f"rss-{uuid.uuid4().hex[:4]}", queue, 1)
    deadline = time.monotonic() + 300
    while client.llen(queue) and time.monotonic() < deadline:
        time.sleep(0.5)
    time.sleep(5)
    rss = rss_mb(proc.pid)
    proc.terminate()
    proc.wait(timeout=60)
    procs.remove(proc)
    client.delete(queue, "unacked", "unacked_index")
    return rss


def memory_part(user: User) -> dict:
    """Syncs stubbed at the task boundary: the items' rows are gone when the tasks run, so each
    task loads nothing and returns "gone"; only dispatching, queueing and holding messages are
    measured. Ours: one dispatcher pass over N due rows (what the broker and a worker ever
    hold). Baseline: the old fan-out, one countdown task per item over a 2-hour window."""
    from banking import task_names

    sync_task = task_names.task(task_names.SYNC_ITEM)
    out: dict = {}
    small, big = RSS_SIZES
    for n in (small, big):
        PlaidItem.objects.filter(user=user).delete()
        fakes = (
            PlaidItem(user=user, item_id=f"rss-{n}-{i}", access_token="access-sandbox-rss")
            for i in range(n)
        )
        PlaidItem.objects.bulk_create(fakes, batch_size=5000)
        t = time.monotonic()
        asked = dispatch.items_dispatch_due(now=timezone.now() + timedelta(minutes=n))
        pass_s = time.monotonic() - t
        pks = list(PlaidItem.objects.filter(user=user).values_list("pk", flat=True))
        PlaidItem.objects.filter(user=user).delete()
        ours = worker_rss_after_draining(f"{QUEUE}-bulk")
        window = 2 * 3600
        t = time.monotonic()
        for i, pk in enumerate(pks):
            sync_task.apply_async(
                (pk, "daily"), countdown=int(i * window / n), queue=f"{QUEUE}-old"
            )
        fanout_s = time.monotonic() - t
        baseline = worker_rss_after_draining(f"{QUEUE}-old")
        out[n] = {
            "dispatch_pass_items": asked,
            "dispatch_pass_s": round(pass_s, 2),
            "worker_rss_mb": ours,
            "baseline_enqueue_s": round(fanout_s, 1),
            "baseline_worker_rss_mb": baseline,
        }
        print(n, out[n], flush=True)
    growth = out[big]["worker_rss_mb"] - out[small]["worker_rss_mb"]
    base_growth = out[big]["baseline_worker_rss_mb"] - out[small]["baseline_worker_rss_mb"]
    return {
        f"at_{small}": out[small],
        f"at_{big}": out[big],
        "rss_growth_mb": round(growth, 1),
        "baseline_rss_growth_mb": round(base_growth, 1),
        # Growth within noise (or negative) is reported as 1 MB so the ratio stays finite.
        "rss_ratio": round(base_growth / max(growth, 1.0), 1),
    }


def main() -> None:
    call_command("migrate", verbosity=0)
    (ROOT / "var").mkdir(exist_ok=True)
    start(
        [sys.executable, "-m", "plaid_emulator", "--port", str(EMULATOR_PORT)],
        "bench-scale-emu.log",
    )
    wait_until(emulator_up, 60, "the emulator")
    control("POST", "/emulator/rate_limits", {"enforce": True, "client_per_minute": CLIENT_BUDGET})
    t = time.monotonic()
    made = control("POST", "/emulator/items/bulk", {"count": ITEMS, "days_requested": 1})["items"]
    create_s = time.monotonic() - t
    user, _ = User.objects.get_or_create(email="bench-scale@example.com")
    PlaidItem.objects.filter(user=user).delete()
    PlaidItem.objects.bulk_create(
        [PlaidItem(user=user, item_id=i["item_id"], access_token=i["access_token"]) for i in made],
        batch_size=1000,
    )
    pks = list(PlaidItem.objects.filter(user=user).values_list("pk", flat=True))
    clickable = random.Random(1).sample(pks, min(40, len(pks) // 10))
    # Clicked items are not part of the daily count (their click may sync them first).
    PlaidItem.objects.filter(pk__in=clickable).update(
        next_refresh_at=timezone.now() + timedelta(days=1)
    )
    daily = set(pks) - set(clickable)

    nodes = [
        worker("user", QUEUE, USER_CONCURRENCY),
        worker("bulk", f"{QUEUE}-bulk", BULK_CONCURRENCY),
    ]
    time.sleep(8)  # both nodes up

    started = timezone.now()
    t0 = time.monotonic()
    clicks: list[float] = []
    pending: dict[int, float] = {}
    next_click = t0 + 5
    done = 0
    while time.monotonic() - t0 < TIMEOUT_S:
        dispatch.items_dispatch_due()
        now = time.monotonic()
        if clickable and now >= next_click:
            pk = clickable.pop()
            item = PlaidItem.objects.get(pk=pk)
            if sync.item_refresh_request(item=item, throttle_seconds=300):
                pending[pk] = time.time()
            next_click = now + 2
        for pk, clicked_at in list(pending.items()):
            run = SyncRun.objects.filter(item_id=pk, trigger="manual").first()
            if run is not None:
                clicks.append((run.started_at.timestamp() - clicked_at) * 1000)
                del pending[pk]
        done = (
            SyncRun.objects.filter(item_id__in=daily, trigger="daily", outcome="success")
            .values("item_id")
            .distinct()
            .count()
        )
        if done >= len(daily) and not pending:
            break
        time.sleep(1)
    last = (
        SyncRun.objects.filter(trigger="daily")
        .order_by("-finished_at")
        .values_list("finished_at", flat=True)
        .first()
    )
    elapsed = (last - started).total_seconds() if last else float("nan")

    per_item = dict(
        SyncRun.objects.filter(item_id__in=daily, trigger="daily", outcome="success")
        .values_list("item_id")
        .annotate(n=Count("id"))
    )
    calls = PlaidApiCall.objects.filter(item_id__in=daily, created_at__gte=started)
    per_minute = (
        calls.annotate(minute=TruncMinute("created_at"))
        .values("item_id", "minute")
        .annotate(n=Count("id"))
        .order_by("-n")
        .values_list("n", flat=True)
        .first()
    )
    result = {
        "items": len(daily),
        "synced_once": sum(1 for n in per_item.values() if n == 1),
        "synced_twice": sum(1 for n in per_item.values() if n > 1),
        "lost": len(daily) - len(per_item),
        "elapsed_s": round(elapsed, 1),
        "items_per_s": round(len(daily) / elapsed, 1) if last else None,
        "plaid_calls_per_item": round(calls.count() / len(daily), 2),
        "max_calls_per_min_per_item": per_minute or 0,
        "rate_limited_calls": calls.filter(status_code=429).count(),
        "user_clicks": len(clicks),
        "user_click_p50_ms": round(statistics.median(clicks)) if clicks else None,
        "user_click_p95_ms": round(statistics.quantiles(clicks, n=20)[-1])
        if len(clicks) > 2
        else None,
        "emulator_bulk_create_s": round(create_s, 1),
        "setup": {
            "database": "postgresql",
            "workers": {"user": USER_CONCURRENCY, "bulk": BULK_CONCURRENCY, "pool": "prefork"},
            "emulator_client_per_minute": CLIENT_BUDGET,
            "our_client_per_minute": int(CLIENT_BUDGET * 0.9),
            "dispatch_syncs_per_minute": DISPATCH_PER_MINUTE,
        },
    }
    for node in nodes:
        node.terminate()
        node.wait(timeout=60)
        procs.remove(node)
    if os.environ.get("BENCH_SCALE_MEMORY", "1") == "1":
        result["memory"] = memory_part(user)
    out = ROOT / "bench" / "results" / "scale.json"
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    try:
        main()
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
