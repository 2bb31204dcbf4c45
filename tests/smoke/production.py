"""The site as the README deploys it, driven over real HTTP.

The Procfile's processes exactly (gunicorn, the user-facing and the bulk Celery worker nodes,
beat) with DJANGO_DEBUG off, plus the Plaid emulator, against PostgreSQL and Redis, behind a
proxy that sets X-Forwarded-Proto (TRUSTED_PROXY_COUNT=1) and with a local SMTP sink: sign up,
confirm the email from the link in the mail, link a bank through the emulator's Link, see the
transactions, receive and process a webhook, run the daily dispatcher once, and stop.
"""

from __future__ import annotations

import re
import secrets
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
from cryptography.fernet import Fernet

from .harness import (
    Client,
    Processes,
    Proxy,
    SmokeFailure,
    SmtpSink,
    free_port,
    mail_text,
    wait_until,
)

ROOT = Path(__file__).resolve().parents[2]
EMAIL = "smoke@example.com"
PASSWORD = "smoke-test-Passw0rd-91"
BANK = "ins_109508"  # First Platypus Bank: username/password, no MFA


def step(text: str) -> None:
    print(f"  - {text}", flush=True)


def check(condition: object, message: str) -> None:
    if not condition:
        raise SmokeFailure(message)


def procfile() -> dict[str, str]:
    lines = (ROOT / "Procfile").read_text().splitlines()
    return {
        name.strip(): command.strip()
        for name, command in (line.split(":", 1) for line in lines if ":" in line)
    }


def database_create(url: str) -> str:
    """A fresh database beside the one in DATABASE_URL (which the test run has used)."""
    name = f"ledgerline_smoke_{secrets.token_hex(3)}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return url.rsplit("/", 1)[0] + "/" + name


def database_drop(url: str, smoke_url: str) -> None:
    name = smoke_url.rsplit("/", 1)[1]
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class Site:
    def __init__(self, database_url: str, redis_url: str, logs: Path):
        self.procs = Processes(logs)
        self.smtp = SmtpSink()
        self.web_port, self.emulator_port = free_port(), free_port()
        self.https = Proxy(self.web_port, "https")
        self.http = Proxy(self.web_port, "http")
        self.origin = f"https://localhost:{self.https.port}"
        self.health_token = secrets.token_urlsafe(24)
        run = f"smoke-{secrets.token_hex(3)}"
        venv = Path(sys.executable).parent
        self.env = {
            "PATH": f"{venv}:/usr/local/bin:/usr/bin:/bin",
            "HOME": str(Path.home()),
            "LANG": "C.UTF-8",
            "PYTHONUNBUFFERED": "1",
            "DJANGO_DEBUG": "false",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "FERNET_KEYS": Fernet.generate_key().decode(),
            "SITE_URL": self.origin,
            "ALLOWED_HOSTS": "localhost,127.0.0.1",
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "EMAIL_URL": f"smtp://127.0.0.1:{self.smtp.port}",
            "ADMINS": "ops@example.com",
            "ACCOUNT_EMAIL_VERIFICATION": "mandatory",
            "TRUSTED_PROXY_COUNT": "1",
            "HEALTH_TOKEN": self.health_token,
            "PLAID_ENV": "emulator",
            "PLAID_EMULATOR_URL": f"http://127.0.0.1:{self.emulator_port}",
            # Plaid posts to the public https URL; here the proxy stands in for TLS.
            "PLAID_WEBHOOK_URL": f"http://127.0.0.1:{self.https.port}/webhook",
            "CELERY_TASK_ALWAYS_EAGER": "false",
            # Queues and cache keys of this run only: a shared Redis may hold others' work.
            "CELERY_TASK_DEFAULT_QUEUE": run,
            "CELERY_BULK_QUEUE": f"{run}-bulk",
            "CACHE_KEY_PREFIX": run,
            "PORT": str(self.web_port),
            "WEB_CONCURRENCY": "2",
            "WORKER_CONCURRENCY": "2",
            "BULK_WORKER_CONCURRENCY": "1",
            "LOG_LEVEL": "INFO",
        }
        self.emulator = f"http://127.0.0.1:{self.emulator_port}"

    def manage(self, *args: str, timeout: float = 120) -> None:
        done = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if done.returncode:
            raise SmokeFailure(f"manage.py {' '.join(args)} failed:\n{done.stdout}{done.stderr}")

    def start(self) -> None:
        # The deploy checks refuse PLAID_ENV=emulator with debug off (the emulator is never a
        # production Plaid); .ci/run's `check --deploy` covers them with sandbox keys.
        self.manage("migrate", "--noinput", "--skip-checks")
        self.manage("collectstatic", "--noinput", "--skip-checks")
        self.procs.start(
            "emulator",
            f"{sys.executable} -m plaid_emulator --host 127.0.0.1 --port {self.emulator_port}",
            env=self.env,
            cwd=ROOT,
        )
        for name, command in procfile().items():
            self.procs.start(name, command, env=self.env, cwd=ROOT)

    def client(self) -> Client:
        return Client(self.https.port, self.origin)

    def health(self) -> dict:
        response = self.client().get(
            "/health/?format=json", headers={"Authorization": f"Bearer {self.health_token}"}
        )
        self.procs.check_alive()
        return response.json()

    def emu(self, method: str, path: str, data: dict | None = None) -> dict:
        response = Client(self.emulator_port, self.emulator).request(method, path, data=data)
        check(response.status == 200, f"emulator {path}: {response.status} {response.text}")
        return response.json()

    def sql(self, query: str, *params) -> list[tuple]:
        with psycopg.connect(self.env["DATABASE_URL"], autocommit=True) as conn:
            cursor = conn.execute(query, params)
            return cursor.fetchall() if cursor.description else []


def form_token(html: str) -> str:
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    check(found, "no CSRF token in the form")
    return found.group(1)


def scenario(site: Site) -> None:
    step("every part is up: /health/ with the token reports database, Redis, worker, beat")
    report = wait_until(
        lambda: (h := site.health()).get("status") == "ok" and h,
        timeout=90,
        what="/health/ to report every component up",
    )
    check(
        {"database", "redis", "celery_worker", "celery_beat"} <= set(report["checks"]),
        f"/health/ leaves parts out: {report}",
    )

    step("plain HTTP is redirected to HTTPS; HTTPS answers with HSTS")
    plain = Client(site.http.port, site.origin.replace("https:", "http:"))
    redirect = plain.get("/accounts/login/")
    check(
        redirect.status == 301 and redirect.header("Location") == f"{site.origin}/accounts/login/",
        f"http:// answered {redirect.status} {redirect.header('Location')!r}",
    )
    browser = site.client()
    page = browser.get("/accounts/signup/")
    check(page.status == 200, f"/accounts/signup/ answered {page.status}")
    check(page.header("Strict-Transport-Security"), "no HSTS header over https")
    csrf = browser.cookie_attributes.get("__Secure-csrftoken", {})
    check(csrf.get("secure"), f"the CSRF cookie is not __Secure-/Secure: {browser.cookies}")

    step("sign up; the confirmation email arrives at the SMTP sink with an https link")
    signup = browser.post(
        "/accounts/signup/",
        form={
            "csrfmiddlewaretoken": form_token(page.text),
            "email": EMAIL,
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )
    check(signup.status == 302, f"sign-up answered {signup.status}: {signup.text[:500]}")
    mail = mail_text(site.smtp.wait_for(EMAIL, timeout=30))
    link = re.search(r"(https?://\S+/accounts/confirm-email/\S+/)", mail)
    check(link, f"no confirmation link in the email:\n{mail}")
    check(link.group(1).startswith(site.origin + "/"), f"link is not https: {link.group(1)}")
    check(browser.get("/").status == 302, "the dashboard opened before the email was confirmed")

    step("confirm the email: signed in, with a __Secure- HttpOnly session cookie")
    path = urlsplit(link.group(1)).path
    confirm = browser.get(path)
    check(confirm.status == 200, f"confirmation page answered {confirm.status}")
    done = browser.post(path, form={"csrfmiddlewaretoken": form_token(confirm.text)})
    check(done.status == 302, f"confirming answered {done.status}: {done.text[:300]}")
    session = browser.cookie_attributes.get("__Secure-sessionid", {})
    check(session.get("secure") and session.get("httponly"), f"session cookie: {session}")
    dashboard = browser.get("/")
    check(dashboard.status == 200, f"the dashboard answered {dashboard.status}")

    step("link First Platypus Bank through the emulator's Link (user_good / pass_good)")
    token = browser.post("/link/token/", data={})
    check(token.status == 200, f"/link/token/ answered {token.status}: {token.text}")
    link_token = token.json()["link_token"]
    sid = site.emu("POST", "/link/api/init", {"token": link_token})["link_session_id"]
    site.emu("POST", "/link/api/select", {"link_session_id": sid, "institution_id": BANK})
    accounts = site.emu(
        "POST",
        "/link/api/credentials",
        {"link_session_id": sid, "username": "user_good", "password": "pass_good"},
    )
    check(accounts.get("step") == "accounts", f"Link after credentials: {accounts}")
    success = site.emu(
        "POST",
        "/link/api/complete",
        {"link_session_id": sid, "account_ids": [a["id"] for a in accounts["accounts"]]},
    )
    check(success.get("step") == "success", f"Link did not succeed: {success}")
    exchange = browser.post(
        "/link/exchange/",
        data={
            "public_token": success["public_token"],
            "metadata": success["metadata"],
            "link_token": link_token,
        },
    )
    check(exchange.status == 200, f"/link/exchange/ answered {exchange.status}: {exchange.text}")

    step("the first sync runs on the worker: /transactions/ lists the bank's transactions")
    rows = wait_until(
        lambda: browser.get("/transactions/").text.count("data-txn="),
        timeout=60,
        what="transactions on /transactions/",
    )
    step(f"{rows} transactions on its first page")
    (item_id,) = (i["item_id"] for i in site.emu("GET", "/emulator/items")["items"])

    step("a day passes at the bank: its webhooks arrive, verified, stored and processed")
    before = len(site.emu("GET", "/emulator/webhooks")["webhooks"])
    site.emu("POST", f"/emulator/items/{item_id}/advance", {"days": 1})
    delivered = wait_until(
        lambda: [
            w
            for w in site.emu("GET", "/emulator/webhooks")["webhooks"][before:]
            if w["webhook_code"] == "SYNC_UPDATES_AVAILABLE"
        ],
        timeout=30,
        what="the emulator to deliver SYNC_UPDATES_AVAILABLE",
    )
    check(delivered[0]["status"] == 200, f"the webhook was answered {delivered[0]}")
    wait_until(
        lambda: site.sql(
            "SELECT count(*) FROM banking_webhookevent WHERE plaid_item_id = %s AND "
            "webhook_code = 'SYNC_UPDATES_AVAILABLE' AND processed_at IS NOT NULL AND "
            "received_at > now() - interval '5 minutes'",
            item_id,
        )[0][0],
        timeout=45,
        what="the webhook event to be processed",
    )
    wait_until(
        lambda: site.sql(
            "SELECT count(*) FROM banking_syncrun r JOIN banking_plaiditem i ON r.item_id = i.id "
            "WHERE i.item_id = %s AND r.trigger = 'webhook' AND r.outcome = 'success'",
            item_id,
        )[0][0],
        timeout=45,
        what="the webhook's sync to succeed",
    )

    step("the daily dispatcher, run once on the bulk queue, syncs the bank that is due")
    site.sql(
        "UPDATE banking_plaiditem SET next_refresh_at = now() - interval '1 minute' "
        "WHERE item_id = %s",
        item_id,
    )
    sent = subprocess.run(
        ["celery", "-A", "config", "call", "banking.tasks.dispatch_due_syncs"],
        cwd=ROOT,
        env=site.env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    check(sent.returncode == 0, f"celery call failed: {sent.stdout}{sent.stderr}")
    wait_until(
        lambda: site.sql(
            "SELECT count(*) FROM banking_syncrun r JOIN banking_plaiditem i ON r.item_id = i.id "
            "WHERE i.item_id = %s AND r.trigger = 'daily' AND r.outcome = 'success'",
            item_id,
        )[0][0],
        timeout=60,
        what="the dispatched daily sync to succeed",
    )
    (due,) = site.sql(
        "SELECT next_refresh_at > now() FROM banking_plaiditem WHERE item_id = %s", item_id
    )[0]
    check(due, "the dispatched item was not scheduled again")
    check(site.health().get("status") == "ok", "/health/ is not ok after the run")


def run(database_url: str, redis_url: str, logs: Path) -> None:
    smoke_db = database_create(database_url)
    site = Site(smoke_db, redis_url, logs)
    started = time.monotonic()
    try:
        site.start()
        scenario(site)
    except BaseException:
        for name in ["emulator", *procfile()]:
            print(f"\n----- {name} (last lines) -----\n{site.procs.tail(name)}", file=sys.stderr)
        raise
    finally:
        codes = site.procs.stop_all()
        site.https.shutdown()
        site.http.shutdown()
        site.smtp.shutdown()
        database_drop(database_url, smoke_db)
    killed = [name for name, code in codes.items() if code is None]
    check(not killed, f"did not stop within 20 s of SIGTERM: {killed}")
    step(f"every process stopped on SIGTERM ({time.monotonic() - started:.0f} s in all)")
    errors = [
        f"{log.stem}: {line}"
        for log in logs.glob("*.log")
        for line in log.read_text(errors="replace").splitlines()
        if ("Traceback" in line or '"levelname": "ERROR"' in line or " ERROR " in line)
        # /health/ answers 503 (and logs it) while the workers are still starting; its verdict
        # is checked directly, before and after the run.
        and not _health_noise(line)
    ]
    check(not errors, "errors in the logs:\n" + "\n".join(errors[:20]))


def _health_noise(line: str) -> bool:
    return '"name": "health_check"' in line or "/health/" in line
