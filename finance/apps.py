from django.apps import AppConfig


class FinanceConfig(AppConfig):
    """What people do with their money. Reads banking's models; banking never imports this."""

    name = "finance"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.contrib.auth import get_user_model
        from django.db.models.signals import post_save

        # The tasks register here so a web process can enqueue them by name too.
        from . import hooks, tasks  # noqa: F401
        from .categories import categories_seed_on_signup

        hooks.hooks_register()
        post_save.connect(
            categories_seed_on_signup,
            sender=get_user_model(),
            dispatch_uid="finance.categories_seed_on_signup",
        )
