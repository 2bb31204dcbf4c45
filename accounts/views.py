from allauth.mfa.models import Authenticator
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from .forms import DeleteAccountForm
from .services import AccountDeletionBlocked, account_delete


def _profile_context(request, delete_form):
    types = set(Authenticator.objects.filter(user=request.user).values_list("type", flat=True))
    return {
        "totp_enabled": Authenticator.Type.TOTP in types,
        "recovery_codes_enabled": Authenticator.Type.RECOVERY_CODES in types,
        "delete_form": delete_form,
    }


@login_required
def profile(request):
    return render(request, "account/profile.html", _profile_context(request, DeleteAccountForm()))


@login_required
@require_POST
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


def csrf_failure(request, reason=""):
    # settings.CSRF_FAILURE_VIEW: a form posted without a valid token (expired page, blocked
    # cookies) gets a page in the site's layout telling the person what to do, not Django's
    # technical "CSRF verification failed".
    return render(request, "account/csrf_failure.html", {"reason": reason}, status=403)
