"""The real SMTP path: an alert through Django's SMTP backend to a local aiosmtpd server."""

import email
import socket
from email import policy

import pytest
from aiosmtpd.controller import Controller
from django.test import override_settings

from finance.alerts.email import EmailFailed, occurrence_email_send
from finance.models import Occurrence

pytestmark = pytest.mark.django_db


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.rcpt_tos, envelope.content))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp_settings():
    port = free_port()
    with override_settings(
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=port,
        EMAIL_HOST_USER="",
        EMAIL_HOST_PASSWORD="",
        EMAIL_USE_TLS=False,
        EMAIL_USE_SSL=False,
        EMAIL_TIMEOUT=5,
    ):
        yield port


def test_an_alert_goes_through_smtp_with_both_parts_and_the_unsubscribe_headers(
    alice, smtp_settings
):
    row = Occurrence.objects.create(
        user=alice,
        kind="budget",
        key="budget:1:2026-12:80",
        title="Food: 85% used",
        url="/budgets/",
    )
    inbox = Inbox()
    server = Controller(inbox, hostname="127.0.0.1", port=smtp_settings)
    server.start()
    try:
        assert occurrence_email_send(occurrence_id=row.pk) == "sent"
        assert occurrence_email_send(occurrence_id=row.pk) == "skipped"
    finally:
        server.stop()
    [(to, raw)] = inbox.messages
    assert to == ["alice@example.com"]
    message = email.message_from_bytes(raw, policy=policy.default)
    assert message["Subject"] == "[Ledgerline] Food: 85% used"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "/notifications/unsubscribe/" in message["List-Unsubscribe"]
    kinds = [part.get_content_type() for part in message.walk()]
    assert "text/plain" in kinds and "text/html" in kinds


def test_a_refused_connection_releases_the_claim_for_a_retry(alice, smtp_settings):
    row = Occurrence.objects.create(user=alice, kind="budget", key="k", title="Food: over")
    with pytest.raises(EmailFailed):
        occurrence_email_send(occurrence_id=row.pk)
    row.refresh_from_db()
    assert (row.emailed_at, row.email_claimed_at, row.email_attempts) == (None, None, 1)
    assert row.email_error

    inbox = Inbox()
    server = Controller(inbox, hostname="127.0.0.1", port=smtp_settings)
    server.start()
    try:
        assert occurrence_email_send(occurrence_id=row.pk) == "sent"
    finally:
        server.stop()
    assert len(inbox.messages) == 1
