"""The names of finance's Celery tasks (see banking.task_names for why they are pinned)."""

from celery import current_app
from celery.app.task import Task

ALERT_EMAIL_SEND = "finance.tasks.alert_email_send"
ALERT_EMAILS_SEND = "finance.tasks.alert_emails_send"
ALERTS_BEAT = "finance.tasks.alerts_beat"
SNAPSHOTS_CARRY_FORWARD = "finance.tasks.snapshots_carry_forward"
RULE_APPLY_EXISTING = "finance.tasks.rule_apply_existing"
RATES_REFRESH = "finance.tasks.rates_refresh"
DATA_EXPORT_BUILD = "finance.tasks.data_export_build"
DATA_EXPORTS_PURGE = "finance.tasks.data_exports_purge"
DATA_IMPORT_RUN = "finance.tasks.data_import_run"


def task(name: str) -> Task:
    return current_app.tasks[name]
