"""HTTP front end: Plaid's API, the control API and the Link look-alike on one port."""

from __future__ import annotations

import contextlib
import json
import logging
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from . import api, control, link
from .app import Emulator
from .errors import PlaidError, new_request_id
from .webhooks import PLAID_RETRY_DELAYS

log = logging.getLogger("plaid_emulator")
STATIC = Path(__file__).parent / "link_ui"
CONTENT_TYPES = {
    ".js": "application/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".html": "text/html; charset=utf-8",
}


MAX_BODY = 16 * 1024 * 1024
PLAID_METHODS = ("GET", "HEAD", "POST", "DELETE", "OPTIONS")


# What _read_or_fail returns when it has already answered; JSON `false` is a body like any other.
UNREADABLE = object()


class BodyError(Exception):
    """The request body could not be read; the connection cannot be reused."""


class Handler(BaseHTTPRequestHandler):
    server_version = "PlaidEmulator/1.0"
    protocol_version = "HTTP/1.1"
    # Headers and body leave in one write (flushed after each request): two small writes
    # meet the client's delayed ACK and cost ~40 ms per kept-alive request.
    wbufsize = 64 * 1024
    emu: Emulator  # set on the subclass the server builds

    def log_message(self, fmt, *args):  # route through logging instead of stderr
        log.debug("%s " + fmt, self.address_string(), *args)

    # -- plumbing ----------------------------------------------------------------------------
    def _send(self, status: int, body: bytes, ctype: str, extra: dict | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Access-Control-Allow-Origin", "*")
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def send_json(self, status: int, payload) -> None:
        self._send(status, json.dumps(payload).encode(), "application/json; charset=utf-8")

    def send_html(self, status: int, html: str) -> None:
        self._send(status, html.encode(), CONTENT_TYPES[".html"])

    def redirect(self, location: str) -> None:
        self._send(303, b"", "text/plain", {"Location": location})

    def send_plaid_error(self, error: PlaidError) -> None:
        self.send_json(error.status, error.body(new_request_id()))

    def send_error(self, code, message=None, explain=None):
        # BaseHTTPRequestHandler's own errors (bad request line, oversized headers) are HTML;
        # clients of a JSON API expect Plaid's error object whatever went wrong.
        self.close_connection = True
        status = 405 if code == 501 else code
        err = PlaidError(
            "METHOD_NOT_ALLOWED" if status == 405 else "INVALID_REQUEST",
            message or "the request could not be read",
            status=status,
            error_type="INVALID_REQUEST",
        )
        with contextlib.suppress(OSError):
            self.send_json(status, err.body(new_request_id()))

    def _read_raw(self) -> bytes:
        """Read the whole body of any request, so the next one on this connection starts at
        the right byte: Content-Length, chunked, or none."""
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            chunks, total = [], 0
            while True:
                line = self.rfile.readline(1024)
                if not line:
                    raise BodyError("truncated chunked body")
                try:
                    size = int(line.split(b";", 1)[0].strip(), 16)
                except ValueError:
                    raise BodyError("bad chunk size") from None
                if size == 0:
                    while self.rfile.readline(8192) not in (b"\r\n", b"\n", b""):
                        pass  # trailers
                    return b"".join(chunks)
                total += size
                if total > MAX_BODY:
                    raise BodyError("body too large")
                chunks.append(self.rfile.read(size))
                self.rfile.readline(8)  # the CRLF after each chunk
        raw_len = self.headers.get("Content-Length") or "0"
        try:
            length = int(raw_len)
        except ValueError:
            raise BodyError("bad Content-Length") from None
        if length < 0 or length > MAX_BODY:
            raise BodyError("bad Content-Length")
        data = self.rfile.read(length) if length else b""
        if len(data) != length:
            raise BodyError("truncated body")
        return data

    def _body(self):
        """(parsed body or None when it is not JSON, raw bytes). Raises BodyError."""
        raw = self._read_raw()
        if not raw.strip():
            return {}, raw
        ctype = self.headers.get("Content-Type", "")
        if "application/x-www-form-urlencoded" in ctype:
            try:
                return {k: v[0] for k, v in parse_qs(raw.decode()).items()}, raw
            except UnicodeDecodeError:
                return None, raw
        try:
            return json.loads(raw), raw
        except (ValueError, UnicodeDecodeError, RecursionError):
            return None, raw

    def _read_or_fail(self):
        try:
            return self._body()[0]
        except BodyError as e:
            self.close_connection = True
            self.send_plaid_error(PlaidError("INVALID_BODY", f"body could not be read: {e}"))
            return UNREADABLE

    def __getattr__(self, name):
        # Any method BaseHTTPRequestHandler has no do_X for (PUT, PATCH, TRACE, FOO) gets
        # Plaid's JSON error instead of the stdlib's HTML 501.
        if name.startswith("do_"):
            return self._not_allowed
        raise AttributeError(name)

    def _not_allowed(self):
        if self._read_or_fail() is UNREADABLE:
            return
        self._send(
            405,
            json.dumps(
                PlaidError("METHOD_NOT_ALLOWED", f"method {self.command[:20]} is not allowed").body(
                    new_request_id()
                )
            ).encode(),
            "application/json; charset=utf-8",
            {"Allow": ", ".join(PLAID_METHODS)},
        )

    def _not_found(self, path: str) -> None:
        self.send_plaid_error(PlaidError("NOT_FOUND", f"unknown endpoint {path[:200]}"))

    # -- verbs -------------------------------------------------------------------------------
    def do_OPTIONS(self):
        if self._read_or_fail() is UNREADABLE:
            return
        self._send(
            204,
            b"",
            "text/plain",
            {
                "Access-Control-Allow-Methods": "GET, POST, DELETE, OPTIONS",
                "Access-Control-Allow-Headers": "Content-Type, PLAID-CLIENT-ID, PLAID-SECRET, "
                "Plaid-Version",
            },
        )

    def do_GET(self):
        if self._read_or_fail() is UNREADABLE:
            return
        url = urlsplit(self.path)
        if url.path.startswith("/emulator/"):
            return self._control("GET", url.path, {})
        if url.path == "/link/v2/stable/link-initialize.js":
            return self._static("link-initialize.js")
        if url.path.startswith("/link/static/"):
            return self._static(url.path.rsplit("/", 1)[-1])
        if url.path in ("/link/ui", "/link/oauth/consent"):
            return link.page(self, url.path, parse_qs(url.query))
        if url.path == "/":
            return self.send_json(200, {"emulator": "plaid", "docs": "docs/emulator.md"})
        if url.path in api.ROUTES:
            return self._not_allowed()
        self._not_found(url.path)

    do_HEAD = do_GET

    def do_DELETE(self):
        body = self._read_or_fail()
        if body is UNREADABLE:
            return
        path = urlsplit(self.path).path
        if path.startswith("/emulator/"):
            return self._control("DELETE", path, body)
        if path in api.ROUTES:
            return self._not_allowed()
        self._not_found(path)

    def do_POST(self):
        path = urlsplit(self.path).path
        body = self._read_or_fail()
        if body is UNREADABLE:
            return
        if path.startswith("/emulator/"):
            return self._control("POST", path, body)
        if path.startswith("/link/api/") or path == "/link/oauth/approve":
            return link.api(self, path, body if isinstance(body, dict) else {})
        request_id = new_request_id()
        try:
            if body is None:
                raise PlaidError("INVALID_BODY")
            result = self.emu.call(path, self.headers, body)
        except PlaidError as e:
            status, payload = e.status, e.body(request_id)
        except Exception:  # a bug in the emulator must still look like Plaid's 500
            log.exception("unhandled error on %s", path)
            status = 500
            payload = PlaidError("INTERNAL_SERVER_ERROR").body(request_id)
        else:
            result["request_id"] = request_id
            status, payload = 200, result
        self.emu.recorder.record(path, status, body, payload)
        self.send_json(status, payload)

    def _control(self, method, path, body):
        if not isinstance(body, dict):
            return self.send_json(400, {"error": "body must be a JSON object"})
        try:
            status, payload = control.handle(self.emu, method, path, body)
        except PlaidError as e:
            status, payload = e.status, e.body(None)
        except (TypeError, ValueError, AttributeError) as e:
            status, payload = 400, {"error": f"bad control request: {e}"}
        self.send_json(status, payload)

    def _static(self, name: str):
        f = STATIC / name
        if not f.is_file() or f.suffix not in CONTENT_TYPES:
            return self._not_found(name)
        self._send(200, f.read_bytes(), CONTENT_TYPES[f.suffix], {"Cache-Control": "no-store"})


class EmulatorServer:
    def __init__(
        self,
        host="127.0.0.1",
        port=0,
        client_id=None,
        secret=None,
        state_path=None,
        seed=1,
        webhook_retry_delays=PLAID_RETRY_DELAYS,
        ready_after_seconds=0.0,
        historical_after_seconds=0.0,
    ):
        self.emu = Emulator(
            client_id=client_id,
            secret=secret,
            seed=seed,
            webhook_retry_delays=webhook_retry_delays,
            ready_after_seconds=ready_after_seconds,
            historical_after_seconds=historical_after_seconds,
            state_path=state_path,
        )
        handler = type("BoundHandler", (Handler,), {"emu": self.emu})
        self.httpd = ThreadingHTTPServer((host, port), handler)
        self.httpd.daemon_threads = True
        self.host, self.port = self.httpd.server_address[:2]
        self.url = f"http://{self.host}:{self.port}"
        self.emu.base_url = self.url
        self.thread: threading.Thread | None = None

    @property
    def client_id(self) -> str:
        return self.emu.client_id

    @property
    def secret(self) -> str:
        return self.emu.secret

    def start(self) -> EmulatorServer:
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, daemon=True, name=f"plaid-emulator-{self.port}"
        )
        self.thread.start()
        return self

    def serve_forever(self) -> None:
        self.httpd.serve_forever()

    def reset(self) -> None:
        self.emu.reset()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.emu.close()
