"""config/settings.py read in a fresh process per case: what each variable turns into, and
which production mistakes stop start-up naming the variable."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

BASE_DIR = Path(__file__).resolve().parents[2]
KEY = Fernet.generate_key().decode()
OTHER_KEY = Fernet.generate_key().decode()
SHOWN = [
    "FERNET_KEYS",
    "EMAIL_BACKEND",
    "EMAIL_TIMEOUT",
    "ADMINS",
    "PLAID_ENV",
    "PLAID_SECRET",
    "ENABLE_OAUTH",
    "PLAID_REDIRECT_URI",
    "PLAID_WEBHOOK_URL",
    "TRUSTED_PROXY_COUNT",
    "ALLAUTH_TRUSTED_PROXY_COUNT",
    "ACCOUNT_EMAIL_VERIFICATION",
    "ACCOUNT_PREVENT_ENUMERATION",
    "HEALTH_TOKEN",
]


def production(**overrides):
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "DJANGO_READ_DOT_ENV": "false",
        "DJANGO_DEBUG": "false",
        "SECRET_KEY": "a-production-secret-key-for-this-test-0123456789",
        "FERNET_KEYS": KEY,
        "EMAIL_URL": "smtp+tls://user:pass@mail.example.com:587",
        "ADMINS": "Ops <ops@example.com>",
        "SITE_URL": "https://money.example.com",
        "PLAID_ENV": "sandbox",
        "PLAID_CLIENT_ID": "client-id",
        "PLAID_SECRET": "secret",
    }
    env.update(overrides)
    return {name: value for name, value in env.items() if value is not None}


def load(env):
    code = (
        "import json\nfrom config import settings as s\n"
        f"print(json.dumps({{n: getattr(s, n, None) for n in {SHOWN!r}}}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    if result.returncode:
        return None, result.stderr.strip().splitlines()[-1]
    return json.loads(result.stdout), ""


def refused(env) -> str:
    values, error = load(env)
    assert values is None, f"start-up was not refused: {values}"
    assert "ImproperlyConfigured" in error
    return error


# --- item 8: Fernet keys ----------------------------------------------------------------------
@pytest.mark.parametrize("keys", [",", " ", "a", f"{KEY},", f"{KEY},not-a-key", "x" * 44])
def test_it_refuses_any_fernet_key_that_is_not_a_real_one(keys):
    assert "FERNET_KEYS" in refused(production(FERNET_KEYS=keys))


def test_it_accepts_real_fernet_keys_in_order():
    values, _ = load(production(FERNET_KEYS=f"{KEY}, {OTHER_KEY}"))
    assert values["FERNET_KEYS"] == [KEY, OTHER_KEY]


# --- item 9: production defaults ---------------------------------------------------------------
def test_production_without_email_url_is_refused_naming_it():
    assert "EMAIL_URL" in refused(production(EMAIL_URL=None))


def test_production_email_has_a_timeout():
    values, _ = load(production())
    assert values["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert values["EMAIL_TIMEOUT"] == 10


@pytest.mark.parametrize("admins", [None, ",", "not-an-address"])
def test_production_without_an_alert_address_is_refused_naming_admins(admins):
    assert "ADMINS" in refused(production(ADMINS=admins))


def test_admins_take_names_and_bare_addresses():
    values, _ = load(production(ADMINS="Ops <ops@example.com>, oncall@example.com"))
    assert values["ADMINS"] == [["Ops", "ops@example.com"], ["oncall@example.com"] * 2]


def test_production_without_plaid_keys_is_not_silently_the_emulator():
    error = refused(production(PLAID_ENV=None, PLAID_CLIENT_ID=None, PLAID_SECRET=None))
    assert "PLAID_ENV=emulator" in error


def test_production_may_run_the_emulator_when_it_says_so():
    values, _ = load(production(PLAID_ENV="emulator", PLAID_CLIENT_ID=None, PLAID_SECRET=None))
    assert values["PLAID_ENV"] == "emulator"


def test_debug_without_any_of_them_still_starts_for_a_demo():
    env = production(
        DJANGO_DEBUG="true",
        SECRET_KEY=None,
        FERNET_KEYS=None,
        EMAIL_URL=None,
        ADMINS=None,
        PLAID_ENV=None,
        PLAID_CLIENT_ID=None,
        PLAID_SECRET=None,
    )
    values, error = load(env)
    assert values, error
    assert values["PLAID_ENV"] == "emulator"
    assert values["EMAIL_BACKEND"] == "django.core.mail.backends.console.EmailBackend"
    assert values["ACCOUNT_EMAIL_VERIFICATION"] == "optional"


# --- item 15: enumeration-proof accounts need mandatory verification ------------------------------
def test_production_verifies_email_and_prevents_enumeration():
    values, _ = load(production())
    assert values["ACCOUNT_EMAIL_VERIFICATION"] == "mandatory"
    assert values["ACCOUNT_PREVENT_ENUMERATION"] is True


@pytest.mark.parametrize("mode", ["optional", "none"])
def test_production_refuses_optional_email_verification(mode):
    assert "ACCOUNT_EMAIL_VERIFICATION" in refused(production(ACCOUNT_EMAIL_VERIFICATION=mode))


# --- item 1: one trusted-proxy setting, shared with allauth -------------------------------------
def test_the_trusted_proxy_count_reaches_allauth():
    values, _ = load(production(TRUSTED_PROXY_COUNT="2"))
    assert values["TRUSTED_PROXY_COUNT"] == values["ALLAUTH_TRUSTED_PROXY_COUNT"] == 2


def test_no_proxy_is_trusted_by_default():
    values, _ = load(production())
    assert values["TRUSTED_PROXY_COUNT"] == values["ALLAUTH_TRUSTED_PROXY_COUNT"] == 0


# --- item 16: the seed's configuration names ------------------------------------------------------
def test_the_seeds_sandbox_api_key_is_the_sandbox_secret():
    env = production(PLAID_ENV=None, PLAID_SECRET=None, PLAID_SANDBOX_API_KEY="sandbox-secret")
    values, _ = load(env)
    assert values["PLAID_ENV"] == "sandbox"
    assert values["PLAID_SECRET"] == "sandbox-secret"


def test_the_seeds_production_api_key_is_the_production_secret():
    env = production(
        PLAID_ENV="production",
        PLAID_SECRET=None,
        PLAID_SANDBOX_API_KEY="sandbox-secret",
        PLAID_PRODUCTION_API_KEY="production-secret",
    )
    values, _ = load(env)
    assert values["PLAID_SECRET"] == "production-secret"


def test_plaid_secret_wins_over_the_seeds_names():
    values, _ = load(production(PLAID_SANDBOX_API_KEY="sandbox-secret"))
    assert values["PLAID_SECRET"] == "secret"


@pytest.mark.parametrize(("raw", "expected"), [(None, True), ("false", False), ("true", True)])
def test_enable_oauth(raw, expected):
    values, _ = load(production(ENABLE_OAUTH=raw))
    assert values["ENABLE_OAUTH"] is expected


def test_the_redirect_uri_and_webhook_url_are_taken_as_given():
    env = production(
        PLAID_REDIRECT_URI="https://money.example.com/oauth-callback",
        PLAID_WEBHOOK_URL="https://hooks.example.com/webhook",
    )
    values, _ = load(env)
    assert values["PLAID_REDIRECT_URI"] == "https://money.example.com/oauth-callback"
    assert values["PLAID_WEBHOOK_URL"] == "https://hooks.example.com/webhook"


@pytest.mark.parametrize(
    ("overrides", "named"),
    [
        ({"PLAID_DEVELOPMENT_API_KEY": "dev-secret"}, "PLAID_DEVELOPMENT_API_KEY is set."),
        ({"PLAID_ENV": "development"}, "PLAID_ENV=development."),
    ],
)
def test_plaids_retired_development_environment_is_refused_plainly(overrides, named):
    error = refused(production(**overrides))
    assert named in error
    assert "Plaid retired its Development environment on 2024-06-20" in error
