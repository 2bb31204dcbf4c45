#!/usr/bin/env bash
# Make sure the Redis named by REDIS_URL answers. Starts a local redis-server when it does not;
# installs it with apt-get when missing and we are root; otherwise says what to install.
set -euo pipefail
cd "$(dirname "$0")/.."
url=${REDIS_URL:-$(grep -E '^REDIS_URL=' .env 2>/dev/null | cut -d= -f2- || true)}
url=${url:-redis://127.0.0.1:6379/0}
read -r host port < <(.venv/bin/python -c "
from urllib.parse import urlsplit; u = urlsplit('$url'); print(u.hostname or '127.0.0.1', u.port or 6379)")

ping() { .venv/bin/python -c "
import redis, sys
try: redis.Redis(host='$host', port=$port, socket_connect_timeout=1).ping()
except Exception: sys.exit(1)"; }

ping && exit 0
if [ "$host" != "127.0.0.1" ] && [ "$host" != "localhost" ]; then
  echo "Redis at $host:$port does not answer; start it or fix REDIS_URL." >&2
  exit 1
fi
if ! command -v redis-server >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "==> Installing redis-server with apt-get"
    (apt-get install -y -qq redis-server >/dev/null 2>&1) ||
      (apt-get update -qq >/dev/null && apt-get install -y -qq redis-server >/dev/null)
  else
    echo "Redis is not installed. Install it (e.g. 'sudo apt-get install redis-server') and run again." >&2
    exit 1
  fi
fi
echo "==> Starting redis-server on port $port"
mkdir -p var
redis-server --port "$port" --bind 127.0.0.1 --daemonize yes --save "" --appendonly no \
  --dir "$PWD/var" --logfile "$PWD/var/redis-$port.log" --pidfile "$PWD/var/redis-$port.pid"
for _ in $(seq 1 50); do ping && exit 0; sleep 0.1; done
echo "redis-server did not start; see var/redis-$port.log" >&2
exit 1
