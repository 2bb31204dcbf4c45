"""The README's quick start: `make run` in a fresh clone serves the site with every component
up on /health/, and Ctrl-C (SIGINT to its process group, as a terminal sends it) stops it all.

The clone gets its packages from this checkout (a virtualenv that reads this one's
site-packages, node_modules entries linked in, and set-up's "installed" stamps), so the run
does not download anything; everything else (.env with fresh keys, migrations, static files,
honcho and its processes) is `make run`'s own doing.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import shutil
import signal
import subprocess
import sys
import sysconfig
import tempfile
import time
from pathlib import Path

from .harness import Client, Processes, SmokeFailure, free_port, group_alive, wait_until

ROOT = Path(__file__).resolve().parents[2]
PURELIB = "import sysconfig; print(sysconfig.get_paths()['purelib'])"


def stamp(*files: Path) -> str:
    # The same digest scripts/setup.sh writes after installing, so set-up finds it done.
    return hashlib.sha256(b"".join(f.read_bytes() for f in files)).hexdigest()[:16]


def clone(to: Path) -> None:
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(to)], check=True, timeout=60)
    venv = to / ".venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    site_packages = Path(
        subprocess.check_output([str(venv / "bin" / "python"), "-c", PURELIB], text=True).strip()
    )
    ours = sysconfig.get_paths()["purelib"]
    (site_packages / "ledgerline-smoke.pth").write_text(f"import site; site.addsitedir({ours!r})\n")
    for script in ("celery", "gunicorn", "honcho"):
        (venv / "bin" / script).symlink_to(Path(sys.executable).parent / script)
    (venv / f".installed-{stamp(to / 'requirements.txt', to / 'requirements.txt')}").touch()
    modules = to / "node_modules"
    modules.mkdir()
    for entry in (ROOT / "node_modules").iterdir():
        if not entry.name.startswith(".installed-"):
            (modules / entry.name).symlink_to(entry.resolve())
    (modules / f".installed-{stamp(to / 'package.json', to / 'package-lock.json')}").touch()


def run(redis_url: str, logs: Path) -> None:
    workdir = Path(tempfile.mkdtemp(prefix="ledgerline-quickstart-"))
    repo = workdir / "ledgerline"
    procs = Processes(logs)
    web_port, emulator_port = free_port(), free_port()
    token = secrets.token_urlsafe(24)
    queue = f"quickstart-{secrets.token_hex(3)}"
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(Path.home()),
        "LANG": "C.UTF-8",
        # Only what a second instance on a shared machine must change; the rest is .env's.
        "SITE_URL": f"http://127.0.0.1:{web_port}",
        "PLAID_EMULATOR_URL": f"http://127.0.0.1:{emulator_port}",
        "REDIS_URL": redis_url,
        "HEALTH_TOKEN": token,
        "CELERY_TASK_DEFAULT_QUEUE": queue,
        "CELERY_BULK_QUEUE": f"{queue}-bulk",
        "CACHE_KEY_PREFIX": queue,
    }
    try:
        clone(repo)
        started = time.monotonic()
        make = procs.start("make-run", "make run", env=env, cwd=repo)
        site = Client(web_port, env["SITE_URL"])

        def healthy():
            if make.poll() is not None:
                raise SmokeFailure(
                    f"make run exited ({make.returncode}):\n{procs.tail('make-run')}"
                )
            answer = site.get(
                "/health/?format=json", headers={"Authorization": f"Bearer {token}"}
            ).json()
            return answer.get("status") == "ok" and answer

        report = wait_until(
            healthy, timeout=150, what="make run's /health/ to report all up", every=1
        )
        took = time.monotonic() - started
        print(f"  - /health/ all up after {took:.0f} s: {sorted(report['checks'])}")
        home = site.get("/")
        login = site.get("/accounts/login/")
        if home.status not in (200, 302) or login.status != 200:
            raise SmokeFailure(f"/ answered {home.status}, /accounts/login/ {login.status}")
        print(
            f"  - / answers {home.status} -> {home.header('Location') or '(page)'}; login page 200"
        )

        os.killpg(make.pid, signal.SIGINT)
        stopping = time.monotonic()
        wait_until(lambda: not group_alive(make.pid), timeout=30, what="make run to stop on SIGINT")
        make.wait(timeout=5)
        print(f"  - stopped on SIGINT in {time.monotonic() - stopping:.1f} s, nothing left running")
    except BaseException:
        print(f"\n----- make run (last lines) -----\n{procs.tail('make-run', 60)}", file=sys.stderr)
        raise
    finally:
        procs.stop_all()
        shutil.rmtree(workdir, ignore_errors=True)
