"""python -m tests.smoke [--skip-quickstart]: the production-shaped run, then `make run` from a
fresh clone. Needs DATABASE_URL (PostgreSQL) and REDIS_URL; everything else it starts itself
and stops again, whatever happens. Exit status 0 only when every check passed."""

import os
import shutil
import signal
import sys
import tempfile
import threading
import time
from pathlib import Path

from . import production, quickstart
from .harness import SmokeFailure

# The whole run is bounded: a hang anywhere fails it instead of holding CI.
TIME_LIMIT_SECONDS = int(os.environ.get("SMOKE_TIME_LIMIT_SECONDS", 480))


def watchdog() -> None:
    time.sleep(TIME_LIMIT_SECONDS)
    print(f"\nSMOKE FAILED: still running after {TIME_LIMIT_SECONDS} s", file=sys.stderr)
    # SIGINT becomes KeyboardInterrupt in the main thread, whose finally blocks stop everything.
    os.kill(os.getpid(), signal.SIGINT)


def main() -> int:
    database_url = os.environ.get("DATABASE_URL", "")
    if not database_url.startswith(("postgres://", "postgresql://")):
        print(
            "DATABASE_URL must point at PostgreSQL (scripts/smoke.sh starts one)", file=sys.stderr
        )
        return 2
    redis_url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    logs = Path(tempfile.mkdtemp(prefix="ledgerline-smoke-"))
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    threading.Thread(target=watchdog, daemon=True).start()
    started = time.monotonic()
    try:
        print("==> Production-shaped: the Procfile behind an https proxy, debug off", flush=True)
        production.run(database_url, redis_url, logs / "production")
        if "--skip-quickstart" not in sys.argv:
            print("==> The README's quick start: `make run` from a fresh clone", flush=True)
            quickstart.run(redis_url, logs / "quickstart")
    except (SmokeFailure, KeyboardInterrupt) as exc:
        print(f"\nSMOKE FAILED: {exc or 'interrupted'}\n(logs in {logs})", file=sys.stderr)
        return 1
    print(f"==> Smoke test passed in {time.monotonic() - started:.0f} s")
    shutil.rmtree(logs, ignore_errors=True)
    return 0


sys.exit(main())
