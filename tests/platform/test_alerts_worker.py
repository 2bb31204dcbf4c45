"""The weekly digest as beat sends it: finance.tasks.alerts_beat in a real Celery worker,
through real SMTP to a server this test runs."""

import datetime as dt
import email
import socket
import time
from decimal import Decimal
from email import policy

import pytest
from aiosmtpd.controller import Controller

from finance import tasks
from finance.models import Occurrence
from tests.factories import AccountFactory, TransactionFactory

pytestmark = [pytest.mark.worker, pytest.mark.slow]


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope.content)
        return "250 OK"


@pytest.fixture
def smtp_inbox(monkeypatch):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    inbox = Inbox()
    server = Controller(inbox, hostname="127.0.0.1", port=port)
    server.start()
    # Read by tests.workers.worker_env when the worker starts.
    monkeypatch.setenv("EMAIL_URL", f"smtp://127.0.0.1:{port}")
    monkeypatch.setenv("TEST_EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
    yield inbox
    server.stop()


@pytest.fixture
def digest_worker(smtp_inbox, celery_worker_process):
    return celery_worker_process


def test_the_weekly_digest_is_sent_by_the_beat_task_in_a_real_worker(
    smtp_inbox, digest_worker, publish_to_worker, alice
):
    alice.date_joined -= dt.timedelta(days=30)
    alice.save()
    account = AccountFactory(item__user=alice)
    TransactionFactory(
        account=account, amount=Decimal("64.20"), date=dt.date.today(), merchant_name="Bookshop"
    )
    publish_to_worker(tasks.alerts_beat)
    publish_to_worker(tasks.alerts_beat)

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not smtp_inbox.messages:
        time.sleep(0.2)
    time.sleep(1)  # room for a wrong second email to arrive
    [raw] = smtp_inbox.messages
    message = email.message_from_bytes(raw, policy=policy.default)
    assert message["Subject"].startswith("[Ledgerline] Your week in money")
    assert message["To"] == "alice@example.com"
    assert "$64.20 Bookshop" in message.get_body(("plain",)).get_content()
    [digest] = Occurrence.objects.filter(kind="digest")
    assert digest.emailed_at is not None
