"""/health/: database, Redis (cache and broker), a Celery worker ping and beat's heartbeat.

Who sees what: anyone (a load balancer) gets a bare "ok"/"down" and 200/503 from the two fast
checks, database and Redis, and never an error text. Staff signed in, or a caller sending
`Authorization: Bearer <HEALTH_TOKEN>`, get every check, the worker ping included (up to about a
second when no worker answers), in the formats below.

Built on django-health-check's view and checks. Each check is built per request from the
current settings (so a changed REDIS_URL is honoured) and every probe has a short timeout: a
load balancer polling this must get an answer in a couple of seconds even when Redis is gone.

JSON (``?format=json`` or ``Accept: application/json``) names each part:
    {"status": "ok"|"down", "checks": {"database": {"ok": true, "detail": "OK"}, ...}}
and the status is 503 when any part is down. HTML and text come from the library unchanged.
"""

import dataclasses
import datetime
import hmac
import time

from celery import Celery
from celery.app import app_or_default
from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse, JsonResponse
from health_check.base import HealthCheck
from health_check.checks import Database
from health_check.contrib.celery import Ping
from health_check.contrib.redis import Redis
from health_check.exceptions import ServiceUnavailable
from health_check.views import HealthCheckView
from redis.asyncio import Redis as AsyncRedis

from .celery import BEAT_HEARTBEAT_CACHE_KEY

PROBE_TIMEOUT = datetime.timedelta(seconds=1)


def _redis_factory(url: str):
    def factory():
        return AsyncRedis.from_url(
            url,
            socket_connect_timeout=PROBE_TIMEOUT.total_seconds(),
            socket_timeout=PROBE_TIMEOUT.total_seconds(),
            retry_on_timeout=False,
        )

    return factory


@dataclasses.dataclass
class WorkerPing(Ping):
    """The library's ping, through a short-lived Celery app bound to the broker URL in settings.

    Control commands publish through the app's pooled producer, which keeps retrying a dead
    broker (and ignores a broker URL changed after start-up); a fresh app with one-shot
    connections fails within the probe timeout instead.
    """

    broker_url: str = dataclasses.field(default="", repr=False)

    def run(self):
        conf = self.app.conf
        probe = Celery(
            "health-probe",
            broker=self.broker_url or conf.broker_url,
            set_as_current=False,
            config_source={
                "broker_connection_timeout": self.timeout.total_seconds(),
                "broker_connection_retry": False,
                "broker_transport_options": conf.broker_transport_options,
                "broker_pool_limit": None,
            },
        )
        try:
            with probe.connection_for_write() as conn:
                conn.ensure_connection(max_retries=0)
                replies = probe.control.ping(
                    timeout=self.timeout.total_seconds(), limit=self.limit, connection=conn
                )
        except Exception as exc:
            # kombu wraps socket errors in several types; all mean "broker unreachable".
            raise ServiceUnavailable(f"Broker unreachable ({exc.__class__.__name__})") from exc
        finally:
            probe.close()
        if not replies:
            raise ServiceUnavailable("No Celery worker answered the ping")
        # The library then inspects active queues too; that is a second broadcast with its
        # own timeout, and our workers all consume the default queue, so a pong is enough.
        list(self.active_workers(replies))


@dataclasses.dataclass
class BeatHeartbeat(HealthCheck):
    """Beat writes a timestamp to the cache each time it publishes config.beat_heartbeat."""

    max_age: datetime.timedelta = dataclasses.field(
        default=datetime.timedelta(minutes=3), repr=False
    )
    timeout: datetime.timedelta = dataclasses.field(default=PROBE_TIMEOUT, repr=False)

    def run(self):
        # The cache swallows Redis errors and returns None: with Redis down, beat is "unknown",
        # reported as down (the redis check names the real cause).
        beat = cache.get(BEAT_HEARTBEAT_CACHE_KEY)
        if beat is None:
            raise ServiceUnavailable("No heartbeat from Celery beat")
        age = time.time() - float(beat)
        if age > self.max_age.total_seconds():
            raise ServiceUnavailable(f"Celery beat's last heartbeat was {int(age)} seconds ago")


def parts(*, detailed: bool = True) -> list[tuple[str, HealthCheck]]:
    """(name, check) pairs, built from the settings of this moment."""
    checks = [
        ("database", Database()),
        ("redis", Redis(client_factory=_redis_factory(settings.REDIS_URL))),
    ]
    if settings.CELERY_BROKER_URL != settings.REDIS_URL:
        checks.append(("broker", Redis(client_factory=_redis_factory(settings.CELERY_BROKER_URL))))
    if not detailed:
        return checks
    checks += [
        (
            "celery_worker",
            WorkerPing(
                app=app_or_default(),
                timeout=PROBE_TIMEOUT,
                limit=1,
                broker_url=settings.CELERY_BROKER_URL,
            ),
        ),
        (
            "celery_beat",
            BeatHeartbeat(
                max_age=datetime.timedelta(
                    seconds=getattr(settings, "BEAT_HEARTBEAT_MAX_AGE_SECONDS", 180)
                )
            ),
        ),
    ]
    return checks


async def may_see_details(request) -> bool:
    token = getattr(settings, "HEALTH_TOKEN", "")
    sent = request.headers.get("Authorization", "")
    if token and hmac.compare_digest(sent.encode(), f"Bearer {token}".encode()):
        return True
    user = await request.auser()
    return user.is_authenticated and user.is_staff


class HealthView(HealthCheckView):
    def get_checks(self):
        self.part_names, checks = zip(*parts(detailed=self.detailed), strict=True)
        yield from checks

    async def get(self, request, *args, **kwargs):
        self.detailed = await may_see_details(request)
        response = await super().get(request, *args, **kwargs)
        if not self.detailed:
            down = response.status_code >= 500
            return HttpResponse(
                "down" if down else "ok", status=503 if down else 200, content_type="text/plain"
            )
        if response.status_code == 500:
            # 503 is what load balancers and uptime monitors expect for "not ready".
            response.status_code = 503
        return response

    def render_to_response_json(self, status):
        checks = {
            name: {"ok": not result.error, "detail": str(result.error) if result.error else "OK"}
            for name, result in zip(self.part_names, self.results, strict=True)
        }
        down = any(not part["ok"] for part in checks.values())
        return JsonResponse(
            {"status": "down" if down else "ok", "checks": checks}, status=503 if down else 200
        )


health = HealthView.as_view()
