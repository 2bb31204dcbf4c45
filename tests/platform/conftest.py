import os
import time
from pathlib import Path

import pytest

from tests.workers import celery_process, worker_env

BASE_DIR = Path(__file__).resolve().parents[2]
# A Redis database of our own: other suites' workers and flushes never see our tasks.
# Database 5 of whatever Redis the run uses (CI starts its own on another port).
WORKER_BROKER_URL = os.environ.get(
    "TEST_WORKER_BROKER_URL",
    os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0").rsplit("/", 1)[0] + "/5",
)
# A port nothing listens on: "Redis is down".
DEAD_REDIS_URL = "redis://127.0.0.1:1/0"


def _ping(timeout=1.0):
    # Control commands publish through the app's own producer pool, so ping with an app bound
    # to the worker's broker rather than the unit-test app.
    from celery import Celery

    probe = Celery("pytest-probe", broker=WORKER_BROKER_URL, set_as_current=False)
    try:
        return probe.control.ping(timeout=timeout)
    finally:
        probe.close()


@pytest.fixture
def celery_worker_process(transactional_db, settings):
    """A real `celery -A config worker` against Redis, on the test database and cache."""
    import redis

    redis.Redis.from_url(WORKER_BROKER_URL).flushdb()
    # Cache and broker both in our database, for this process and the worker alike.
    settings.REDIS_URL = settings.CELERY_BROKER_URL = WORKER_BROKER_URL
    settings.CACHES = {"default": {**settings.CACHES["default"], "LOCATION": WORKER_BROKER_URL}}
    env = worker_env(CELERY_BROKER_URL=WORKER_BROKER_URL, REDIS_URL=WORKER_BROKER_URL)
    args = ["worker", "--pool", "solo", "--include", "tests.platform.worker_tasks"]
    args += ["--hostname", f"pytest-{os.getpid()}@%h", "--without-gossip", "--without-mingle"]
    log_path = BASE_DIR / "var" / "test-worker.log"
    with celery_process(*args, "--loglevel", "INFO", env=env, log_path=log_path) as proc:
        deadline = time.monotonic() + 40
        while not _ping():
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail("the Celery worker did not start; see var/test-worker.log")
        yield proc


@pytest.fixture
def publish_to_worker():
    """Send a task over the worker's broker (the unit-test app runs tasks eagerly)."""
    from config.celery import app

    eager = app.conf.task_always_eager
    app.conf.task_always_eager = False

    def publish(task, *args):
        with app.connection_for_write(WORKER_BROKER_URL) as conn:
            task.apply_async(args=args, connection=conn)

    yield publish
    app.conf.task_always_eager = eager
