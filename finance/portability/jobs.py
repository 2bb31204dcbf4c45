"""The life of an export or an import (finance.models.portability.PortabilityJob): queued with
its task when the request's transaction commits, claimed once by that task, finished with the
outcome written on the row for the page.

The claim is a conditional UPDATE: a task delivered twice (acks_late, a worker lost) finds the
row no longer queued and does nothing.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from config.tasks_util import enqueue_on_commit
from finance import task_names as names


def job_enqueue(task_name: str, **kwargs) -> bool:
    """Queue the job's task for when the surrounding transaction commits. False when the
    broker is down: the transaction is then marked for rollback, so the row is not kept."""
    if enqueue_on_commit(names.task(task_name), **kwargs):
        return True
    transaction.set_rollback(True)
    return False


def job_claim(model, job_id: int):
    """The queued row of `model`, now running (its user loaded); None when it was not queued."""
    claimed = model.objects.filter(pk=job_id, state=model.State.QUEUED).update(
        state=model.State.RUNNING
    )
    if not claimed:
        return None
    return model.objects.select_related("user").get(pk=job_id)


def job_finish(row, state: str, **fields) -> str:
    """Write the outcome (`state` and any of the row's fields) and when it came; returns the
    state, the task's result."""
    fields.setdefault("finished_at", timezone.now())
    type(row).objects.filter(pk=row.pk).update(state=state, **fields)
    return state
