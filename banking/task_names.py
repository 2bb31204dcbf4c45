"""The names of banking's Celery tasks, and the registered task for a name.

A service that enqueues work names the task instead of importing banking.tasks: the tasks are
thin adapters that import the services, so the services importing them back would be an import
circle. The names are also a contract with beat's rows and with messages already queued, so
they never change when code moves (banking.apps registers the tasks at start-up).
"""

from celery import current_app
from celery.app.task import Task

SYNC_ITEM = "banking.tasks.sync_item"
REFRESH_ITEM = "banking.tasks.refresh_item"
DISPATCH_DUE_SYNCS = "banking.tasks.dispatch_due_syncs"
REFRESH_ALL_ITEMS = "banking.tasks.refresh_all_items"
CHECK_ITEM_HEALTH = "banking.tasks.check_item_health"
CLEANUP_STUCK_SYNCS = "banking.tasks.cleanup_stuck_syncs"
PRUNE_LOGS = "banking.tasks.prune_logs"
ITEM_REMOVE_RETRY = "banking.tasks_link.item_remove_retry"
SWEEP_REMOVALS = "banking.tasks.sweep_removals"
PROCESS_WEBHOOK_EVENT = "banking.webhook_tasks.process_webhook_event"
DRAIN_WEBHOOK_EVENTS = "banking.webhook_tasks.drain_webhook_events"
REQUEUE_STALE_WEBHOOK_EVENTS = "banking.webhook_tasks.requeue_stale_webhook_events"
SWEEP_WEBHOOK_EVENTS = "banking.webhook_tasks.sweep_webhook_events"
OUTBOX_DELIVER = "banking.tasks.outbox_deliver"
OUTBOX_SWEEP = "banking.tasks.outbox_sweep"
WEALTH_REFRESH = "banking.tasks.wealth_refresh"


def task(name: str) -> Task:
    return current_app.tasks[name]
