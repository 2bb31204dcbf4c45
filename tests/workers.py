"""Real Celery workers in another process, on the test database, for the tests about workers."""

import os
import subprocess
import sys
import uuid
from contextlib import ExitStack, contextmanager
from pathlib import Path

from django.conf import settings
from django.db import connection

from config.celery import app

ROOT = Path(__file__).resolve().parents[1]


def test_database_url() -> str:
    """The URL of the database this test run created, for a process that must see its rows."""
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{Path(db['NAME']).resolve()}"
    return (
        f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or 'localhost'}:"
        f"{db['PORT'] or 5432}/{db['NAME']}"
    )


def worker_env(**overrides: str) -> dict:
    """This process's settings for the worker: test database, Redis, cache namespace."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.test_settings",
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "DATABASE_URL": test_database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        # Same cache namespace as this process, so each sees the other's writes.
        "CACHE_KEY_PREFIX": settings.CACHES["default"]["KEY_PREFIX"],
        **overrides,
    }


@contextmanager
def celery_process(*args: str, env: dict, log_path: Path):
    """`celery -A config <args>`, stopped (and reaped) when the block ends."""
    with open(log_path, "w") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", *args],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            yield proc
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


@contextmanager
def worker_starter(*, emulator_url: str, log_dir: Path, prefix: str = "test", **env: str):
    """Point this process's tasks at a queue of its own (and "<queue>-bulk"), and yield
    `start(*celery_args, queues=...)`, which starts a worker on them (queues=None: no -Q, both
    queues, as `make run` does) and returns its process. Every worker stops when the block ends.
    """
    queue = f"{prefix}-{uuid.uuid4().hex[:8]}"
    old = app.conf.task_default_queue, app.conf.task_always_eager
    app.conf.task_default_queue, app.conf.task_always_eager = queue, False
    try:
        with ExitStack() as stack:

            def start(*extra: str, queues=(queue, f"{queue}-bulk")):
                args = ["worker", *(["-Q", ",".join(queues)] if queues else []), "--pool=solo"]
                return stack.enter_context(
                    celery_process(
                        *args,
                        "--without-gossip",
                        "--without-mingle",
                        "-l",
                        "info",
                        *extra,
                        env=worker_env(
                            CELERY_TASK_DEFAULT_QUEUE=queue, PLAID_EMULATOR_URL=emulator_url, **env
                        ),
                        log_path=log_dir / f"worker-{uuid.uuid4().hex[:6]}.log",
                    )
                )

            start.queue = queue
            yield start
    finally:
        app.conf.task_default_queue, app.conf.task_always_eager = old
        # The workers wrote through their own connections; ours may hold a stale snapshot.
        connection.close()
