from allauth.account.decorators import reauthentication_required
from allauth.mfa.models import Authenticator
from allauth.usersessions.models import UserSession
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from .forms import DeleteAccountForm, TimeZoneForm
from .models import SecurityEvent
from .security import security_event_record, security_events_for_user
from .services import AccountDeletionBlocked, account_delete


def _profile_context(request, delete_form, time_zone_form=None):
    types = set(Authenticator.objects.filter(user=request.user).values_list("type", flat=True))
    return {
        "totp_enabled": Authenticator.Type.TOTP in types,
        "recovery_codes_enabled": Authenticator.Type.RECOVERY_CODES in types,
        "delete_form": delete_form,
        "time_zone_form": time_zone_form
        or TimeZoneForm(initial={"time_zone": request.user.time_zone or settings.TIME_ZONE}),
    }


@login_required
def profile(request):
    return render(request, "account/profile.html", _profile_context(request, DeleteAccountForm()))


@login_required
@require_POST
def time_zone_set(request):
    form = TimeZoneForm(request.POST)
    if not form.is_valid():
        context = _profile_context(request, DeleteAccountForm(), form)
        return render(request, "account/profile.html", context, status=400)
    request.user.time_zone = form.cleaned_data["time_zone"]
    request.user.save(update_fields=["time_zone"])
    messages.success(request, f"Your time zone is now {request.user.time_zone}.")
    return redirect("/accounts/profile/")


@login_required
@require_POST
@reauthentication_required
def delete_account(request):
    form = DeleteAccountForm(request.POST)
    if not form.is_valid():
        context = _profile_context(request, form)
        return render(request, "account/profile.html", context, status=400)
    try:
        account_delete(user=request.user)
    except AccountDeletionBlocked as exc:
        messages.error(request, exc.message)
        return redirect("/accounts/profile/")
    logout(request)
    messages.success(request, "Your account and all its data have been deleted.")
    return redirect("/accounts/login/")


@login_required
def security_log(request):
    events = security_events_for_user(user=request.user)
    sessions = UserSession.objects.purge_and_list(request.user)
    return render(
        request, "account/security.html", {"events": events, "session_count": len(sessions)}
    )


@login_required
@require_POST
def sign_out_everywhere(request):
    user = request.user
    security_event_record(user=user, kind=SecurityEvent.Kind.SESSIONS_ENDED, request=request)
    for session in UserSession.objects.filter(user=user):
        session.end()
    logout(request)
    messages.success(request, "You are signed out on every device, this one included.")
    return redirect("/accounts/login/")


def csrf_failure(request, reason=""):
    # settings.CSRF_FAILURE_VIEW: a form posted without a valid token (expired page, blocked
    # cookies) gets a page in the site's layout telling the person what to do, not Django's
    # technical "CSRF verification failed".
    return render(request, "account/csrf_failure.html", {"reason": reason}, status=403)
