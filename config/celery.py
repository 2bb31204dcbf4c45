import logging
import os
import time

from celery import Celery
from celery.signals import beat_init, before_task_publish

logger = logging.getLogger(__name__)

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("config")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# --- Beat heartbeat (read by /health/) ------------------------------------------------------
# Beat publishes this task every minute (a schedule row of banking's migration 0002). The
# timestamp is written in the *publishing* process, i.e. beat itself, so /health/ can tell
# "beat is alive" apart from "a worker ran the task": with the worker dead, the heartbeat stays
# fresh and only the worker ping fails.
BEAT_HEARTBEAT_TASK = "config.beat_heartbeat"
BEAT_HEARTBEAT_CACHE_KEY = "health:beat-heartbeat"
WORKER_HEARTBEAT_CACHE_KEY = "health:worker-ran-beat-heartbeat"


@before_task_publish.connect
def _record_beat_heartbeat(sender=None, **kwargs):
    if sender == BEAT_HEARTBEAT_TASK:
        _write_beat_heartbeat()


@beat_init.connect
def _record_beat_start(sender=None, **kwargs):
    # A fresh interval schedule first fires a whole interval after start; without this, /health/
    # would call a beat that just started "down" for its first minute.
    _write_beat_heartbeat()


def _write_beat_heartbeat():
    try:
        from django.core.cache import cache

        cache.set(BEAT_HEARTBEAT_CACHE_KEY, time.time(), timeout=24 * 3600)
    except Exception:  # noqa: BLE001 - a heartbeat must never stop beat from publishing
        logger.warning("could not record the beat heartbeat", exc_info=True)


@app.task(name=BEAT_HEARTBEAT_TASK, ignore_result=True)
def beat_heartbeat():
    # The worker side only notes when it last ran one, for diagnosing a backed-up queue.
    from django.core.cache import cache

    cache.set(WORKER_HEARTBEAT_CACHE_KEY, time.time(), timeout=24 * 3600)
