# The default beat schedules live in the database (editable in admin). A data migration, not
# CELERY_BEAT_SCHEDULE: django-celery-beat rewrites rows from settings at every start.
from django.db import migrations

from banking.schedules import install_default_schedules


class Migration(migrations.Migration):
    dependencies = [
        ("banking", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(install_default_schedules, migrations.RunPython.noop)]
