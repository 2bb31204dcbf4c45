from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Users"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import admin_login, security  # noqa: F401  (security connects its receivers)

        admin_login.install()
