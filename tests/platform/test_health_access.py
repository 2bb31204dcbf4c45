"""/health/ for the public (a load balancer): a bare status, fast, without details."""

import time

import pytest

from .conftest import DEAD_REDIS_URL

pytestmark = pytest.mark.django_db
TOKEN = "a-health-token-for-tests-only"


@pytest.fixture(autouse=True)
def health_token(settings):
    settings.HEALTH_TOKEN = TOKEN


@pytest.mark.parametrize("query", ["", "?format=json", "?format=text", "?format=openmetrics"])
def test_the_public_gets_a_bare_status_fast_and_no_details(client, query):
    started = time.monotonic()
    response = client.get(f"/health/{query}", HTTP_ACCEPT="application/json")
    elapsed = time.monotonic() - started
    # No worker runs here: a detailed check would wait about a second for its ping and say 503.
    assert response.status_code == 200
    assert response.content == b"ok"
    assert response["Content-Type"] == "text/plain"
    assert "no-cache" in response["Cache-Control"]
    assert elapsed < 0.5


def test_the_public_gets_503_without_the_error_text_when_redis_is_down(client, settings):
    settings.REDIS_URL = settings.CELERY_BROKER_URL = DEAD_REDIS_URL
    response = client.get("/health/?format=json")
    assert response.status_code == 503
    assert response.content == b"down"


@pytest.mark.parametrize("header", ["Bearer wrong", f"Bearer {TOKEN}x", TOKEN, ""])
def test_a_wrong_token_gets_no_details(client, header):
    response = client.get("/health/?format=json", HTTP_AUTHORIZATION=header)
    assert response.content == b"ok"


def test_an_empty_health_token_setting_opens_nothing(client, settings):
    settings.HEALTH_TOKEN = ""
    assert client.get("/health/?format=json", HTTP_AUTHORIZATION="Bearer ").content == b"ok"


def test_the_token_gets_every_check(client):
    response = client.get("/health/?format=json", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert set(response.json()["checks"]) == {"database", "redis", "celery_worker", "celery_beat"}


def test_signed_in_staff_get_every_check_and_other_users_do_not(client, alice, django_user_model):
    client.force_login(alice)
    assert client.get("/health/?format=json").content == b"ok"
    staff = django_user_model.objects.create_user(
        email="ops@example.com", password="ops-pass-12345", is_staff=True
    )
    client.force_login(staff)
    assert "celery_worker" in client.get("/health/?format=json").json()["checks"]
