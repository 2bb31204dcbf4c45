"""System checks for Plaid and encryption configuration (ids banking.E0xx / W0xx)."""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Error, Warning, register

from .plaid.config import ENVIRONMENTS


def _https(url: str) -> bool:
    return urlsplit(url).scheme == "https"


@register("banking")
def check_encryption(app_configs=None, **kwargs):
    errors = []
    keys = getattr(settings, "FERNET_KEYS", None)
    if not keys or not all(str(k).strip() for k in keys):
        # The field library would silently fall back to SECRET_KEY: rotating SECRET_KEY would
        # then make every stored access token unreadable.
        errors.append(
            Error(
                "FERNET_KEYS is not set.",
                hint="Set FERNET_KEYS to one or more long random keys (comma-separated) and "
                "back them up: losing them strands every linked bank.",
                id="banking.E001",
            )
        )
    elif settings.SECRET_KEY in keys:
        errors.append(
            Warning(
                "FERNET_KEYS contains SECRET_KEY.",
                hint="Use a separate key, so SECRET_KEY can be rotated without losing tokens.",
                id="banking.W001",
            )
        )
    return errors


@register("banking")
def check_plaid(app_configs=None, **kwargs):
    env = settings.PLAID_ENV
    errors = []
    if env not in ENVIRONMENTS:
        return [
            Error(
                f"PLAID_ENV={env!r} is not one of {', '.join(ENVIRONMENTS)}.",
                hint="Plaid retired its Development environment on 2024-06-20; use sandbox, "
                "or production (free limited access exists).",
                id="banking.E002",
            )
        ]
    if env == "emulator" and not settings.DEBUG and not getattr(settings, "TESTING", False):
        errors.append(
            Error(
                "PLAID_ENV=emulator with DJANGO_DEBUG off.",
                hint="The emulator is never a production Plaid. Set PLAID_ENV=sandbox or "
                "production with real keys.",
                id="banking.E003",
            )
        )
    if env != "emulator" and not (settings.PLAID_CLIENT_ID and settings.PLAID_SECRET):
        errors.append(
            Error(
                f"PLAID_ENV={env} but PLAID_CLIENT_ID or PLAID_SECRET is empty.",
                hint="Copy both from Plaid's dashboard (Developers > Keys). "
                "PLAID_SANDBOX_API_KEY / PLAID_PRODUCTION_API_KEY are accepted for the secret.",
                id="banking.E004",
            )
        )
    if env == "production":
        if not settings.PLAID_WEBHOOK_URL or not _https(settings.PLAID_WEBHOOK_URL):
            errors.append(
                Error(
                    "PLAID_WEBHOOK_URL must be set to an https URL in production.",
                    hint="e.g. https://your.site/webhook",
                    id="banking.E005",
                )
            )
        if settings.ENABLE_OAUTH and (
            not settings.PLAID_REDIRECT_URI or not _https(settings.PLAID_REDIRECT_URI)
        ):
            errors.append(
                Error(
                    "PLAID_REDIRECT_URI must be set to an https URL in production when "
                    "ENABLE_OAUTH is on.",
                    hint="e.g. https://your.site/oauth-callback, registered in Plaid's dashboard.",
                    id="banking.E006",
                )
            )
    redirect = settings.PLAID_REDIRECT_URI
    if redirect and any(c in redirect for c in "?#*"):
        errors.append(
            Error(
                "PLAID_REDIRECT_URI must not contain a query, a fragment or '*'.",
                hint="Plaid rejects such redirect URIs.",
                id="banking.E007",
            )
        )
    if not 1 <= settings.PLAID_DAYS_REQUESTED <= 730:
        errors.append(Error("PLAID_DAYS_REQUESTED must be between 1 and 730.", id="banking.E008"))
    return errors
