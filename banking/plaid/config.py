"""Derived Plaid configuration, read from settings at call time.

config/settings.py reads the environment; this module turns those values into what the wrapper
and the views need (API host, webhook and redirect URLs, token prefixes). Everything here reads
`django.conf.settings` on each call so tests can override settings per test.
"""

from django.conf import settings

ENVIRONMENTS = ("sandbox", "production", "emulator")

_HOSTS = {
    "sandbox": "https://sandbox.plaid.com",
    "production": "https://production.plaid.com",
}


def plaid_env() -> str:
    return settings.PLAID_ENV


def api_host() -> str:
    if settings.PLAID_ENV == "emulator":
        return settings.PLAID_EMULATOR_URL.rstrip("/")
    return _HOSTS[settings.PLAID_ENV]


def token_environment() -> str:
    """The environment part of token prefixes. The emulator issues sandbox-looking tokens
    (it mimics Sandbox), so emulator mode expects `access-sandbox-…` too."""
    return "production" if settings.PLAID_ENV == "production" else "sandbox"


def access_token_prefix() -> str:
    return f"access-{token_environment()}-"


def webhook_url() -> str:
    """Where Plaid sends webhooks for new items; empty means "no webhook"."""
    if settings.PLAID_WEBHOOK_URL:
        return settings.PLAID_WEBHOOK_URL
    if settings.PLAID_ENV == "emulator":
        # So `make run` receives webhooks from the local emulator without any setup.
        return settings.SITE_URL.rstrip("/") + "/webhook"
    return ""


def redirect_uri() -> str:
    """The OAuth redirect URI, or empty when OAuth is off. Plaid rejects an unregistered or
    blank redirect_uri (INVALID_FIELD), so callers omit the field when this is empty."""
    if not settings.ENABLE_OAUTH:
        return ""
    return settings.PLAID_REDIRECT_URI or settings.SITE_URL.rstrip("/") + "/oauth-callback"


def link_script_url() -> str:
    if settings.PLAID_ENV == "emulator":
        return settings.PLAID_EMULATOR_URL.rstrip("/") + "/link/v2/stable/link-initialize.js"
    return "https://cdn.plaid.com/link/v2/stable/link-initialize.js"


def client_credentials() -> tuple[str, str]:
    return settings.PLAID_CLIENT_ID, settings.PLAID_SECRET
