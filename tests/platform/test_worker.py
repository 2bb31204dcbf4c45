"""A real Celery worker against Redis: tasks run there, /health/ sees it and beat's heartbeat."""

import os
import time

import pytest

from config.celery import BEAT_HEARTBEAT_CACHE_KEY, WORKER_HEARTBEAT_CACHE_KEY, beat_heartbeat

from .worker_tasks import record_worker_pid

pytestmark = [pytest.mark.worker, pytest.mark.slow]


def _wait_for(predicate, seconds=20):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def test_a_task_runs_in_the_worker_process(celery_worker_process, publish_to_worker, alice):
    from accounts.models import User

    publish_to_worker(record_worker_pid, "alice@example.com")

    def ran():
        return User.objects.get(pk=alice.pk).name.startswith("worker:")

    assert _wait_for(ran), "the worker did not run the task within 20 s"
    worker_pid = int(User.objects.get(pk=alice.pk).name.split(":")[1])
    assert worker_pid == celery_worker_process.pid
    assert worker_pid != os.getpid()


def test_health_is_all_ok_with_a_worker_and_a_fresh_beat_heartbeat(
    celery_worker_process, publish_to_worker, client, settings
):
    settings.HEALTH_TOKEN = "t0ken"
    from django.core.cache import cache

    # What beat does every minute: publishing the task records the heartbeat (in the
    # publishing process), then the worker runs it.
    publish_to_worker(beat_heartbeat)
    assert cache.get(BEAT_HEARTBEAT_CACHE_KEY) is not None
    assert _wait_for(lambda: cache.get(WORKER_HEARTBEAT_CACHE_KEY) is not None)

    started = time.monotonic()
    response = client.get("/health/?format=json", HTTP_AUTHORIZATION="Bearer t0ken")
    elapsed = time.monotonic() - started
    body = response.json()
    assert response.status_code == 200, body
    assert body["status"] == "ok"
    assert {name: part["ok"] for name, part in body["checks"].items()} == {
        "database": True,
        "redis": True,
        "celery_worker": True,
        "celery_beat": True,
    }
    assert elapsed < 3


def test_health_names_the_worker_down_after_it_stops(
    celery_worker_process, publish_to_worker, client, settings
):
    settings.HEALTH_TOKEN = "t0ken"
    publish_to_worker(beat_heartbeat)
    celery_worker_process.terminate()
    celery_worker_process.wait(timeout=15)

    body = client.get("/health/?format=json", HTTP_AUTHORIZATION="Bearer t0ken").json()
    assert body["checks"]["celery_worker"]["ok"] is False
    # Beat's heartbeat is written by beat, so a dead worker does not make beat look dead.
    assert body["checks"]["celery_beat"]["ok"] is True
