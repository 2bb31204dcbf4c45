"""finance's Celery tasks: thin adapters over finance services (names in finance.task_names)."""

from __future__ import annotations

import random

from celery import Task, shared_task

from . import task_names as names
from .alerts import digest
from .alerts.email import EMAIL_MAX_ATTEMPTS, EmailFailed, occurrence_email_send, occurrences_unsent
from .alerts.occurrences import occurrence_emails_enqueue
from .currency import rates
from .networth import snapshots
from .portability import export as data_export
from .portability import importer as data_import
from .rule_jobs import rule_apply_run

# Kept importable here: the snapshot tests and beat's row name it.
SNAPSHOTS_CARRY_FORWARD = names.SNAPSHOTS_CARRY_FORWARD
RULE_APPLY_EXISTING = names.RULE_APPLY_EXISTING
RATES_REFRESH = names.RATES_REFRESH

EMAIL_RETRY_BASE_SECONDS = 30


@shared_task(name=names.ALERT_EMAIL_SEND, bind=True, acks_late=True)
def alert_email_send(self: Task, occurrence_id: int) -> str:
    try:
        return occurrence_email_send(occurrence_id=occurrence_id)
    except EmailFailed:
        if self.request.retries + 1 >= EMAIL_MAX_ATTEMPTS:
            return "failed"
        ceiling = EMAIL_RETRY_BASE_SECONDS * 2**self.request.retries
        raise self.retry(
            countdown=ceiling / 2 + random.uniform(0, ceiling / 2),
            max_retries=EMAIL_MAX_ATTEMPTS,
        ) from None


@shared_task(name=names.ALERT_EMAILS_SEND, acks_late=True)
def alert_emails_send(occurrence_ids: list[int]) -> int:
    return occurrence_emails_enqueue(occurrence_ids=occurrence_ids)


@shared_task(name=names.ALERTS_BEAT)
def alerts_beat() -> dict:
    """This week's digests, and emails whose task was lost."""
    claimed = digest.digests_send_due()
    resent = 0
    for occurrence_id in occurrences_unsent():
        try:
            resent += occurrence_email_send(occurrence_id=occurrence_id) == "sent"
        except EmailFailed:
            continue
    return {"digests": claimed, "resent": resent}


@shared_task(name=names.SNAPSHOTS_CARRY_FORWARD, acks_late=True)
def snapshots_carry_forward() -> int:
    return snapshots.snapshots_carry_forward()


@shared_task(name=names.RULE_APPLY_EXISTING, acks_late=True)
def rule_apply_existing_task(rule_id: int) -> str:
    return rule_apply_run(rule_id=rule_id)


@shared_task(name=names.RATES_REFRESH)
def rates_refresh() -> int | None:
    return rates.rates_refresh()


@shared_task(name=names.DATA_EXPORT_BUILD, acks_late=True)
def data_export_build(export_id: int) -> str:
    return data_export.data_export_build(export_id=export_id)


@shared_task(name=names.DATA_IMPORT_RUN, acks_late=True)
def data_import_run(import_id: int) -> str:
    return data_import.data_import_run(import_id=import_id)


@shared_task(name=names.DATA_EXPORTS_PURGE)
def data_exports_purge() -> int:
    return data_export.data_exports_purge()
