"""The site's own emails (not allauth's, which accounts.adapter dresses the same way): the site's
name before the subject, and an HTML part that is the text part's words in our layout."""

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string


def site_mail_send(*, subject: str, body: str, recipient_list: list[str]) -> None:
    subject = f"[{settings.SITE_NAME}] {' '.join(subject.split())}"
    html = render_to_string(
        "email/layout.html",
        {
            "subject": subject,
            "body": body,
            "site_name": settings.SITE_NAME,
            "site_url": settings.SITE_URL,
        },
    )
    send_mail(
        subject,
        body,
        settings.DEFAULT_FROM_EMAIL,
        recipient_list,
        html_message=html,
    )
