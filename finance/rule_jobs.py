""" "Apply to existing" as a background job: a rule over 100,000 transactions takes longer than a
page should wait, so the page asks (rule_apply_request), a Celery task runs it (rule_apply_run,
from finance.tasks) and the rule page shows "running, N done" from the rule's own columns.

Asking twice while a run is queued or running starts nothing new; a task delivered twice runs
once (it claims the rule with a conditional UPDATE); running the rules again over the same rows
changes nothing more (finance.rules is idempotent), so a run cut short is simply asked again.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from config.tasks_util import enqueue_on_commit

from .models import Rule
from .rules import rule_apply_existing

# A run not finished this long after it started lost its worker: it may be asked for again.
STALE_AFTER = timedelta(minutes=30)
Status = Rule.ApplyStatus
ACTIVE = (Status.QUEUED, Status.RUNNING)


def _startable(now) -> Q:
    return ~Q(apply_status__in=ACTIVE) | Q(apply_started_at__lt=now - STALE_AFTER)


def rule_apply_request(*, rule: Rule) -> bool:
    """Queue the rule's apply-to-existing unless one is already under way; False when the
    broker is down (nothing queued, the page says so)."""
    from . import tasks  # the task module imports this one

    now = timezone.now()
    with transaction.atomic():
        claimed = (
            Rule.objects.filter(pk=rule.pk)
            .filter(_startable(now))
            .update(apply_status=Status.QUEUED, apply_done=0, apply_changed=0, apply_started_at=now)
        )
        if not claimed:
            return True
        if not enqueue_on_commit(tasks.rule_apply_existing_task, rule_id=rule.pk):
            transaction.set_rollback(True)
            return False
    return True


def rule_apply_run(*, rule_id: int) -> str:
    """The task's body: 'done', or 'skipped' when the rule is gone or another delivery runs it."""
    now = timezone.now()
    claimed = (
        Rule.objects.filter(pk=rule_id)
        .filter(
            Q(apply_status=Status.QUEUED)
            | Q(apply_status=Status.RUNNING, apply_started_at__lt=now - STALE_AFTER)
        )
        .update(apply_status=Status.RUNNING, apply_started_at=now, apply_done=0)
    )
    rule = Rule.objects.select_related("user").filter(pk=rule_id).first()
    if not claimed or rule is None:
        return "skipped"
    mine = Rule.objects.filter(pk=rule_id, apply_started_at=now)

    def progress(done: int) -> None:
        mine.update(apply_done=done)

    try:
        changed = rule_apply_existing(rule=rule, progress=progress)
    except Exception:
        mine.update(apply_status=Status.FAILED)
        raise
    mine.update(apply_status=Status.DONE, apply_changed=changed)
    return "done"
