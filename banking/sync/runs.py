"""Sync runs: finishing one, reclaiming those whose worker died, and what the poller shows."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from ..models import PlaidItem, SyncPage, SyncRun

logger = logging.getLogger(__name__)

Outcome = SyncRun.Outcome


def run_finish(
    run: SyncRun, outcome: str, *, error_code: str = "", counts: dict[str, int] | None = None
) -> None:
    fields: dict[str, object] = {
        "outcome": outcome,
        "finished_at": timezone.now(),
        "error_code": error_code[:64],
    }
    fields.update(counts or {}, fetch_ms=run.fetch_ms, apply_ms=run.apply_ms, pages=run.pages)
    SyncRun.objects.filter(pk=run.pk).update(**fields)
    for name, value in fields.items():
        setattr(run, name, value)


def run_finish_failed(run: SyncRun, exc: Exception) -> None:
    code = getattr(exc, "error_code", "") or type(exc).__name__
    try:
        SyncPage.objects.filter(run=run).delete()
        run_finish(run, Outcome.FAILED, error_code=code)
    except Exception:
        # The database itself may be what failed; cleanup_stuck_syncs reclaims the run later.
        logger.exception("could not record the failure of sync run %s", run.pk)


def sync_run_mark_retrying(run: SyncRun) -> None:
    SyncRun.objects.filter(pk=run.pk).update(outcome=Outcome.RETRYING)


def runs_reclaim_stuck(*, older_than_seconds: int) -> list[SyncRun]:
    """Runs whose worker died (no heartbeat for a while) release their claim. Returns the runs
    this call reclaimed (a concurrent call reclaims each run once)."""
    now = timezone.now()
    cutoff = now - timedelta(seconds=older_than_seconds)
    stuck = SyncRun.objects.filter(outcome=Outcome.RUNNING, heartbeat_at__lt=cutoff)
    pks = list(stuck.values_list("pk", flat=True))
    SyncRun.objects.filter(pk__in=pks, outcome=Outcome.RUNNING).update(
        outcome=Outcome.FAILED, error_code="STUCK", finished_at=now
    )
    # Staged pages of any finished run are garbage (a crash between fetch and cleanup).
    SyncPage.objects.exclude(run__outcome=Outcome.RUNNING).delete()
    return list(
        SyncRun.objects.filter(pk__in=pks, error_code="STUCK", finished_at=now).only(
            "pk", "item_id", "trigger", "rerun_requested"
        )
    )


def sync_runs_for_item(item: PlaidItem, limit: int = 20) -> QuerySet[SyncRun]:
    return SyncRun.objects.filter(item=item).order_by("-started_at")[:limit]


def item_sync_status(item: PlaidItem) -> dict[str, Any]:
    """What the progress poller needs: is a sync queued or running, and how the last went."""
    last = SyncRun.objects.filter(item=item).order_by("-started_at").first()
    running = last is not None and last.outcome == Outcome.RUNNING
    requested = item.last_refresh_requested_at
    # Between the click and the worker starting there is no run yet: show it as queued.
    queued = bool(
        requested
        and (last is None or last.started_at < requested)
        and timezone.now() - requested < timedelta(minutes=2)
    )
    return {
        "status": item.status,
        "status_display": item.get_status_display(),
        "in_progress": running or queued,
        "phase": "running" if running else "queued" if queued else "idle",
        "pages": last.pages if last else 0,
        "last_run": None
        if last is None
        else {
            "trigger": last.trigger,
            "outcome": last.outcome,
            "outcome_display": last.get_outcome_display(),
            "started_at": last.started_at.isoformat(),
            "finished_at": last.finished_at.isoformat() if last.finished_at else None,
            "added": last.added,
            "modified": last.modified,
            "removed": last.removed,
            "error_code": last.error_code,
        },
        "last_successful_sync_at": item.last_successful_sync_at.isoformat()
        if item.last_successful_sync_at
        else None,
    }
