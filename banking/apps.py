from django.apps import AppConfig


class BankingConfig(AppConfig):
    name = "banking"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import checks  # noqa: F401  (registers system checks)
