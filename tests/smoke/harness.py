"""What the smoke test runs the site with: its processes, an SMTP sink, a TLS-terminating proxy
stand-in and a cookie-keeping HTTP client. Standard library only, so a failure here is ours."""

from __future__ import annotations

import contextlib
import http.client
import http.server
import json
import os
import signal
import socket
import socketserver
import subprocess
import threading
import time
from collections.abc import Callable
from email import message_from_bytes
from email.message import Message
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode


class SmokeFailure(Exception):
    """A check failed; the message says which and what was seen."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(check: Callable[[], object], *, timeout: float, what: str, every: float = 0.5):
    """check()'s first truthy answer; exceptions count as "not yet". Fails naming `what` and
    the last answer or error when the time is up."""
    deadline = time.monotonic() + timeout
    last: object = None
    while True:
        try:
            answer = check()
            if answer:
                return answer
            last = answer
        except SmokeFailure:
            raise
        except Exception as exc:  # noqa: BLE001 (anything is "not yet"; the last one is shown)
            last = f"{exc.__class__.__name__}: {exc}"
        if time.monotonic() >= deadline:
            raise SmokeFailure(f"timed out after {timeout:.0f} s waiting for {what} (last: {last})")
        time.sleep(every)


class Processes:
    """Child processes, each in its own session (so its workers and pool children are stopped
    with it), logging to files under `logs`."""

    def __init__(self, logs: Path):
        self.logs = logs
        logs.mkdir(parents=True, exist_ok=True)
        self.running: dict[str, subprocess.Popen] = {}

    def start(self, name: str, command: str, *, env: dict, cwd: Path) -> subprocess.Popen:
        log = open(self.logs / f"{name}.log", "wb")  # noqa: SIM115 (open for the child's life)
        proc = subprocess.Popen(
            ["/bin/sh", "-c", f"exec {command}"],
            cwd=cwd,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        self.running[name] = proc
        return proc

    def check_alive(self) -> None:
        dead = {n: p.returncode for n, p in self.running.items() if p.poll() is not None}
        if dead:
            raise SmokeFailure(f"process(es) exited early: {dead}")

    def stop(self, name: str, *, sig: int = signal.SIGTERM, timeout: float = 20) -> int | None:
        """Signal the process's whole group; SIGKILL what is left after `timeout`. The exit
        status, or None when it had to be killed."""
        proc = self.running.pop(name)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, sig)
        try:
            code = proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            code = None
        if group_alive(proc.pid):
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=5)
            return None
        return code

    def stop_all(self) -> dict[str, int | None]:
        for proc in self.running.values():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
        return {name: self.stop(name) for name in list(self.running)}

    def tail(self, name: str, lines: int = 30) -> str:
        path = self.logs / f"{name}.log"
        if not path.exists():
            return ""
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


def group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    # Zombies still count for killpg; only a group with a live member matters.
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            return True
    return False


class SmtpSink(socketserver.ThreadingTCPServer):
    """Accepts every message (plain SMTP, no auth) and keeps it; what the site's email backend
    sees as a mail server."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), _SmtpSession)
        self.messages: list[Message] = []
        self.port = self.server_address[1]
        threading.Thread(target=self.serve_forever, daemon=True).start()

    def wait_for(self, to: str, *, timeout: float) -> Message:
        return wait_until(
            lambda: next((m for m in self.messages if to in m.get("To", "")), None),
            timeout=timeout,
            what=f"an email to {to} (received: {[m.get('Subject') for m in self.messages]})",
        )


class _SmtpSession(socketserver.StreamRequestHandler):
    def reply(self, line: str) -> None:
        self.wfile.write(line.encode() + b"\r\n")

    def handle(self) -> None:
        self.reply("220 smoke SMTP sink")
        while line := self.rfile.readline():
            verb = line.decode(errors="replace").strip().split(" ", 1)[0].upper()
            if verb == "EHLO":
                self.reply("250-smoke\r\n250 8BITMIME")
            elif verb == "DATA":
                self.reply("354 end with <CR><LF>.<CR><LF>")
                data = []
                while (chunk := self.rfile.readline()) not in (b".\r\n", b".\n", b""):
                    data.append(chunk[1:] if chunk.startswith(b"..") else chunk)
                self.server.messages.append(message_from_bytes(b"".join(data)))
                self.reply("250 queued")
            elif verb == "QUIT":
                self.reply("221 bye")
                return
            else:  # HELO, MAIL, RCPT, RSET, NOOP
                self.reply("250 ok")


def mail_text(message: Message) -> str:
    parts = message.walk() if message.is_multipart() else [message]
    return "\n".join(
        part.get_payload(decode=True).decode(part.get_content_charset() or "utf-8")
        for part in parts
        if part.get_content_type() == "text/plain"
    )


class Proxy(http.server.ThreadingHTTPServer):
    """The HTTPS reverse proxy of the README's deployment, minus the TLS: it forwards to the
    upstream and sets X-Forwarded-Proto to `proto` and appends the client to X-Forwarded-For,
    as nginx does (one trusted proxy: TRUSTED_PROXY_COUNT=1)."""

    daemon_threads = True

    def __init__(self, upstream_port: int, proto: str, port: int = 0):
        super().__init__(("127.0.0.1", port), _ProxyHandler)
        self.upstream_port, self.proto = upstream_port, proto
        self.port = self.server_address[1]
        threading.Thread(target=self.serve_forever, daemon=True).start()


class _ProxyHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    HOP = {"connection", "keep-alive", "transfer-encoding", "te", "upgrade", "proxy-connection"}

    def log_message(self, format, *args):  # noqa: A002 (the base class's name)
        pass

    def forward(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        headers = {k: v for k, v in self.headers.items() if k.lower() not in self.HOP}
        forwarded = self.headers.get("X-Forwarded-For")
        client = self.client_address[0]
        headers["X-Forwarded-For"] = f"{forwarded}, {client}" if forwarded else client
        headers["X-Forwarded-Proto"] = self.server.proto
        upstream = http.client.HTTPConnection("127.0.0.1", self.server.upstream_port, timeout=60)
        try:
            upstream.request(self.command, self.path, body=body, headers=headers)
            response = upstream.getresponse()
            payload = response.read()
        except OSError as exc:
            self.send_error(502, f"upstream: {exc}")
            return
        finally:
            upstream.close()
        self.send_response_only(response.status, response.reason)
        for key, value in response.getheaders():
            if key.lower() not in self.HOP and key.lower() != "content-length":
                self.send_header(key, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = do_HEAD = forward


class Response:
    def __init__(self, status: int, headers: list[tuple[str, str]], body: bytes):
        self.status, self.headers, self.body = status, headers, body
        self.text = body.decode(errors="replace")

    def header(self, name: str) -> str:
        return next((v for k, v in self.headers if k.lower() == name.lower()), "")

    def json(self) -> dict:
        return json.loads(self.body)


class Client:
    """A browser's worth of HTTP: cookies (kept with their attributes, to check them), no
    automatic redirects, and Django's CSRF header and Origin on unsafe requests."""

    def __init__(self, port: int, origin: str):
        self.port, self.origin = port, origin
        self.cookies: dict[str, str] = {}
        self.cookie_attributes: dict[str, dict] = {}

    def request(self, method: str, path: str, *, form=None, data=None, headers=None) -> Response:
        headers = {"Host": self.origin.split("://", 1)[1], **(headers or {})}
        body = None
        if form is not None:
            body = urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        elif data is not None:
            body = json.dumps(data).encode()
            headers["Content-Type"] = "application/json"
        if method != "GET":
            headers.setdefault("Origin", self.origin)
            headers.setdefault("Referer", self.origin + path)
            if self.csrf_cookie():
                headers.setdefault("X-CSRFToken", self.cookies[self.csrf_cookie()])
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            conn.request(method, path, body=body, headers=headers)
            raw = conn.getresponse()
            response = Response(raw.status, raw.getheaders(), raw.read())
        finally:
            conn.close()
        for key, value in response.headers:
            if key.lower() == "set-cookie":
                self.keep_cookie(value)
        return response

    def keep_cookie(self, header: str) -> None:
        jar = SimpleCookie()
        jar.load(header)
        for name, morsel in jar.items():
            attrs = {"secure": bool(morsel["secure"]), "httponly": bool(morsel["httponly"])}
            attrs["samesite"] = morsel["samesite"]
            self.cookie_attributes[name] = attrs
            if morsel["max-age"] == "0" or not morsel.value:
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = morsel.value

    def csrf_cookie(self) -> str:
        return next((n for n in self.cookies if n.endswith("csrftoken")), "")

    def get(self, path: str, **kw) -> Response:
        return self.request("GET", path, **kw)

    def post(self, path: str, **kw) -> Response:
        return self.request("POST", path, **kw)
