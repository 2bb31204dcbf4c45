"""Pruning of records we keep only for a while: Plaid API call records, webhook events,
delivered sync announcements, finished sync runs, link sessions, staff access logs and
accounts' security events. Each kind has its own age (settings, documented in .env.example)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Model, Q
from django.utils import timezone

from accounts.models import SecurityEvent

from .models import LinkSession, PlaidApiCall, StaffAccessLog, SyncOutbox, SyncRun, WebhookEvent

BATCH = 5000


def logs_prune(*, now: datetime | None = None) -> dict[str, int]:
    """Delete records older than their kind's age, in batches so no long lock blocks the
    webhook view or a sync. Returns how many of each kind were deleted."""
    now = now or timezone.now()
    undelivered = Q(outbox__isnull=False, outbox__delivered_at__isnull=True)
    kinds: list[tuple[str, type[Model], str, int, Q]] = [
        ("plaid_api_calls", PlaidApiCall, "created_at", settings.LOG_RETENTION_DAYS, Q()),
        ("webhook_events", WebhookEvent, "received_at", settings.LOG_RETENTION_DAYS, Q()),
        # Undelivered rows (delivered_at is NULL) are never older than the cutoff.
        ("sync_outbox", SyncOutbox, "delivered_at", settings.LOG_RETENTION_DAYS, Q()),
        # A running run holds its item's claim; a run whose announcement is still undelivered
        # would take the announcement with it (CASCADE).
        (
            "sync_runs",
            SyncRun,
            "started_at",
            settings.SYNC_RUN_RETENTION_DAYS,
            Q(outcome=SyncRun.Outcome.RUNNING) | undelivered,
        ),
        ("link_sessions", LinkSession, "created_at", settings.LINK_SESSION_RETENTION_DAYS, Q()),
        (
            "staff_access_logs",
            StaffAccessLog,
            "created_at",
            settings.STAFF_ACCESS_LOG_RETENTION_DAYS,
            Q(),
        ),
        (
            "security_events",
            SecurityEvent,
            "created_at",
            settings.SECURITY_EVENT_RETENTION_DAYS,
            Q(),
        ),
    ]
    return {
        name: _prune(model, field, now - timedelta(days=days), keep)
        for name, model, field, days, keep in kinds
    }


def _prune(model: type[Model], field: str, cutoff: datetime, keep: Q) -> int:
    old = model._default_manager.filter(**{f"{field}__lt": cutoff}).exclude(keep)
    total = 0
    while True:
        pks = list(old.values_list("pk", flat=True)[:BATCH])
        if not pks:
            return total
        total += model._default_manager.filter(pk__in=pks).delete()[0]
