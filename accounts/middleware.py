"""The admin needs a session that passed MFA, not merely a staff account that has a TOTP.

A stolen staff password alone must not open the admin: with settings.MFA_REQUIRED_FOR_STAFF on,
a staff session reaches /admin/ only after a TOTP (or recovery) code was entered in this very
session, at sign-in or through allauth's MFA re-authentication. A staff account without an
authenticator is sent to set one up; allauth asks for the password again before that, and the
enrolment is written to the account's security log and emailed to its owner (accounts.security).
"""

from allauth.account.authentication import get_authentication_records
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

MESSAGE = (
    "Staff accounts need two-factor authentication. Set up an authenticator app to continue "
    "to the admin."
)
CODE_MESSAGE = "Enter a code from your authenticator app to continue to the admin."


def session_passed_mfa(request) -> bool:
    records = get_authentication_records(request, request.user)
    return any(record.get("method") == "mfa" for record in records)


class StaffMFARequiredMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if self._applies(request) and not session_passed_mfa(request):
            user = request.user
            has_totp = Authenticator.objects.filter(
                user=user, type=Authenticator.Type.TOTP
            ).exists()
            messages.warning(request, CODE_MESSAGE if has_totp else MESSAGE)
            target = reverse("mfa_reauthenticate" if has_totp else "mfa_activate_totp")
            return redirect(f"{target}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)

    @staticmethod
    def _applies(request) -> bool:
        if not getattr(settings, "MFA_REQUIRED_FOR_STAFF", False):
            return False
        if not request.path.startswith(reverse("admin:index")):
            return False
        user = request.user
        return user.is_authenticated and user.is_staff
