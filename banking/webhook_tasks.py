"""Celery tasks for webhooks: thin, they load by id and call one service."""

from celery import shared_task

from . import webhook_handlers

MAX_RETRIES = 5


@shared_task(bind=True, max_retries=MAX_RETRIES, acks_late=True)
def process_webhook_event(self, event_id: int) -> str | None:
    # Idempotent: the service claims the event with a conditional UPDATE, so a duplicate
    # enqueue (sweeper, redelivery after a worker crash) finds nothing to do.
    try:
        return webhook_handlers.webhook_event_process(event_id=event_id)
    except Exception as exc:
        if self.request.is_eager or self.request.retries >= MAX_RETRIES:
            webhook_handlers.webhook_event_fail(event_id=event_id, error=repr(exc))
            raise
        raise self.retry(exc=exc, countdown=min(600, 10 * 4**self.request.retries))


@shared_task
def requeue_stale_webhook_events() -> int:
    return webhook_handlers.webhook_events_requeue()
