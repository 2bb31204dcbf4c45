from django.apps import AppConfig


class BankingConfig(AppConfig):
    name = "banking"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Django's place for start-up registration: system checks, and the Celery tasks that
        # services enqueue by name (banking.task_names) in web processes too, not only in
        # workers that autodiscover them.
        from . import checks, tasks  # noqa: F401
        from .wealth import wealth_hooks_register

        wealth_hooks_register()
