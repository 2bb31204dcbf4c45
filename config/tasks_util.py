"""Enqueue Celery tasks after the surrounding transaction commits, without ever hanging a page;
and the queue each task goes to.

Two failure modes this guards against:
- a worker that picks up a task before the rows it needs are committed (so we wait for commit);
- Redis being down: Celery's default publish retries and kombu's reconnect loop can hold a
  request for many seconds and then raise deep inside kombu. A view would 500. Instead we
  publish once with short socket timeouts, log, and return False so the view can say
  "try again".
"""

import logging
from typing import Any

from celery import current_app
from celery.app.task import Task
from django.conf import settings
from django.db import transaction
from kombu.exceptions import OperationalError
from redis.exceptions import RedisError

from banking import task_names

logger = logging.getLogger(__name__)

# Errors that mean "the broker is unreachable", not "the task itself failed" (eager mode
# propagates task errors in tests, and those must stay loud).
BROKER_ERRORS = (OperationalError, RedisError, OSError)


def _publish(task: Task, args: tuple, kwargs: dict, countdown: float | None = None) -> bool:
    try:
        # retry=False: one attempt bounded by the broker socket timeouts in settings, instead
        # of Celery's default publish retry policy.
        task.apply_async(args=args, kwargs=kwargs, retry=False, countdown=countdown)
    except BROKER_ERRORS as exc:
        logger.error(
            "could not enqueue task",
            extra={"task": task.name, "error": exc.__class__.__name__},
        )
        return False
    return True


def _broker_reachable(task: Task) -> bool:
    if task.app.conf.task_always_eager:
        return True
    try:
        # A connection from the app's pool (the one publishing reuses), not a fresh Connection
        # per call: building and connecting one cost more than the publish itself.
        with task.app.connection_or_acquire() as conn:
            channel = conn.default_channel
            conn_or_acquire = getattr(channel, "conn_or_acquire", None)
            if conn_or_acquire is not None:
                # Redis transport: one PING over the channel's pooled socket, bounded by the
                # socket timeouts in settings.
                with conn_or_acquire() as client:
                    client.ping()
            else:
                # max_retries=0 is one attempt; the connect is bounded by socket timeouts.
                conn.ensure_connection(max_retries=0)
    except BROKER_ERRORS as exc:
        logger.error(
            "broker unreachable, task not enqueued",
            extra={"task": task.name, "error": exc.__class__.__name__},
        )
        return False
    return True


def enqueue_on_commit(task: Task, *args, countdown: float | None = None, **kwargs) -> bool:
    """Send `task` once the current transaction commits (to run `countdown` seconds later, if
    given). Returns False if the broker is down.

    Outside a transaction the task is published immediately and the result is exact. Inside
    one, the broker is probed now (so the caller can still roll back and show "try again"),
    and the publish itself happens on commit; a failure at that point is logged, never raised.
    """
    if not transaction.get_connection().in_atomic_block:
        return _publish(task, args, kwargs, countdown)
    if not _broker_reachable(task):
        return False
    transaction.on_commit(lambda: _publish(task, args, kwargs, countdown))
    return True


# Bulk work (the dispatcher and the daily syncs it starts, health checks, sweeps, pruning) has a
# queue of its own, consumed by its own workers, so a daily run of any size never sits in front
# of a user's click, a webhook or a first sync (the default queue).
BULK_TASKS = frozenset(
    {
        task_names.DISPATCH_DUE_SYNCS,
        task_names.REFRESH_ALL_ITEMS,
        task_names.CHECK_ITEM_HEALTH,
        task_names.CLEANUP_STUCK_SYNCS,
        task_names.PRUNE_LOGS,
        task_names.SWEEP_REMOVALS,
    }
)


def bulk_queue() -> str:
    """CELERY_BULK_QUEUE, or the default queue's name + "-bulk" (so a test's private default
    queue gets a private bulk queue too)."""
    return settings.CELERY_BULK_QUEUE or f"{current_app.conf.task_default_queue}-bulk"


def route_task(name: str, args: Any, kwargs: Any, options: Any, task: Any = None, **kw: Any):
    """Celery router (CELERY_TASK_ROUTES). A daily sync is routed by its caller (the same task
    serves webhooks and clicks)."""
    return {"queue": bulk_queue()} if name in BULK_TASKS else None
