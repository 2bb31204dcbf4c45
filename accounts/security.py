"""The account security log (accounts.models.SecurityEvent) and the emails that go with it.

`security_event_record` is the one way to write an entry; other apps (data export, bank removal)
call it with their own `kind`. Receivers below turn allauth's signals into entries; allauth
itself emails password, email and MFA changes (ACCOUNT_EMAIL_NOTIFICATIONS), and a sign-in from
a browser this account never used before is emailed here.
"""

import logging

from allauth.account import signals as account_signals
from allauth.account.adapter import get_adapter
from allauth.mfa import signals as mfa_signals
from allauth.mfa.models import Authenticator
from django.contrib import messages
from django.contrib.auth.base_user import AbstractBaseUser
from django.dispatch import receiver
from django.http import HttpRequest

from config.client_ip import client_ip

from .models import SecurityEvent

logger = logging.getLogger(__name__)
USER_AGENT_MAX = 300


def _user_agent(request: HttpRequest | None) -> str:
    if request is None:
        return ""
    return request.META.get("HTTP_USER_AGENT", "")[:USER_AGENT_MAX]


def security_event_record(
    *, user: AbstractBaseUser, kind: str, request: HttpRequest | None = None, **details
) -> SecurityEvent:
    """Append an entry to `user`'s security log; `details` must hold no secret."""
    return SecurityEvent.objects.create(
        user=user,
        kind=SecurityEvent.Kind(kind),
        ip=client_ip(request) if request is not None else "",
        user_agent=_user_agent(request),
        details=details,
    )


def security_events_for_user(*, user: AbstractBaseUser, limit: int = 100) -> list[SecurityEvent]:
    return list(SecurityEvent.objects.filter(user=user)[:limit])


def _is_new_browser(user: AbstractBaseUser, user_agent: str) -> bool:
    signed_in = SecurityEvent.objects.filter(user=user, kind=SecurityEvent.Kind.SIGNED_IN)
    # The very first sign-in (just after sign-up) is not news to anyone.
    return signed_in.exists() and not signed_in.filter(user_agent=user_agent).exists()


@receiver(account_signals.user_logged_in)
def _signed_in(sender, request, user, **kwargs):
    new_browser = _is_new_browser(user, _user_agent(request))
    security_event_record(user=user, kind=SecurityEvent.Kind.SIGNED_IN, request=request)
    if new_browser:
        security_event_record(user=user, kind=SecurityEvent.Kind.NEW_BROWSER, request=request)
        get_adapter(request).send_notification_mail("account/email/new_browser", user)


@receiver(account_signals.password_changed)
@receiver(account_signals.password_set)
def _password_changed(sender, request, user, **kwargs):
    security_event_record(user=user, kind=SecurityEvent.Kind.PASSWORD_CHANGED, request=request)


@receiver(account_signals.password_reset)
def _password_reset(sender, request, user, **kwargs):
    security_event_record(user=user, kind=SecurityEvent.Kind.PASSWORD_RESET, request=request)


@receiver(account_signals.email_changed)
def _email_changed(sender, request, user, from_email_address, to_email_address, **kwargs):
    security_event_record(
        user=user,
        kind=SecurityEvent.Kind.EMAIL_CHANGED,
        request=request,
        to=to_email_address.email,
    )


@receiver(mfa_signals.authenticator_added)
def _mfa_added(sender, request, user, authenticator, **kwargs):
    if authenticator.type == Authenticator.Type.RECOVERY_CODES:
        security_event_record(
            user=user,
            kind=SecurityEvent.Kind.RECOVERY_CODES,
            request=request,
            type=authenticator.type,
        )
        return
    event = security_event_record(
        user=user, kind=SecurityEvent.Kind.MFA_ENABLED, request=request, type=authenticator.type
    )
    if request is not None:
        # Whoever enrolled sees that it is on the record (and the owner gets an email).
        messages.info(
            request,
            f"Recorded in your security log: {event.get_kind_display().lower()} from "
            f"{event.ip or 'an unknown address'}.",
        )


@receiver(mfa_signals.authenticator_reset)
def _mfa_reset(sender, request, user, authenticator, **kwargs):
    security_event_record(
        user=user, kind=SecurityEvent.Kind.RECOVERY_CODES, request=request, type=authenticator.type
    )


@receiver(mfa_signals.authenticator_removed)
def _mfa_removed(sender, request, user, authenticator, **kwargs):
    if authenticator.type == Authenticator.Type.RECOVERY_CODES:
        return  # removed together with the authenticator app; one entry says it
    security_event_record(
        user=user, kind=SecurityEvent.Kind.MFA_DISABLED, request=request, type=authenticator.type
    )
