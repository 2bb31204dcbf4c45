"""Settings for the test suite: production-shaped, with fixed keys and eager tasks.

The real-worker, browser and live-server tests override what they need (see tests/conftest.py).
"""

import os

os.environ["DJANGO_READ_DOT_ENV"] = "false"
os.environ.setdefault("DJANGO_DEBUG", "false")
os.environ.setdefault("DJANGO_TESTING", "true")
os.environ.setdefault("SECRET_KEY", "test-secret-key-not-for-production-0123456789abcdef")
# A fixed, test-only Fernet key (never used outside tests).
os.environ.setdefault("FERNET_KEYS", "ceuy74JiifybX6LSXWM-CpOJZ4Z-kcNDJVUrfeq0ZFI=")
os.environ.setdefault("EMAIL_URL", "consolemail://")
os.environ.setdefault("ADMINS", "Ledgerline tests <ops@example.com>")
os.environ.setdefault("PLAID_ENV", "emulator")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "true")
os.environ.setdefault("CACHE_KEY_PREFIX", f"pfm-test-{os.getpid()}")

from .settings import *  # noqa: E402,F403
from .settings import DATABASES, REDIS_URL, STATIC_ROOT  # noqa: E402

os.makedirs(STATIC_ROOT, exist_ok=True)  # whitenoise warns on every request otherwise

# Test cookies travel over plain HTTP (live server), so no __Secure- names or Secure flags.
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = False
SESSION_COOKIE_NAME, CSRF_COOKIE_NAME = "sessionid", "csrftoken"
SECURE_HSTS_SECONDS = 0
# A fast hasher keeps the suite quick; tests of the Argon2 upgrade set the production list.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Production refuses optional verification; most tests sign up and use the site at once.
# Tests of enumeration-proof sign-up set "mandatory" themselves.
ACCOUNT_EMAIL_VERIFICATION = "optional"
# A real worker in another process cannot share locmem's outbox: its test sends through SMTP
# to a server the test runs (TEST_EMAIL_BACKEND plus EMAIL_URL in the worker's environment).
EMAIL_BACKEND = os.environ.get(
    "TEST_EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend"
)
ALLOWED_HOSTS = ["*"]

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not memory: a real Celery worker in another process must see the test data.
    DATABASES["default"]["TEST"] = {
        "NAME": os.environ.get("TEST_SQLITE_PATH", f"var/test-db-{os.getpid()}.sqlite3")
    }

# Each test run gets its own Redis database index where possible, so rate limits and throttles
# never leak between runs (tests/conftest.py also flushes per test).
TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", REDIS_URL)
# No internet here: the refresh fails fast unless a test serves the file itself.
ECB_RATES_URL = "http://127.0.0.1:9/eurofxref-hist.zip"
ECB_RATES_TIMEOUT_SECONDS = 2
