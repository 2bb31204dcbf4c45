"""/health/ without a worker, and every page with Redis gone."""

import time

import pytest
from celery import Celery

from config.celery import BEAT_HEARTBEAT_CACHE_KEY
from config.tasks_util import enqueue_on_commit

from .conftest import DEAD_REDIS_URL

pytestmark = pytest.mark.django_db
HEALTH_TOKEN = "a-health-token-for-tests-only"
DETAILS = {"HTTP_AUTHORIZATION": f"Bearer {HEALTH_TOKEN}"}


@pytest.fixture(autouse=True)
def health_token(settings):
    settings.HEALTH_TOKEN = HEALTH_TOKEN


@pytest.fixture
def redis_down(settings):
    settings.REDIS_URL = settings.CELERY_BROKER_URL = DEAD_REDIS_URL
    settings.CACHES = {"default": {**settings.CACHES["default"], "LOCATION": DEAD_REDIS_URL}}
    return settings


def _timed_get(client, url, **extra):
    started = time.monotonic()
    response = client.get(url, **extra)
    return response, time.monotonic() - started


def test_it_answers_json_by_query_and_by_accept_header(client):
    by_query = client.get("/health/?format=json", **DETAILS)
    by_header = client.get("/health/", HTTP_ACCEPT="application/json", **DETAILS)
    for response in (by_query, by_header):
        assert response["Content-Type"] == "application/json"
        assert set(response.json()["checks"]) == {
            "database",
            "redis",
            "celery_worker",
            "celery_beat",
        }


def test_it_is_503_and_names_the_parts_down_without_a_worker_or_beat(client):
    response, elapsed = _timed_get(client, "/health/?format=json", **DETAILS)
    body = response.json()
    assert response.status_code == 503
    assert body["status"] == "down"
    assert body["checks"]["database"] == {"ok": True, "detail": "OK"}
    assert body["checks"]["redis"] == {"ok": True, "detail": "OK"}
    assert body["checks"]["celery_beat"]["ok"] is False
    assert "No heartbeat from Celery beat" in body["checks"]["celery_beat"]["detail"]
    assert elapsed < 3


def test_it_calls_a_stale_beat_heartbeat_down(client):
    from django.core.cache import cache

    cache.set(BEAT_HEARTBEAT_CACHE_KEY, time.time() - 600)
    body = client.get("/health/?format=json", **DETAILS).json()
    assert body["checks"]["celery_beat"]["ok"] is False
    assert "last heartbeat was 600 seconds ago" in body["checks"]["celery_beat"]["detail"]

    cache.set(BEAT_HEARTBEAT_CACHE_KEY, time.time() - 5)
    body = client.get("/health/?format=json", **DETAILS).json()
    assert body["checks"]["celery_beat"] == {"ok": True, "detail": "OK"}


def test_publishing_the_heartbeat_task_records_beats_heartbeat():
    # Beat's side of the heartbeat (the worker test covers it over a real broker).
    from celery.signals import before_task_publish
    from django.core.cache import cache

    before_task_publish.send(sender="banking.tasks.sync_item", body=None)
    assert cache.get(BEAT_HEARTBEAT_CACHE_KEY) is None
    before_task_publish.send(sender="config.beat_heartbeat", body=None)
    assert time.time() - cache.get(BEAT_HEARTBEAT_CACHE_KEY) < 5


def test_with_redis_down_health_names_redis_quickly(client, redis_down):
    response, elapsed = _timed_get(client, "/health/?format=json", **DETAILS)
    body = response.json()
    assert response.status_code == 503
    assert body["checks"]["redis"]["ok"] is False
    assert "Unable to connect to Redis" in body["checks"]["redis"]["detail"]
    assert body["checks"]["celery_worker"]["ok"] is False
    assert body["checks"]["database"]["ok"] is True
    assert elapsed < 4


@pytest.mark.parametrize("url", ["/accounts/login/", "/accounts/signup/", "/accounts/profile/"])
def test_with_redis_down_pages_still_render_quickly(alice, client, redis_down, url):
    if url == "/accounts/profile/":
        client.force_login(alice)
    response, elapsed = _timed_get(client, url)
    assert response.status_code == 200
    assert elapsed < 4


def test_with_redis_down_login_still_works(alice, client, redis_down):
    started = time.monotonic()
    response = client.post(
        "/accounts/login/", {"login": "alice@example.com", "password": "alice-pass-123"}
    )
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(alice.pk)
    assert time.monotonic() - started < 4


@pytest.fixture
def dead_broker_task(settings):
    # An app configured like ours (settings' broker options), pointed at a closed port.
    app = Celery("dead-broker", broker=DEAD_REDIS_URL, set_as_current=False)
    app.conf.broker_connection_timeout = settings.CELERY_BROKER_CONNECTION_TIMEOUT
    app.conf.broker_transport_options = settings.CELERY_BROKER_TRANSPORT_OPTIONS

    @app.task(name="tests.platform.noop")
    def noop():
        return None

    yield noop
    app.close()


@pytest.mark.django_db(transaction=True)
def test_enqueue_outside_a_transaction_reports_a_dead_broker_fast(dead_broker_task, caplog):
    started = time.monotonic()
    assert enqueue_on_commit(dead_broker_task) is False
    assert time.monotonic() - started < 1.5
    assert "could not enqueue task" in caplog.text


def test_enqueue_inside_a_transaction_probes_the_broker_before_registering(
    dead_broker_task, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        assert enqueue_on_commit(dead_broker_task) is False
    assert callbacks == []


def test_enqueue_runs_the_task_after_commit(django_capture_on_commit_callbacks):
    from django.core.cache import cache

    from config.celery import WORKER_HEARTBEAT_CACHE_KEY, beat_heartbeat

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert enqueue_on_commit(beat_heartbeat) is True
    assert cache.get(WORKER_HEARTBEAT_CACHE_KEY) is None  # nothing before commit
    callbacks[0]()
    assert cache.get(WORKER_HEARTBEAT_CACHE_KEY) is not None
