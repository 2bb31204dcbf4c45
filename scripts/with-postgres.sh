#!/usr/bin/env bash
# Run a command against PostgreSQL: DATABASE_URL if it already points at PostgreSQL, otherwise
# a throwaway cluster under /tmp (Debian's postgresql package), removed afterwards.
#   scripts/with-postgres.sh .venv/bin/python bench/sync_bench.py
set -euo pipefail
case "${DATABASE_URL:-}" in
  postgres://*|postgresql://*) exec "$@" ;;
esac
PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
if [ -z "$PGBIN" ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    apt-get install -y -qq postgresql >/dev/null
    PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
  else
    echo "PostgreSQL is needed: set DATABASE_URL or 'sudo apt-get install postgresql'." >&2
    exit 1
  fi
fi
port=${BENCH_PG_PORT:-55440}
data=$(mktemp -d /tmp/ledgerline-pg.XXXXXX)
as_pg() { if [ "$(id -u)" = 0 ]; then chown -R postgres "$data"; su postgres -s /bin/sh -c "$*"; else sh -c "$*"; fi; }
as_pg "$PGBIN/initdb -D $data -A trust -U postgres >/dev/null"
as_pg "$PGBIN/pg_ctl -D $data -o '-p $port -k /tmp' -l $data/log -w start >/dev/null"
cleanup() { as_pg "$PGBIN/pg_ctl -D $data -m fast stop >/dev/null" || true; rm -rf "$data"; }
trap cleanup EXIT
as_pg "$PGBIN/createdb -h 127.0.0.1 -p $port ledgerline"
export DATABASE_URL="postgres://postgres@127.0.0.1:$port/ledgerline"
"$@"
