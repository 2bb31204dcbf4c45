"""finance's Celery tasks: thin adapters that call one service. Names are pinned (a contract
with messages already queued), whatever module the code lives in."""

from __future__ import annotations

from celery import shared_task

from .rule_jobs import rule_apply_run

RULE_APPLY_EXISTING = "finance.tasks.rule_apply_existing"


@shared_task(name=RULE_APPLY_EXISTING, acks_late=True)
def rule_apply_existing_task(rule_id: int) -> str:
    return rule_apply_run(rule_id=rule_id)
