# The default beat schedules live in the database (editable in admin). A data migration, not
# CELERY_BEAT_SCHEDULE: django-celery-beat rewrites rows from settings at every start, which would
# undo what staff edit in admin. Only missing rows (matched by name) are created, so edits survive
# later migrations and re-runs. The code is frozen here: a migration must not depend on modules
# that may move.
from django.conf import settings
from django.db import migrations

# (name, task, kind, spec)
DEFAULT_SCHEDULES = [
    (
        "Refresh all items daily",
        "banking.tasks.refresh_all_items",
        "crontab",
        {"minute": "0", "hour": "4"},
    ),
    (
        "Check item health daily",
        "banking.tasks.check_item_health",
        "crontab",
        {"minute": "30", "hour": "5"},
    ),
    ("Prune old logs daily", "banking.tasks.prune_logs", "crontab", {"minute": "15", "hour": "3"}),
    (
        "Clean up stuck syncs",
        "banking.tasks.cleanup_stuck_syncs",
        "interval",
        {"every": 10, "period": "minutes"},
    ),
    (
        "Requeue stuck webhook events",
        "banking.webhook_tasks.requeue_stale_webhook_events",
        "interval",
        {"every": 5, "period": "minutes"},
    ),
    ("Beat heartbeat", "config.beat_heartbeat", "interval", {"every": 1, "period": "minutes"}),
]


def install_default_schedules(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    for name, task, kind, spec in DEFAULT_SCHEDULES:
        if PeriodicTask.objects.filter(name=name).exists():
            continue
        if kind == "crontab":
            # Site time (TIME_ZONE), so "04:00" means the owner's 04:00 across DST changes.
            schedule, _ = CrontabSchedule.objects.get_or_create(
                day_of_week="*",
                day_of_month="*",
                month_of_year="*",
                timezone=settings.TIME_ZONE,
                **spec,
            )
            PeriodicTask.objects.create(name=name, task=task, crontab=schedule)
        else:
            schedule, _ = IntervalSchedule.objects.get_or_create(**spec)
            PeriodicTask.objects.create(name=name, task=task, interval=schedule)


class Migration(migrations.Migration):
    dependencies = [
        ("banking", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(install_default_schedules, migrations.RunPython.noop)]
