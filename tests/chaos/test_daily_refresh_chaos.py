"""Chaos: the daily refresh of a few hundred items survives a worker killed with -9, a Redis
restart that loses every queued message, and a PostgreSQL restart that cuts every connection,
each once while it runs; afterwards every item synced exactly once, none is left running and no
transaction is stored twice.

Everything runs on a PostgreSQL cluster and a Redis server this test starts (never the shared
ones), with the Procfile's two worker nodes (user and bulk queues) and a coordinator process in
the role of beat (tests/chaos/driver.py). Short leases and retry delays come from settings.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
import uuid
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path

import pytest
import redis as redis_lib

from tests.emulator_client import emulator_call
from tests.workers import celery_process, worker_env

from .services import Postgres, Redis, kill_tree, postgres_bin

ROOT = Path(__file__).resolve().parents[2]
ITEMS = 300
pytestmark = [pytest.mark.worker, pytest.mark.slow, pytest.mark.timeout(420)]


@pytest.fixture
def throwaway():
    """A PostgreSQL cluster and a Redis server of this test's own."""
    bindir, redis_server = postgres_bin(), shutil.which("redis-server")
    if bindir is None or redis_server is None:
        pytest.skip("the chaos test needs PostgreSQL's server binaries and redis-server")
    pg, redis = Postgres(bindir), Redis(redis_server)
    try:
        pg.start()
        pg.create_database()
        redis.start()
        yield pg, redis
    finally:
        redis.stop()
        pg.remove()


def window_an_hour_ahead() -> dict[str, str]:
    # Every item's next daily slot an hour or more away, so within the test a second daily
    # sync can only come from a recovery path, never from the schedule.
    now = datetime.now(UTC)
    start = (now.hour * 3600 + now.minute * 60 + 3600) % 86400
    return {"DAILY_WINDOW_START_SECONDS": str(start), "DAILY_WINDOW_SECONDS": "3600"}


def test_the_daily_refresh_survives_a_killed_worker_and_redis_and_postgresql_restarts(
    throwaway, emulator, tmp_path
):
    pg, redis = throwaway
    queue = f"chaos-{uuid.uuid4().hex[:6]}"
    env = worker_env(
        DATABASE_URL=pg.url,
        REDIS_URL=redis.url,
        CELERY_BROKER_URL=redis.url,
        CELERY_TASK_DEFAULT_QUEUE=queue,
        PLAID_EMULATOR_URL=emulator.url,
        PLAID_CLIENT_ID=emulator.client_id,
        PLAID_SECRET=emulator.secret,
        DISPATCH_SYNCS_PER_MINUTE="300",
        DISPATCH_LEASE_SECONDS="15",
        SYNC_RETRY_BASE_SECONDS="0.5",
        SYNC_RETRY_MAX_SECONDS="3",
        CHAOS_STUCK_SECONDS="20",
        **window_an_hour_ahead(),
    )
    driver = [sys.executable, "-m", "tests.chaos.driver"]
    subprocess.run([*driver, "setup", emulator.url, str(ITEMS)], cwd=ROOT, env=env, check=True)
    progress, stop = tmp_path / "progress.json", tmp_path / "stop"
    logs = tmp_path / "logs"
    logs.mkdir()

    stack = ExitStack()
    nodes: dict[str, tuple[str, int, subprocess.Popen]] = {}
    restarts: list[str] = []

    def node(name: str, queues: str, concurrency: int) -> None:
        args = ["worker", "-Q", queues, "-n", f"{name}-{uuid.uuid4().hex[:4]}@%h"]
        nodes[name] = (
            queues,
            concurrency,
            stack.enter_context(
                celery_process(
                    *args,
                    f"--concurrency={concurrency}",
                    "--without-gossip",
                    "--without-mingle",
                    "-l",
                    "info",
                    env=env,
                    log_path=logs / f"{name}-{uuid.uuid4().hex[:4]}.log",
                )
            ),
        )

    def supervise() -> None:
        # What the process manager does in production (systemd Restart=always, the platform's
        # dyno restart): a node that exited is started again. A node can exit by itself when
        # the broker restarts (kombu's "Unrecoverable error" restoring unacked messages).
        for name, (queues, concurrency, proc) in list(nodes.items()):
            if proc.poll() is not None:
                restarts.append(name)
                node(name, queues, concurrency)

    def done() -> int:
        try:
            return json.loads(progress.read_text())["done"]
        except (OSError, ValueError):
            return 0

    def wait_for(predicate, timeout: float, what: str) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            supervise()
            if predicate():
                print(f"{time.monotonic() - t0:.0f}s: {what}, done={done()}")
                return
            time.sleep(0.25)
        tails = "".join(f"\n--- {p.name}\n{p.read_text()[-2000:]}" for p in logs.iterdir())
        raise AssertionError(f"timed out waiting for {what} (done={done()}){tails}")

    t0 = time.monotonic()
    with stack:
        node("user", queue, 1)
        node("bulk", f"{queue}-bulk", 2)
        with open(logs / "driver.log", "w") as log:
            coordinator = subprocess.Popen(
                [*driver, "run", str(progress), str(stop)],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        stack.callback(coordinator.kill)

        wait_for(lambda: done() >= ITEMS // 6, 150, "the first syncs")
        kill_tree(nodes["bulk"][2].pid)
        wait_for(lambda: done() >= ITEMS // 3, 60, "syncs after the worker was killed")
        redis.restart()
        wait_for(lambda: done() >= ITEMS // 2, 60, "syncs after Redis restarted")
        pg.restart()
        wait_for(lambda: done() >= ITEMS, 300, "every item synced")
        stop.touch()
        coordinator.wait(timeout=60)
        # Whatever is still queued (requests re-dispatched while the first was queued) runs
        # before we count; the nodes then stop warmly, finishing the syncs in hand.
        broker = redis_lib.Redis.from_url(redis.url)
        wait_for(lambda: not broker.llen(queue) + broker.llen(f"{queue}-bulk"), 60, "the queues")

    answer = subprocess.run(
        [*driver, "report"], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    )
    result = json.loads(answer.stdout.splitlines()[-1])  # after any log lines
    print(f"node restarts: {restarts}; runs: {result['runs_by_outcome']}")
    truth = {
        i["item_id"]: i["transactions"]
        for i in emulator_call(emulator, "GET", "/emulator/items")["items"]
    }
    assert set(result["items"]) == set(truth)
    assert result["running"] == 0
    twice = {k: n for k, n in result["daily_successes"].items() if n != 1}
    missing = set(result["items"]) - set(result["daily_successes"])
    assert (twice, missing) == ({}, set()), result["runs_by_outcome"]
    stored = result["transactions"]
    assert {k: stored.get(k, [0, 0]) for k in truth} == {k: [n, n] for k, n in truth.items()}
