#!/usr/bin/env bash
# Idempotent set-up shared by `make run` and `make test`: virtualenv, pinned packages, .env with
# fresh secrets, front-end packages, database migrations. Running it again changes nothing that
# exists and takes a second or two.
#   scripts/setup.sh          runtime packages
#   scripts/setup.sh --dev    runtime + test tools
set -euo pipefail
cd "$(dirname "$0")/.."

want_dev=0
[ "${1:-}" = "--dev" ] && want_dev=1

PYTHON=${PYTHON:-python3}
if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
  echo "Python 3.11 or newer is required (found: $("$PYTHON" --version 2>&1))." >&2
  exit 1
fi

if [ ! -x .venv/bin/python ]; then
  echo "==> Creating .venv"
  "$PYTHON" -m venv .venv
fi

reqs=requirements.txt
[ "$want_dev" = 1 ] && reqs=requirements-dev.txt
hash=$(cat requirements.txt "$reqs" | sha256sum | cut -c1-16)
stamp=".venv/.installed-$hash"
if [ ! -f "$stamp" ]; then
  echo "==> Installing pinned packages ($reqs)"
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip install --quiet -r "$reqs"
  touch "$stamp"
fi

mkdir -p var
if [ ! -f .env ]; then
  echo "==> Writing .env with a fresh SECRET_KEY and FERNET_KEYS (back up FERNET_KEYS!)"
  secret=$(.venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(50))')
  fernet=$(.venv/bin/python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())')
  sed -e "s|^SECRET_KEY=.*|SECRET_KEY=$secret|" -e "s|^FERNET_KEYS=.*|FERNET_KEYS=$fernet|" \
    .env.example > .env
  chmod 600 .env
fi

if [ -f package.json ]; then
  if ! command -v npm >/dev/null 2>&1; then
    echo "npm is needed for the charts and accessibility checks: install Node.js (apt-get install nodejs npm)." >&2
    exit 1
  fi
  lockhash=$(cat package.json package-lock.json 2>/dev/null | sha256sum | cut -c1-16)
  if [ ! -f "node_modules/.installed-$lockhash" ]; then
    echo "==> Installing front-end packages (npm ci)"
    npm ci --no-audit --no-fund --loglevel=error
    touch "node_modules/.installed-$lockhash"
  fi
  [ -x scripts/vendor_static.sh ] && scripts/vendor_static.sh
fi
exit 0
