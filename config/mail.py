"""The site's own emails (not allauth's, which accounts.adapter dresses the same way): the site's
name before the subject, and an HTML part: the caller's, or the text part's words in our
layout. `headers` carries extra headers (List-Unsubscribe for alerts). Operators' alerts
(ADMINS) get the same dress through admins_mail_send."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, mail_admins
from django.template.loader import render_to_string


def _layout_render(subject: str, body: str) -> str:
    return render_to_string(
        "email/layout.html",
        {
            "subject": subject,
            "body": body,
            "site_name": settings.SITE_NAME,
            "site_url": settings.SITE_URL,
        },
    )


def site_mail_send(
    *,
    subject: str,
    body: str,
    recipient_list: list[str],
    html: str | None = None,
    headers: dict[str, str] | None = None,
) -> None:
    subject = f"[{settings.SITE_NAME}] {' '.join(subject.split())}"
    if html is None:
        html = _layout_render(subject, body)
    message = EmailMultiAlternatives(
        subject, body, settings.DEFAULT_FROM_EMAIL, recipient_list, headers=headers or {}
    )
    message.attach_alternative(html, "text/html")
    message.send()


def admins_mail_send(*, subject: str, body: str) -> None:
    """An operational alert to ADMINS (subject prefixed by EMAIL_SUBJECT_PREFIX, the site's
    name). Never raises: an alert must not hide the error it reports."""
    body = f"{body}\n\n— {settings.SITE_NAME} ({settings.SITE_URL})"
    html = _layout_render(f"{settings.EMAIL_SUBJECT_PREFIX}{subject}", body)
    mail_admins(subject, body, html_message=html, fail_silently=True)
