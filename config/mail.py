"""The site's own emails (not allauth's, which accounts.adapter dresses the same way): the site's
name before the subject, and an HTML part: the caller's, or the text part's words in our
layout. `headers` carries extra headers (List-Unsubscribe for alerts)."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string


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
        html = render_to_string(
            "email/layout.html",
            {
                "subject": subject,
                "body": body,
                "site_name": settings.SITE_NAME,
                "site_url": settings.SITE_URL,
            },
        )
    message = EmailMultiAlternatives(
        subject, body, settings.DEFAULT_FROM_EMAIL, recipient_list, headers=headers or {}
    )
    message.attach_alternative(html, "text/html")
    message.send()
