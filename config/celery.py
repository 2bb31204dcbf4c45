import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("config")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# Webhook processing lives in its own module (banking/webhook_tasks.py).
app.autodiscover_tasks(related_name="webhook_tasks")
