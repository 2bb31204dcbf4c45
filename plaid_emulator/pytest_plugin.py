"""pytest fixtures: `pytest_plugins = ["plaid_emulator.pytest_plugin"]`.

- emulator_server: one in-process emulator per session, with webhook retries compressed.
- emulator: that server, reset (state, faults, rate limits, webhook log) before the test.
- plaid_client: a real plaid_api.PlaidApi pointed at the emulator.
- webhook_receiver: a local HTTP endpoint that records webhooks (raw bytes and headers).
"""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from .app import DEMO_CLIENT_ID, DEMO_SECRET
from .server import EmulatorServer

FAST_RETRIES = (0.05, 0.2)


def pytest_configure(config):
    config.addinivalue_line("markers", "browser: drives Chromium through the Link look-alike")


@pytest.fixture(scope="session")
def emulator_server():
    srv = EmulatorServer(
        host="127.0.0.1",
        port=0,
        client_id=DEMO_CLIENT_ID,
        secret=DEMO_SECRET,
        seed=1,
        webhook_retry_delays=FAST_RETRIES,
    ).start()
    yield srv
    srv.stop()


@pytest.fixture
def emulator(emulator_server):
    emulator_server.reset()
    yield emulator_server


@pytest.fixture
def plaid_client(emulator):
    import plaid
    from plaid.api import plaid_api

    cfg = plaid.Configuration(
        host=emulator.url,
        api_key={
            "clientId": emulator.client_id,
            "secret": emulator.secret,
            "plaidVersion": "2020-09-14",
        },
    )
    return plaid_api.PlaidApi(plaid.ApiClient(cfg))


class WebhookReceiver:
    """Records every POST. `statuses` is consumed one per request (then 200), so a test can
    make the first deliveries fail and watch the retries."""

    def __init__(self):
        self.received: list[dict] = []
        self.statuses: list[int] = []
        self.cond = threading.Condition()
        recv = self

        class H(BaseHTTPRequestHandler):
            def log_message(self, *a):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with recv.cond:
                    status = recv.statuses.pop(0) if recv.statuses else 200
                    recv.received.append(
                        {
                            "path": self.path,
                            "headers": dict(self.headers),
                            "body": body,
                            "status": status,
                        }
                    )
                    recv.cond.notify_all()
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), H)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/webhook"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def clear(self):
        with self.cond:
            self.received, self.statuses = [], []

    def wait_for(self, predicate=lambda r: True, count=1, timeout=5.0) -> list[dict]:
        """Wait until `count` recorded webhooks satisfy `predicate`; return them."""
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                hits = [r for r in self.received if predicate(r)]
                if len(hits) >= count:
                    return hits
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"expected {count} webhook(s), got {self.received!r}")
                self.cond.wait(left)

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture(scope="session")
def _webhook_receiver_session():
    recv = WebhookReceiver()
    yield recv
    recv.close()


@pytest.fixture
def webhook_receiver(_webhook_receiver_session):
    _webhook_receiver_session.clear()
    return _webhook_receiver_session
