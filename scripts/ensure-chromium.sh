#!/usr/bin/env bash
# Browser tests drive Debian's Chromium (no browser download: this must work offline).
set -euo pipefail
[ -x /usr/bin/chromium ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "==> Installing chromium with apt-get"
  (apt-get install -y -qq chromium >/dev/null 2>&1) ||
    (apt-get update -qq >/dev/null && apt-get install -y -qq chromium >/dev/null)
  exit 0
fi
echo "Browser tests need /usr/bin/chromium: 'sudo apt-get install chromium'." >&2
exit 1
