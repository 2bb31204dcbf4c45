from django.apps import AppConfig


class BankingConfig(AppConfig):
    name = "banking"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # checks registers the system checks; tasks makes every process, not only workers,
        # know the Celery tasks, because banking.outbox sends its delivery task by name.
        from . import checks, tasks  # noqa: F401
