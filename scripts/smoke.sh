#!/usr/bin/env bash
# The production-shaped smoke test (tests/smoke/): the Procfile's processes with debug off
# behind an https proxy, then the README's `make run` from a fresh clone. Uses DATABASE_URL when
# it points at PostgreSQL (as in .ci/run), otherwise a throwaway cluster; REDIS_URL's Redis.
#   scripts/smoke.sh [--skip-quickstart]
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/ensure-redis.sh
BENCH_PG_PORT=${SMOKE_PG_PORT:-55450} exec scripts/with-postgres.sh \
  .venv/bin/python -m tests.smoke "$@"
