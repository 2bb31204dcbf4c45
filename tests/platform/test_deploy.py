"""Production settings: `check --deploy` is clean, and a missing secret stops start-up by name.

Run as subprocesses with a clean environment: settings are read once per process, and the
test settings module must not leak in.
"""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

BASE_DIR = Path(__file__).resolve().parents[2]


def production_env(tmp_path, **overrides):
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_DEBUG": "false",
        "SITE_URL": "https://money.example.com",
        "ALLOWED_HOSTS": "money.example.com",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "FERNET_KEYS": Fernet.generate_key().decode(),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "REDIS_URL": "redis://127.0.0.1:6379/0",
        "EMAIL_URL": "smtp+tls://user:pass@mail.example.com:587",
        "ADMINS": "ops@money.example.com",
        "TRUSTED_PROXY_COUNT": "1",
        "PLAID_ENV": "sandbox",
        "PLAID_CLIENT_ID": "client-id-for-check",
        "PLAID_SECRET": "secret-for-check",
        "PLAID_REDIRECT_URI": "https://money.example.com/oauth-callback",
        "PLAID_WEBHOOK_URL": "https://money.example.com/webhook",
        # A developer's .env never overrides the real environment, so pin what it may hold.
        "ACCOUNT_EMAIL_VERIFICATION": "mandatory",
        "MFA_REQUIRED_FOR_STAFF": "true",
        "SECURE_SSL_REDIRECT": "true",
    }
    env.update(overrides)
    return env


def manage(env, *args):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_prints_no_warnings_with_debug_off(tmp_path):
    result = manage(production_env(tmp_path), "check", "--deploy", "--fail-level", "WARNING")
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues (1 silenced)." in output
    assert "WARNINGS" not in output


@pytest.mark.parametrize("name", ["SECRET_KEY", "FERNET_KEYS", "EMAIL_URL", "ADMINS"])
def test_a_missing_production_secret_stops_start_up_naming_it(tmp_path, name):
    # Empty, not absent: an empty variable also shadows a developer's .env file.
    result = manage(production_env(tmp_path, **{name: ""}), "check")
    assert result.returncode != 0
    last_line = result.stderr.strip().splitlines()[-1]
    assert name in last_line, result.stderr
    assert "ImproperlyConfigured" in last_line
