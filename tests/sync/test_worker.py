"""A real Celery worker (and beat) in another process, against Redis and the test database."""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from banking import link, sync
from banking import plaid as plaid_api
from banking.models import PlaidItem, SyncRun

from .conftest import emu_call, emulator_truth, our_rows

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]
ROOT = Path(__file__).resolve().parents[2]


def database_url() -> str:
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{Path(db['NAME']).resolve()}"
    return (
        f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or 'localhost'}:"
        f"{db['PORT'] or 5432}/{db['NAME']}"
    )


@pytest.fixture
def worker_queue():
    """Tasks published by this test go to a queue only our worker consumes."""
    from config.celery import app

    queue = f"test-sync-{uuid.uuid4().hex[:8]}"
    old = app.conf.task_default_queue, app.conf.task_always_eager
    app.conf.task_default_queue, app.conf.task_always_eager = queue, False
    yield queue
    app.conf.task_default_queue, app.conf.task_always_eager = old


@pytest.fixture
def start_worker(worker_queue, plaid_settings, emulator, tmp_path):
    procs = []

    def start(*extra):
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.test_settings",
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "DATABASE_URL": database_url(),
            "REDIS_URL": settings.REDIS_URL,
            "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
            "CACHE_KEY_PREFIX": settings.CACHES["default"]["KEY_PREFIX"],
            "CELERY_TASK_DEFAULT_QUEUE": worker_queue,
            "PLAID_EMULATOR_URL": emulator.url,
            "REFRESH_ALL_WINDOW_SECONDS": "0",
            "SYNC_RETRY_BASE_SECONDS": "0.2",
        }
        log = open(tmp_path / f"worker-{len(procs)}.log", "w")  # noqa: SIM115
        cmd = [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "-Q",
            worker_queue,
            "--pool=solo",
            "--without-gossip",
            "--without-mingle",
            "-l",
            "info",
            *extra,
        ]
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        procs.append((proc, log))
        return proc

    yield start
    for proc, log in procs:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)
        log.close()
    connection.close()


def wait_for(predicate, timeout=60, what="condition", logs=None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    detail = "".join(p.read_text()[-3000:] for p in (logs or []))
    raise AssertionError(f"timed out waiting for {what}\n{detail}")


def test_a_real_worker_runs_the_first_sync_and_a_webhook_sync(
    alice, start_worker, emulator, tmp_path
):
    start_worker()
    public_token = plaid_api.sandbox_public_token_create("ins_109508")
    item = link.item_link(user=alice, public_token=public_token, metadata=None)  # enqueues
    logs = list(tmp_path.glob("worker-*.log"))

    wait_for(
        lambda: SyncRun.objects.filter(item=item, outcome="success").exists(),
        what="the initial sync",
        logs=logs,
    )
    assert our_rows(item) == emulator_truth(emulator, item.item_id)

    emu_call(emulator, "POST", f"/emulator/items/{item.item_id}/advance", {"days": 2})
    item.refresh_from_db()
    assert sync.sync_request(item=item, trigger="webhook") == "queued"
    wait_for(
        lambda: SyncRun.objects.filter(item=item, trigger="webhook", outcome="success").exists(),
        what="the webhook sync",
        logs=logs,
    )
    assert our_rows(item) == emulator_truth(emulator, item.item_id)


def test_beat_fires_refresh_all_items_in_a_real_worker(
    alice, start_worker, emulator, tmp_path, worker_queue
):
    from django_celery_beat.models import IntervalSchedule, PeriodicTask

    from config.celery import app

    # Linked and synced in this process first (eager), then new activity at the bank.
    app.conf.task_always_eager = True
    item = link.item_link(
        user=alice,
        public_token=plaid_api.sandbox_public_token_create("ins_109508"),
        metadata=None,
    )
    sync.item_sync(item=item, trigger="initial")
    app.conf.task_always_eager = False
    emu_call(emulator, "POST", f"/emulator/items/{item.item_id}/advance", {"days": 3})
    every_second, _ = IntervalSchedule.objects.get_or_create(every=1, period="seconds")
    PeriodicTask.objects.create(
        name="refresh soon", task="banking.tasks.refresh_all_items", interval=every_second
    )

    start_worker("-B", "-s", str(tmp_path / "beat-schedule"))
    logs = list(tmp_path.glob("worker-*.log"))

    wait_for(
        lambda: SyncRun.objects.filter(item=item, trigger="daily", outcome="success").exists(),
        what="a sync started by beat",
        logs=logs,
    )
    assert our_rows(item) == emulator_truth(emulator, item.item_id)
    assert PlaidItem.objects.get(pk=item.pk).status == "healthy"
