from django.apps import AppConfig


class FinanceConfig(AppConfig):
    """What people do with their money. Reads banking's models; banking never imports this."""

    name = "finance"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import hooks

        hooks.hooks_register()
