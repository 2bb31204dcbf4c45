# The daily exchange-rates refresh's beat row. Self-contained on purpose: a migration must not
# import app code that may move. Only a missing row is created, so an edit in admin survives.
# The ECB publishes around 16:00 CET on business days; 17:30 UTC is after that all year.
from django.db import migrations

NAME = "Refresh exchange rates from the ECB"
TASK = "finance.tasks.rates_refresh"


def add_schedule(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    if PeriodicTask.objects.filter(name=NAME).exists():
        return
    daily, _ = CrontabSchedule.objects.get_or_create(
        minute="30", hour="17", day_of_week="*", day_of_month="*", month_of_year="*", timezone="UTC"
    )
    PeriodicTask.objects.create(name=NAME, task=TASK, crontab=daily)


def remove_schedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("finance", "0015_currency"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(add_schedule, remove_schedule)]
