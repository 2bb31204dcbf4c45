# The daily refresh and health check become passes of a dispatcher that beat runs every minute.
# The old once-a-day rows are disabled, not deleted (reversible; an admin's edit is kept).
# Self-contained on purpose: a migration must not import app code that may move.
from django.db import migrations
from django.utils import timezone

NEW = [
    ("Dispatch due daily syncs", "banking.tasks.dispatch_due_syncs"),
    ("Check due items' health", "banking.tasks.check_item_health"),
]
OLD = ["Refresh all items daily", "Check item health daily"]


def install_dispatchers(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    every_minute, _ = IntervalSchedule.objects.get_or_create(every=1, period="minutes")
    for name, task in NEW:
        if not PeriodicTask.objects.filter(name=name).exists():
            PeriodicTask.objects.create(name=name, task=task, interval=every_minute)
    PeriodicTask.objects.filter(name__in=OLD).update(enabled=False)
    _tell_beat(apps)


def _tell_beat(apps):
    # A running beat reloads its rows when this stamp moves (.update() sends no signal).
    PeriodicTasks = apps.get_model("django_celery_beat", "PeriodicTasks")
    PeriodicTasks.objects.update_or_create(ident=1, defaults={"last_update": timezone.now()})


def remove_dispatchers(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name__in=[name for name, _ in NEW]).delete()
    PeriodicTask.objects.filter(name__in=OLD).update(enabled=True)
    _tell_beat(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("banking", "0007_item_due_times"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(install_dispatchers, remove_dispatchers)]
