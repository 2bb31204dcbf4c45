# The beat row that writes a snapshot for every account that did not sync that day.
# Self-contained on purpose: a migration must not import app code that may move. Only a missing
# row is created, so an edit in admin survives.
from django.conf import settings
from django.db import migrations

NAME = "Snapshot balances of accounts that did not sync today"
TASK = "finance.tasks.snapshots_carry_forward"


def add_schedule(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    if PeriodicTask.objects.filter(name=NAME).exists():
        return
    # Late in the day, so a day's own sync usually wrote the row first; a later sync that day
    # overwrites this one anyway.
    late, _ = CrontabSchedule.objects.get_or_create(
        minute="45",
        hour="23",
        day_of_week="*",
        day_of_month="*",
        month_of_year="*",
        timezone=settings.TIME_ZONE,
    )
    PeriodicTask.objects.create(name=NAME, task=TASK, crontab=late)


def remove_schedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("finance", "0009_networth"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(add_schedule, remove_schedule)]
