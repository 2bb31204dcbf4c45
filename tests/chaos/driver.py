"""The coordinator of the chaos test, in its own process on the test's throwaway PostgreSQL and
Redis (the test process keeps its own database): what beat and an operator would do.

    python -m tests.chaos.driver setup EMULATOR_URL COUNT
    python -m tests.chaos.driver run PROGRESS_JSON STOP_FILE
    python -m tests.chaos.driver report     # JSON on stdout, once every process has stopped

`run` is beat sped up: a dispatcher pass every half second and the stuck-run cleanup every two
(with CHAOS_STUCK_SECONDS for "no heartbeat for this long"), surviving its own database and
broker going away, until STOP_FILE exists. `report` says what every item ended with.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import sys
import time
import urllib.request
from pathlib import Path

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.test_settings")
django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402

from accounts.models import User  # noqa: E402
from banking import dispatch, sync  # noqa: E402
from banking.models import PlaidItem, SyncRun, Transaction  # noqa: E402

logger = logging.getLogger("chaos")
STUCK_SECONDS = int(os.environ.get("CHAOS_STUCK_SECONDS", "20"))


def setup(emulator_url: str, count: int) -> None:
    call_command("migrate", verbosity=0)
    body = json.dumps({"count": count, "days_requested": 3}).encode()
    request = urllib.request.Request(
        f"{emulator_url}/emulator/items/bulk",
        data=body,
        method="POST",
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=120) as response:
        made = json.loads(response.read())["items"]
    user = User.objects.create_user(email="chaos@example.com", password="chaos-pass-123")
    PlaidItem.objects.bulk_create(
        PlaidItem(user=user, item_id=i["item_id"], access_token=i["access_token"]) for i in made
    )


def write_json(path: Path, data: dict) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data))
    tmp.replace(path)


def progress() -> dict:
    succeeded = SyncRun.objects.filter(trigger="daily", outcome="success")
    return {
        "done": succeeded.values("item_id").distinct().count(),
        "running": SyncRun.objects.filter(outcome="running").count(),
    }


def run(progress_path: Path, stop_path: Path) -> None:
    last_cleanup = 0.0
    while not stop_path.exists():
        try:
            dispatch.items_dispatch_due()
            if time.monotonic() - last_cleanup > 2:
                sync.sync_runs_reclaim_stuck(older_than_seconds=STUCK_SECONDS)
                last_cleanup = time.monotonic()
            write_json(progress_path, {**progress(), "at": time.time()})
        except Exception as exc:  # noqa: BLE001 - the database or broker is down: as beat, wait
            logger.warning("pass failed: %r", exc)
            # A dead connection may fail to close; the next pass opens a new one.
            with contextlib.suppress(Exception):
                connection.close()
        time.sleep(0.5)


def report() -> dict:
    daily = dict(
        SyncRun.objects.filter(trigger="daily", outcome="success")
        .values_list("item__item_id")
        .annotate(n=Count("id"))
    )
    rows = Transaction.objects.values("account__item__item_id").annotate(
        n=Count("id"), distinct=Count("transaction_id", distinct=True)
    )
    return {
        "items": list(PlaidItem.objects.values_list("item_id", flat=True)),
        "daily_successes": daily,
        "running": SyncRun.objects.filter(outcome="running").count(),
        "runs_by_outcome": dict(
            SyncRun.objects.values_list("outcome").annotate(n=Count("id")).order_by()
        ),
        "stuck_reclaimed": SyncRun.objects.filter(error_code="STUCK").count(),
        "transactions": {r["account__item__item_id"]: [r["n"], r["distinct"]] for r in rows},
    }


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    command, *args = sys.argv[1:]
    if command == "setup":
        setup(args[0], int(args[1]))
    elif command == "run":
        run(*(Path(a) for a in args))
    else:
        print(json.dumps(report()))
