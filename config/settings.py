"""Settings for the whole site. The environment is read here and nowhere else.

One switch: DJANGO_DEBUG. With it off (the default) the site runs as production: every secret
must be set and a missing one stops start-up naming the variable.
"""

import os
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from kombu import Exchange, Queue

from config.env_parsing import admins_parse, fernet_keys_parse

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# A .env file fills in what the real environment does not set (it never overrides it). The test
# suite skips it so that a developer's .env never changes what the tests see.
if (BASE_DIR / ".env").exists() and os.environ.get("DJANGO_READ_DOT_ENV", "true") != "false":
    env.read_env(str(BASE_DIR / ".env"))

DEBUG = env.bool("DJANGO_DEBUG", default=False)
TESTING = env.bool("DJANGO_TESTING", default=False)


def required(name: str, dev_default=None) -> str:
    """A secret: a development default is allowed only with debug on."""
    value = env.str(name, default="")
    if value:
        return value
    if DEBUG and dev_default is not None:
        return dev_default
    raise ImproperlyConfigured(
        f"The environment variable {name} is not set. It is required when DJANGO_DEBUG is off; "
        f"see .env.example."
    )


SITE_URL = env.str("SITE_URL", default="http://localhost:8000").rstrip("/")
# The name people see in email subjects and bodies (never the host name).
SITE_NAME = env.str("SITE_NAME", default="Ledgerline")
SECRET_KEY = required("SECRET_KEY", dev_default="dev-insecure-secret-key-change-me-" + "x" * 20)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[SITE_URL])

# Fernet keys encrypt Plaid access tokens. The first key encrypts; all of them decrypt.
# There is deliberately no fallback to SECRET_KEY (the field library's default): a system check
# (banking.checks) reports an unset FERNET_KEYS instead.
FERNET_KEYS = fernet_keys_parse(env.str("FERNET_KEYS", default="")) or None
if FERNET_KEYS is None and not DEBUG:
    # Gunicorn does not run system checks, so production must stop here, naming the variable.
    required("FERNET_KEYS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.usersessions",
    "django_celery_beat",
    "health_check",
    "csp",
    "django_htmx",
    "accounts",
    "banking",
    "finance",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "config.caching.NoStoreMiddleware",
    # Plaid's deliveries answer here: nothing below is for them (banking/middleware.py).
    "banking.middleware.WebhookFastPathMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "accounts.middleware.StaffMFARequiredMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "banking.context_processors.plaid",
                "accounts.context_processors.email_verification",
                "finance.alerts.context_processors.unread",
            ],
        },
    },
]

# SQLite is the zero-setup default; CI and production use PostgreSQL through DATABASE_URL.
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'var' / 'db.sqlite3'}")
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Workers and web share the file: wait for locks instead of failing at once. IMMEDIATE takes
    # the write lock when a transaction starts, so two writers queue on the timeout instead of
    # one failing at once with "database is locked" when its read lock cannot be upgraded.
    DATABASES["default"].setdefault("OPTIONS", {}).update(timeout=20, transaction_mode="IMMEDIATE")
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DB_CONN_MAX_AGE", default=60))
    DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Argon2id first (Django's recommendation; parameters in accounts.hashers); a stored PBKDF2 hash
# still verifies and is rewritten as Argon2 at the next sign-in.
PASSWORD_HASHERS = [
    "accounts.hashers.Argon2idPasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
]
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG and not TESTING
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# The largest export ZIP /settings/export/ accepts for import (a million transactions
# compress to about 60 MB).
DATA_IMPORT_MAX_BYTES = env.int("DATA_IMPORT_MAX_BYTES", default=200 * 1024 * 1024)

# --- Redis: cache (rate limits, locks, webhook keys) and Celery's broker -----------------------
REDIS_URL = env.str("REDIS_URL", default="redis://127.0.0.1:6379/0")
# Short timeouts everywhere: with Redis down, pages that do not need it must still render fast.
REDIS_SOCKET_TIMEOUT = env.float("REDIS_SOCKET_TIMEOUT", default=1.0)
CACHES = {
    "default": {
        "BACKEND": "config.cache.ResilientRedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="pfm"),
        "OPTIONS": {
            "socket_connect_timeout": REDIS_SOCKET_TIMEOUT,
            "socket_timeout": REDIS_SOCKET_TIMEOUT,
        },
    }
}

CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL)
CELERY_BROKER_CONNECTION_TIMEOUT = REDIS_SOCKET_TIMEOUT
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {
    # A delayed task (countdown/eta) is redelivered if not acked within this window; the daily
    # fan-out spreads tasks over a shorter window (banking.tasks) so none is delivered twice.
    "visibility_timeout": 6 * 3600,
    "socket_connect_timeout": REDIS_SOCKET_TIMEOUT,
    "socket_timeout": REDIS_SOCKET_TIMEOUT,
    "max_retries": 1,
    # kombu sleeps interval_start (default 2 s) before that retry; a page enqueueing a task
    # with Redis down must fail fast and say "try again" instead.
    "interval_start": 0,
    "interval_step": 0.5,
    "interval_max": 1,
}
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=15 * 60)
CELERY_TASK_TIME_LIMIT = CELERY_TASK_SOFT_TIME_LIMIT + 60
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_EAGER_PROPAGATES = True
# Real-worker tests use a queue of their own so parallel runs never take each other's tasks.
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_TASK_DEFAULT_QUEUE", default="celery")
# User-facing work (Refresh now, a new link's first sync, webhooks, the outbox) stays on the
# default queue; the daily dispatcher, its syncs and the other periodic jobs go to the bulk queue
# (config.tasks_util.route_task). Run workers for each (Procfile); a worker started without -Q
# consumes both.
# Empty: the default queue's name + "-bulk".
CELERY_BULK_QUEUE = env.str("CELERY_BULK_QUEUE", default="")
CELERY_TASK_QUEUES = [
    Queue(name, Exchange(name), routing_key=name)
    for name in (
        CELERY_TASK_DEFAULT_QUEUE,
        CELERY_BULK_QUEUE or f"{CELERY_TASK_DEFAULT_QUEUE}-bulk",
    )
]
CELERY_TASK_ROUTES = ("config.tasks_util.route_task",)

# --- Accounts (django-allauth) ------------------------------------------------------------------
SITE_ID = 1
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "/"
ACCOUNT_LOGOUT_REDIRECT_URL = "/accounts/login/"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_UNIQUE_EMAIL = True
# In production sign-up, login and password reset answer the same whether an email has an
# account or not (ACCOUNT_PREVENT_ENUMERATION), which allauth can only do with mandatory
# verification; a demo under `make run` may keep it optional (the sign-up page says so).
ACCOUNT_EMAIL_VERIFICATION = env.str(
    "ACCOUNT_EMAIL_VERIFICATION", default="optional" if DEBUG else "mandatory"
)
if not DEBUG and ACCOUNT_EMAIL_VERIFICATION != "mandatory":
    raise ImproperlyConfigured(
        f"ACCOUNT_EMAIL_VERIFICATION={ACCOUNT_EMAIL_VERIFICATION}: with DJANGO_DEBUG off email "
        "verification must be mandatory, or sign-up would reveal which emails have an account."
    )
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if SITE_URL.startswith("https") else "http"
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
EMAIL_SUBJECT_PREFIX = f"[{SITE_NAME}] "  # mail_admins: operators see the site, not "[Django]"
ACCOUNT_EMAIL_SUBJECT_PREFIX = EMAIL_SUBJECT_PREFIX
# Behind a reverse proxy every request comes from the proxy: TRUSTED_PROXY_COUNT is how many
# proxies of ours append to X-Forwarded-For (0: none, use the peer address). config.client_ip
# applies it for every throttle; allauth gets the same number.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT
# Repeated bad passwords: a per-IP limit stops one client trying many accounts; a per-account
# limit stops many clients trying one account, and lasts LOGIN_LOCKOUT_MINUTES at most, so an
# attacker who knows an email cannot lock its owner out for long (the message says how long).
LOGIN_LOCKOUT_MINUTES = env.int("LOGIN_LOCKOUT_MINUTES", default=5)
LOGIN_FAILURES_BEFORE_LOCKOUT = env.int("LOGIN_FAILURES_BEFORE_LOCKOUT", default=5)
ACCOUNT_RATE_LIMITS = {
    "login_failed": (
        f"20/{LOGIN_LOCKOUT_MINUTES}m/ip,"
        f"{LOGIN_FAILURES_BEFORE_LOCKOUT}/{LOGIN_LOCKOUT_MINUTES}m/key"
    ),
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
}
# Password, email and MFA changes are emailed to the account (allauth's notifications); a sign-in
# from a new browser is emailed by accounts.security.
ACCOUNT_EMAIL_NOTIFICATIONS = True
# Deleting the account and turning MFA off ask for the password (or a TOTP code) again when the
# last authentication is older than this.
ACCOUNT_REAUTHENTICATION_TIMEOUT = env.int("REAUTHENTICATION_TIMEOUT_SECONDS", default=300)
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = env.str("MFA_TOTP_ISSUER", default="Ledgerline")
MFA_REQUIRED_FOR_STAFF = env.bool("MFA_REQUIRED_FOR_STAFF", default=not DEBUG)

# With debug off a missing EMAIL_URL would print password-reset links into the logs: refuse.
EMAIL_CONFIG = environ.Env.email_url_config(required("EMAIL_URL", dev_default="consolemail://"))
vars().update(EMAIL_CONFIG)
# A hung SMTP server must not hold a web worker (sign-up, reset) for ever.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Ledgerline <no-reply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Who gets the operational alerts (Plaid circuit breaker, banks still billed at Plaid, errors):
# "Name <address>" or bare addresses, comma-separated. Production without one is refused.
ADMINS = admins_parse(required("ADMINS", dev_default=""))
if not ADMINS and not DEBUG:
    raise ImproperlyConfigured("ADMINS names no email address; see .env.example.")

# --- Plaid ------------------------------------------------------------------------------------
# Validation (retired Development environment, https in production, ...) lives in banking.checks
# and banking.plaid.config so that mistakes surface as system checks with ids.
PLAID_CLIENT_ID = env.str("PLAID_CLIENT_ID", default="")
PLAID_SECRET = env.str("PLAID_SECRET", default="")
PLAID_SANDBOX_API_KEY = env.str("PLAID_SANDBOX_API_KEY", default="")
PLAID_PRODUCTION_API_KEY = env.str("PLAID_PRODUCTION_API_KEY", default="")
PLAID_DEVELOPMENT_API_KEY = env.str("PLAID_DEVELOPMENT_API_KEY", default="")
_DEVELOPMENT_RETIRED = (
    "Plaid retired its Development environment on 2024-06-20. Use PLAID_ENV=sandbox with a "
    "Sandbox secret, or PLAID_ENV=production (free limited Production access exists)."
)
if PLAID_DEVELOPMENT_API_KEY:
    raise ImproperlyConfigured("PLAID_DEVELOPMENT_API_KEY is set. " + _DEVELOPMENT_RETIRED)
# With no Plaid keys at all the embedded emulator is the default: the whole product runs offline.
_has_plaid_keys = bool(
    PLAID_CLIENT_ID and (PLAID_SECRET or PLAID_SANDBOX_API_KEY or PLAID_PRODUCTION_API_KEY)
)
_explicit_plaid_env = env.str("PLAID_ENV", default="").strip().lower()
PLAID_ENV = _explicit_plaid_env or ("sandbox" if _has_plaid_keys else "emulator")
if PLAID_ENV == "emulator" and not _explicit_plaid_env and not DEBUG:
    # Forgotten keys in production must not quietly turn every bank into the emulator.
    raise ImproperlyConfigured(
        "No Plaid keys are set (PLAID_CLIENT_ID and PLAID_SECRET) and DJANGO_DEBUG is off. Set "
        "them, or set PLAID_ENV=emulator explicitly to run against the emulator."
    )
if PLAID_ENV == "development":
    raise ImproperlyConfigured("PLAID_ENV=development. " + _DEVELOPMENT_RETIRED)
if not PLAID_SECRET:
    # The seed's per-environment names keep an existing .env working.
    PLAID_SECRET = {"sandbox": PLAID_SANDBOX_API_KEY, "production": PLAID_PRODUCTION_API_KEY}.get(
        PLAID_ENV, ""
    )
ENABLE_OAUTH = env.bool("ENABLE_OAUTH", default=True)
PLAID_REDIRECT_URI = env.str("PLAID_REDIRECT_URI", default="")
PLAID_WEBHOOK_URL = env.str("PLAID_WEBHOOK_URL", default="")
PLAID_PRODUCTS = env.list("PLAID_PRODUCTS", default=["transactions"])
# Asked for at Link with required_if_supported_products: added where the bank has them.
PLAID_PRODUCTS_IF_SUPPORTED = env.list(
    "PLAID_PRODUCTS_IF_SUPPORTED", default=["investments", "liabilities"]
)
PLAID_COUNTRY_CODES = env.list("PLAID_COUNTRY_CODES", default=["US"])
if PLAID_ENV == "emulator":
    # The emulator's documented demo pair (docs/emulator.md), unless real-looking ones are set.
    PLAID_CLIENT_ID = PLAID_CLIENT_ID or "emulator-client-id"
    PLAID_SECRET = PLAID_SECRET or "emulator-secret"
PLAID_EMULATOR_URL = env.str("PLAID_EMULATOR_URL", default="http://127.0.0.1:8765").rstrip("/")
PLAID_CLIENT_NAME = env.str("PLAID_CLIENT_NAME", default="Ledgerline")
PLAID_DAYS_REQUESTED = env.int("PLAID_DAYS_REQUESTED", default=730)
# Personal finance category taxonomy asked for on /transactions/sync (finance maps both).
PLAID_PFC_VERSION = env.str("PLAID_PFC_VERSION", default="v2")
PLAID_TIMEOUT_SECONDS = env.float("PLAID_TIMEOUT_SECONDS", default=30.0)
# Where recurring streams come from: Plaid's Recurring add-on ("plaid", billed per item) or our
# own detector over the synced transactions ("detector").
RECURRING_SOURCE = env.str("RECURRING_SOURCE", default="detector")
if RECURRING_SOURCE not in ("plaid", "detector"):
    raise ImproperlyConfigured("RECURRING_SOURCE must be plaid or detector; see .env.example.")
# Logs older than this are pruned daily (Plaid API call records, webhook events).
LOG_RETENTION_DAYS = env.int("LOG_RETENTION_DAYS", default=90)
# Finished sync runs, link sessions, staff access logs and accounts' security events are pruned
# daily after these many days (banking.retention).
SYNC_RUN_RETENTION_DAYS = env.int("SYNC_RUN_RETENTION_DAYS", default=90)
LINK_SESSION_RETENTION_DAYS = env.int("LINK_SESSION_RETENTION_DAYS", default=30)
STAFF_ACCESS_LOG_RETENTION_DAYS = env.int("STAFF_ACCESS_LOG_RETENTION_DAYS", default=365)
SECURITY_EVENT_RETENTION_DAYS = env.int("SECURITY_EVENT_RETENTION_DAYS", default=365)
# --- Sync and background jobs (banking.sync, banking.tasks, banking.plaid.ratelimit) -----------
# Our whole budget of Plaid calls per minute across all workers (Plaid's per-item limits and
# documented per-endpoint client limits are enforced on top, in banking.plaid.ratelimit).
PLAID_CLIENT_RATE_LIMIT_PER_MINUTE = env.int("PLAID_CLIENT_RATE_LIMIT_PER_MINUTE", default=2000)
# Link's calls (link tokens, exchanges) together, whoever clicks: the rest stays for syncs.
PLAID_USER_CALLS_PER_MINUTE = env.int("PLAID_USER_CALLS_PER_MINUTE", default=200)
# Per person and per client IP (config.client_ip), over LINK_THROTTLE_WINDOW_SECONDS: starting
# Link and finishing it each count one attempt.
LINK_THROTTLE_WINDOW_SECONDS = env.int("LINK_THROTTLE_WINDOW_SECONDS", default=10 * 60)
LINK_ATTEMPTS_PER_USER = env.int("LINK_ATTEMPTS_PER_USER", default=20)
LINK_ATTEMPTS_PER_IP = env.int("LINK_ATTEMPTS_PER_IP", default=60)
# How long a caller waits for a rate-limit slot before getting a retryable error.
PLAID_RATE_LIMIT_MAX_WAIT_SECONDS = env.float("PLAID_RATE_LIMIT_MAX_WAIT_SECONDS", default=5.0)
# Retries of a sync after a transient error: exponential backoff with jitter, bounded.
SYNC_MAX_RETRIES = env.int("SYNC_MAX_RETRIES", default=5)
SYNC_RETRY_BASE_SECONDS = env.float("SYNC_RETRY_BASE_SECONDS", default=60.0)
SYNC_RETRY_MAX_SECONDS = env.float("SYNC_RETRY_MAX_SECONDS", default=3600.0)
# The daily sync and health check of each item fall at a fixed time inside this window (its
# start in seconds after midnight UTC, and its length), spread evenly by a hash of the item id.
DAILY_WINDOW_START_SECONDS = env.int("DAILY_WINDOW_START_SECONDS", default=0)
DAILY_WINDOW_SECONDS = env.int("DAILY_WINDOW_SECONDS", default=24 * 3600)
# The dispatcher (banking.dispatch, every minute) starts at most this many daily syncs and health
# checks per minute, across all passes: a quarter of the client budget by default, leaving the
# rest to users' clicks, webhooks and multi-page syncs. 500/min covers 720,000 items a day.
DISPATCH_SYNCS_PER_MINUTE = env.int(
    "DISPATCH_SYNCS_PER_MINUTE", default=max(1, PLAID_CLIENT_RATE_LIMIT_PER_MINUTE // 4)
)
HEALTH_CHECKS_PER_MINUTE = env.int("HEALTH_CHECKS_PER_MINUTE", default=120)
# A claimed item whose sync never reported back (worker killed, broker down) is due again after
# this long; longer than a sync's retries usually take, so a slow item is not dispatched twice.
DISPATCH_LEASE_SECONDS = env.int("DISPATCH_LEASE_SECONDS", default=2 * 3600)
# "Refresh now" at most once per this many seconds per item.
REFRESH_THROTTLE_SECONDS = env.int("REFRESH_THROTTLE_SECONDS", default=5 * 60)
# How often an open page asks for news (banking.live): quickly while a sync is queued or running,
# slowly otherwise, so a webhook's news (a bank that needs signing in) still reaches it.
LIVE_POLL_BUSY_SECONDS = env.int("LIVE_POLL_BUSY_SECONDS", default=2)
LIVE_POLL_IDLE_SECONDS = env.int("LIVE_POLL_IDLE_SECONDS", default=30)
# The transactions list counts its results up to here ("10,000+" beyond): a bounded count stays
# cheap however many rows match, and past it the exact number helps nobody.
TRANSACTION_COUNT_LIMIT = 10_000
# An item with no successful sync for this many days is flagged stale by the daily check.
STALE_AFTER_DAYS = env.int("STALE_AFTER_DAYS", default=3)
# The circuit breaker (banking/plaid/circuit.py): this many items answering INVALID_ACCESS_TOKEN
# within the window is a configuration mistake, not revoked items; Plaid calls pause meanwhile.
PLAID_CIRCUIT_BAD_TOKEN_ITEMS = env.int("PLAID_CIRCUIT_BAD_TOKEN_ITEMS", default=5)
PLAID_CIRCUIT_WINDOW_SECONDS = env.int("PLAID_CIRCUIT_WINDOW_SECONDS", default=5 * 60)
PLAID_CIRCUIT_OPEN_SECONDS = env.int("PLAID_CIRCUIT_OPEN_SECONDS", default=15 * 60)
PLAID_RATE_LIMIT_ENABLED = env.bool("PLAID_RATE_LIMIT_ENABLED", default=True)
# /health/ calls beat down when its last heartbeat (written every minute) is older than this.
BEAT_HEARTBEAT_MAX_AGE_SECONDS = env.int("BEAT_HEARTBEAT_MAX_AGE_SECONDS", default=180)
# /health/ details (each component and its error) for monitoring that sends
# `Authorization: Bearer <HEALTH_TOKEN>`; empty: details for signed-in staff only.
HEALTH_TOKEN = env.str("HEALTH_TOKEN", default="")
WEBHOOK_MAX_BODY_BYTES = env.int("WEBHOOK_MAX_BODY_BYTES", default=1024 * 1024)

# --- Security -------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"  # Lax, not Strict: the OAuth return is a top-level navigation.
CSRF_COOKIE_HTTPONLY = True
CSRF_FAILURE_VIEW = "accounts.views.csrf_failure"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
if not DEBUG and SITE_URL.startswith("https://"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
if not DEBUG:
    # __Secure- names: browsers refuse these cookies over plain HTTP or without Secure.
    SESSION_COOKIE_NAME = "__Secure-sessionid"
    CSRF_COOKIE_NAME = "__Secure-csrftoken"
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SILENCED_SYSTEM_CHECKS = [
    # HSTS preload is hard for self-hosters to undo (removal from browser lists takes months),
    # so we do not set it and silence only that warning.
    "security.W021",
]

# Plaid's CDN in sandbox/production, the emulator's origin in emulator mode; never both.
if PLAID_ENV == "emulator":
    PLAID_LINK_SCRIPT_URL = PLAID_EMULATOR_URL + "/link/v2/stable/link-initialize.js"
    _plaid_origins, _emulator_origin = [], [PLAID_EMULATOR_URL]
else:
    PLAID_LINK_SCRIPT_URL = "https://cdn.plaid.com/link/v2/stable/link-initialize.js"
    _plaid_origins, _emulator_origin = ["https://cdn.plaid.com", "https://*.plaid.com"], []
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", *_plaid_origins, *_emulator_origin],
        "frame-src": ["'self'", *_plaid_origins, *_emulator_origin],
        "connect-src": ["'self'", *_plaid_origins, *_emulator_origin],
        "img-src": ["'self'", "data:", *_plaid_origins, *_emulator_origin],
        "style-src": ["'self'"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# --- Logging: one JSON object a line in production; secrets are redacted everywhere --------------
# Tracebacks on DEBUG pages and in error emails to ADMINS go through the same redaction.
DEFAULT_EXCEPTION_REPORTER_FILTER = "config.logging.RedactingExceptionReporterFilter"
LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact": {"()": "config.logging.RedactSecretsFilter"}},
    "formatters": {
        "json": {
            "()": "config.logging.RedactingJsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
        },
        "plain": {
            "()": "config.logging.RedactingFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain" if DEBUG else "json",
            "filters": ["redact"],
        }
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "urllib3": {"level": "WARNING"},
    },
}

# --- Exchange rates (finance.currency) ----------------------------------------------------------
# The ECB's reference rates; the daily beat task reads this file (zip or CSV). The full history
# is a few hundred KB; the single-day file (eurofxref.zip) is enough once the table is loaded.
ECB_RATES_URL = env.str(
    "ECB_RATES_URL", default="https://www.ecb.europa.eu/stats/eurofxref/eurofxref-hist.zip"
)
ECB_RATES_TIMEOUT_SECONDS = env.int("ECB_RATES_TIMEOUT_SECONDS", default=30)
# Home currency of a user with no linked account yet and no choice of their own.
DEFAULT_HOME_CURRENCY = env.str("DEFAULT_HOME_CURRENCY", default="USD")
