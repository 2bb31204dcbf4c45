"""What the live regions say about syncs in flight, and how soon they ask again.

The pages poll (htmx) instead of holding a connection open: a sync is rare and short, so a
quick poll while one is in flight and a slow one otherwise costs less than a thread per tab.
"""

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db.models import OuterRef, Subquery
from django.http import HttpResponse
from django.utils import timezone

from . import sync
from .models import PlaidItem, SyncRun

# Outcomes after which the worker tries again on its own: the import is still under way.
QUEUED_FOR_AT_MOST = timedelta(minutes=2)
STILL_TRYING = {SyncRun.Outcome.RETRYING, SyncRun.Outcome.NOT_READY}


def _poll_seconds(*, busy: bool) -> int:
    # Quick while a sync is in flight, so new rows show a moment after they commit.
    return settings.LIVE_POLL_BUSY_SECONDS if busy else settings.LIVE_POLL_IDLE_SECONDS


def _last_runs(items: list[PlaidItem]) -> dict[int, SyncRun]:
    """Each item's latest run, in one query however many banks there are."""
    latest = SyncRun.objects.filter(item=OuterRef("item")).order_by("-started_at").values("pk")
    runs = SyncRun.objects.filter(item__in=items, pk=Subquery(latest[:1]))
    return {run.item_id: run for run in runs}


def item_activity(item: PlaidItem, last: SyncRun | None) -> dict[str, Any]:
    """One connection's sync state for people: importing (first sync), updating, or idle."""
    running = last is not None and last.outcome == SyncRun.Outcome.RUNNING
    requested = item.last_refresh_requested_at
    # Between a click and the worker starting there is no run yet; after two minutes without
    # one the request was lost, and the page stops promising (as banking.sync.item_sync_status).
    queued = bool(
        requested
        and (last is None or last.started_at < requested)
        and timezone.now() - requested < QUEUED_FOR_AT_MOST
    )
    first_import = item.last_successful_sync_at is None and item.status not in sync.NO_SYNC_STATES
    if first_import and (running or queued or last is None or last.outcome in STILL_TRYING):
        phase = "importing"
    elif running or queued:
        phase = "updating"
    else:
        phase = "idle"
    return {
        "item": item,
        "phase": phase,
        "poll_seconds": _poll_seconds(busy=phase != "idle"),
        "pages": last.pages if last else 0,
        "failed": phase == "idle" and last is not None and last.outcome == SyncRun.Outcome.FAILED,
    }


def items_activity(items: list[PlaidItem]) -> list[dict[str, Any]]:
    last_runs = _last_runs(items)
    return [item_activity(item, last_runs.get(item.pk)) for item in items]


def activity_summary(items: list[PlaidItem]) -> dict[str, Any]:
    rows = items_activity(items)
    importing = [row for row in rows if row["phase"] == "importing"]
    updating = [row for row in rows if row["phase"] == "updating"]
    busy = bool(importing or updating)
    synced = [item.last_successful_sync_at for item in items if item.last_successful_sync_at]
    return {
        "last_success": max(synced, default=None),
        "rows": rows,
        "importing": importing,
        "updating": updating,
        "failed": [row for row in rows if row["failed"]],
        "busy": busy,
        "poll_seconds": _poll_seconds(busy=busy),
    }


def live_fragment(response: HttpResponse) -> HttpResponse:
    """Marks a polled fragment: static/js/live.js swaps in only answers that carry the mark,
    never a login page or an error page that a redirect or a failure put in its place."""
    response["X-Live-Fragment"] = "1"
    response["Cache-Control"] = "no-store"
    return response
