"""HTTP front end: Plaid's API, the control API and the Link look-alike on one port."""

from __future__ import annotations

import json
import logging
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from . import control, link
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


class Handler(BaseHTTPRequestHandler):
    server_version = "PlaidEmulator/1.0"
    protocol_version = "HTTP/1.1"
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
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def send_json(self, status: int, payload) -> None:
        self._send(status, json.dumps(payload).encode(), "application/json; charset=utf-8")

    def send_html(self, status: int, html: str) -> None:
        self._send(status, html.encode(), CONTENT_TYPES[".html"])

    def redirect(self, location: str) -> None:
        self._send(303, b"", "text/plain", {"Location": location})

    def _body(self):
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        if not raw.strip():
            return {}
        ctype = self.headers.get("Content-Type", "")
        if "application/x-www-form-urlencoded" in ctype:
            return {k: v[0] for k, v in parse_qs(raw.decode()).items()}
        try:
            return json.loads(raw)
        except (ValueError, UnicodeDecodeError):
            return None

    # -- verbs -------------------------------------------------------------------------------
    def do_OPTIONS(self):
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
        self.send_json(404, {"error": "not found"})

    do_HEAD = do_GET

    def do_DELETE(self):
        self._control("DELETE", urlsplit(self.path).path, {})

    def do_POST(self):
        path = urlsplit(self.path).path
        body = self._body()
        if path.startswith("/emulator/"):
            return self._control("POST", path, body)
        if path.startswith("/link/api/") or path == "/link/oauth/approve":
            return link.api(self, path, body)
        request_id = new_request_id()
        try:
            if body is None:
                raise PlaidError("INVALID_BODY")
            result = self.emu.call(path, self.headers, body)
        except PlaidError as e:
            return self.send_json(e.status, e.body(request_id))
        except Exception:  # a bug in the emulator must still look like Plaid's 500
            log.exception("unhandled error on %s", path)
            return self.send_json(500, PlaidError("INTERNAL_SERVER_ERROR").body(request_id))
        result["request_id"] = request_id
        self.send_json(200, result)

    def _control(self, method, path, body):
        if body is None:
            return self.send_json(400, {"error": "body must be JSON"})
        try:
            status, payload = control.handle(self.emu, method, path, body)
        except PlaidError as e:
            status, payload = e.status, e.body(None)
        self.send_json(status, payload)

    def _static(self, name: str):
        f = STATIC / name
        if not f.is_file() or f.suffix not in CONTENT_TYPES:
            return self.send_json(404, {"error": "not found"})
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
