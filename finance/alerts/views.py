"""The notification list, the settings page, and the one-click unsubscribe link."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ..models import AlertKind
from .email import unsubscribe_read
from .forms import AlertSettingsForm
from .occurrences import notifications_for_user, notifications_mark_read
from .preferences import alert_preference_save, alert_preferences, alert_turn_off


@login_required
@require_GET
def notification_list(request):
    rows = notifications_for_user(user=request.user)
    return render(request, "finance/alerts/list.html", {"rows": rows})


@login_required
@require_POST
def notifications_read(request):
    notifications_mark_read(user=request.user)
    return HttpResponseRedirect("/notifications/")


@login_required
@require_http_methods(["GET", "POST"])
def notification_settings(request):
    form = AlertSettingsForm(request.POST or None, preferences=alert_preferences(user=request.user))
    if request.method == "POST":
        if form.is_valid():
            for kind in form.preferences:
                alert_preference_save(
                    user=request.user,
                    kind=kind,
                    enabled=form.cleaned_data[f"{kind}_on"],
                    threshold=form.cleaned_data.get(f"{kind}_amount"),
                )
            messages.success(request, "Saved your notification settings.")
            return HttpResponseRedirect("/notifications/settings/")
        return render(request, "finance/alerts/settings.html", {"form": form}, status=400)
    return render(request, "finance/alerts/settings.html", {"form": form})


# The mail provider POSTs here with no session and no CSRF token (RFC 8058 one-click): the
# token's signature is the proof, as a webhook's is. A GET (a person clicking the link) only
# shows the confirmation, so a link scanner fetching the URL turns nothing off.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    found = unsubscribe_read(token)
    if found is None:
        return render(request, "finance/alerts/unsubscribe.html", {"bad": True}, status=400)
    user, kind = found
    context = {"label": AlertKind(kind).label, "token": token}
    if request.method == "POST":
        alert_turn_off(user=user, kind=kind)
        return render(request, "finance/alerts/unsubscribe.html", {**context, "done": True})
    return render(request, "finance/alerts/unsubscribe.html", context)
