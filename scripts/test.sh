#!/usr/bin/env bash
# Every test: unit, integration (emulator over HTTP), real Celery workers, real Chromium.
# PostgreSQL when DATABASE_URL points at it, SQLite otherwise. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p var test-artifacts
export PYTHONUNBUFFERED=1
exec .venv/bin/python -m pytest --durations=10 "$@"
