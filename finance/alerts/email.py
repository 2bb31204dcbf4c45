"""Sending an occurrence's email, at most once barring one crash window, and the signed
one-click unsubscribe links it carries (RFC 8058).

The send is claimed with a conditional UPDATE (a lease on `email_claimed_at`), so a task
delivered twice, or the task and the beat sweep, never send the same email together. The one
case that can repeat: the mail server accepted the email and the process died before
`emailed_at` was written; once the lease runs out the sweep sends it again.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.utils import timezone

from config.mail import site_mail_send

from ..models import AlertKind, Occurrence
from .preferences import alert_preferences

SALT = "finance.alerts.unsubscribe"
# Far longer than an SMTP exchange (EMAIL_TIMEOUT): a claim this old lost its sender.
EMAIL_LEASE_SECONDS = 5 * 60
EMAIL_MAX_ATTEMPTS = 6


class EmailFailed(Exception):
    pass


def unsubscribe_token(*, user, kind: str) -> str:
    return signing.dumps([user.public_id.hex, kind], salt=SALT, compress=True)


def unsubscribe_read(token: str):
    """(user, kind) from a token, or None when it is forged, mangled or names no one."""
    try:
        public_id, kind = signing.loads(token, salt=SALT)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    if kind not in AlertKind.values:
        return None
    user = get_user_model().objects.filter(public_id=public_id).first()
    return (user, kind) if user else None


def unsubscribe_url(*, user, kind: str) -> str:
    return (
        f"{settings.SITE_URL}/notifications/unsubscribe/{unsubscribe_token(user=user, kind=kind)}/"
    )


def occurrence_email_send(*, occurrence_id: int) -> str:
    """'sent', 'skipped' (sent, claimed by another sender, gone, or the alert was turned off
    since) or raises EmailFailed (the claim is released for a retry)."""
    now = timezone.now()
    lease_lost = now - timedelta(seconds=EMAIL_LEASE_SECONDS)
    claimed = (
        Occurrence.objects.filter(pk=occurrence_id, emailed_at__isnull=True)
        .filter(Q(email_claimed_at__isnull=True) | Q(email_claimed_at__lt=lease_lost))
        .update(email_claimed_at=now, email_attempts=F("email_attempts") + 1)
    )
    if not claimed:
        return "skipped"
    row = Occurrence.objects.select_related("user").get(pk=occurrence_id)
    mine = Occurrence.objects.filter(pk=occurrence_id, email_claimed_at=now)
    if not alert_preferences(user=row.user)[row.kind].enabled:
        mine.update(email_claimed_at=None, emailed_at=now, email_error="turned off")
        return "skipped"
    try:
        _send(row)
    except Exception as exc:
        mine.update(email_claimed_at=None, email_error=type(exc).__name__[:300])
        raise EmailFailed(type(exc).__name__) from exc
    mine.update(email_claimed_at=None, emailed_at=timezone.now(), email_error="")
    return "sent"


def occurrences_unsent(*, limit: int = 200) -> list[int]:
    """Emails whose task was lost (broker down, worker died, retries spent on an outage)."""
    cutoff = timezone.now() - timedelta(seconds=EMAIL_LEASE_SECONDS)
    return list(
        Occurrence.objects.filter(
            emailed_at__isnull=True, created_at__lt=cutoff, email_attempts__lt=EMAIL_MAX_ATTEMPTS
        )
        .filter(Q(email_claimed_at__isnull=True) | Q(email_claimed_at__lt=cutoff))
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )


def _send(row: Occurrence) -> None:
    off = unsubscribe_url(user=row.user, kind=row.kind)
    context = {
        "occurrence": row,
        "link": f"{settings.SITE_URL}{row.url}" if row.url.startswith("/") else row.url,
        "unsubscribe_url": off,
        "settings_url": f"{settings.SITE_URL}/notifications/settings/",
        "kind_label": AlertKind(row.kind).label,
        "site_name": settings.SITE_NAME,
        "site_url": settings.SITE_URL,
    }
    site_mail_send(
        subject=row.title,
        body=render_to_string("finance/alerts/email/alert.txt", context),
        html=render_to_string("finance/alerts/email/alert.html", context),
        recipient_list=[row.user.email],
        headers={
            "List-Unsubscribe": f"<{off}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
