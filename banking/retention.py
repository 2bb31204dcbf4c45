"""Pruning of logs we keep only for a while (Plaid API call records, webhook events, delivered
sync announcements)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from .models import PlaidApiCall, SyncOutbox, WebhookEvent

BATCH = 5000


def logs_prune(*, days: int) -> dict[str, int]:
    """Delete records older than `days`, in batches so no long lock blocks the webhook view."""
    cutoff = timezone.now() - timedelta(days=days)
    counts = {}
    for name, model, field in (
        ("plaid_api_calls", PlaidApiCall, "created_at"),
        ("webhook_events", WebhookEvent, "received_at"),
        # Undelivered rows (delivered_at is NULL) are never older than the cutoff.
        ("sync_outbox", SyncOutbox, "delivered_at"),
    ):
        total = 0
        while True:
            pks = list(
                model.objects.filter(**{f"{field}__lt": cutoff}).values_list("pk", flat=True)[
                    :BATCH
                ]
            )
            if not pks:
                break
            total += model.objects.filter(pk__in=pks).delete()[0]
        counts[name] = total
    return counts
