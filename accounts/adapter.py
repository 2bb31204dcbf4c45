"""allauth adapter: our client-IP rule for its rate limits, a lockout message with a time,
failed sign-ins of existing accounts in their owner's security log, and the site's name in
every email."""

from urllib.parse import urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives
from django.http import HttpRequest
from django.template.loader import render_to_string

from config.client_ip import client_ip

from .models import SecurityEvent
from .security import security_event_record


class EmailSite:
    """What allauth's email templates read as `current_site`: our name and address, not the
    host name the request happened to arrive on ("localhost:8000")."""

    def __init__(self) -> None:
        self.name = settings.SITE_NAME
        self.domain = urlsplit(settings.SITE_URL).netloc


class AccountAdapter(DefaultAccountAdapter):
    def render_mail(self, template_prefix, email, context, headers=None):
        # Our name and address for every email, whatever host the request arrived on. Each
        # email has its own text and HTML template (templates/account/email, mfa/email), the
        # HTML ones on templates/email/base.html.
        context = {
            **context,
            "current_site": EmailSite(),
            "site_name": settings.SITE_NAME,
            "site_url": settings.SITE_URL,
        }
        msg = super().render_mail(template_prefix, email, context, headers=headers)
        # A text-only template (one allauth adds in a later version) still gets an HTML part:
        # the layout around the text part's own words, so the two never say different things.
        if isinstance(msg, EmailMultiAlternatives) and not msg.alternatives:
            html = render_to_string(
                "email/layout.html",
                {
                    "subject": msg.subject,
                    "body": msg.body,
                    "site_name": settings.SITE_NAME,
                    "site_url": settings.SITE_URL,
                },
            )
            msg.attach_alternative(html, "text/html")
        return msg

    def get_client_ip(self, request: HttpRequest) -> str:
        # One rule for every throttle (allauth's and ours): see config.client_ip.
        return client_ip(request)

    @property
    def error_messages(self) -> dict:
        minutes = settings.LOGIN_LOCKOUT_MINUTES
        return {
            **DefaultAccountAdapter.error_messages,
            "too_many_login_attempts": (
                "Too many failed sign-in attempts. Try again in "
                f"{minutes} minute{'s' if minutes != 1 else ''}."
            ),
        }

    def authentication_failed(self, request: HttpRequest, **credentials) -> None:
        email = (credentials.get("email") or "").strip()
        user = get_user_model().objects.filter(email__iexact=email).first() if email else None
        if user is not None:
            security_event_record(
                user=user, kind=SecurityEvent.Kind.SIGN_IN_FAILED, request=request
            )
