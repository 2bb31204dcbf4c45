"""Staff must have an authenticator app before they can use the admin.

allauth's login already asks for the TOTP code of anyone who has one; this closes the other
half (a staff account without MFA) when settings.MFA_REQUIRED_FOR_STAFF is on.
"""

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


class StaffMFARequiredMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if self._must_set_up_mfa(request):
            messages.warning(request, MESSAGE)
            target = reverse("mfa_activate_totp")
            return redirect(f"{target}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)

    @staticmethod
    def _must_set_up_mfa(request) -> bool:
        if not getattr(settings, "MFA_REQUIRED_FOR_STAFF", False):
            return False
        if not request.path.startswith(reverse("admin:index")):
            return False
        user = request.user
        if not (user.is_authenticated and user.is_staff):
            return False
        return not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
