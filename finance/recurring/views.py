"""/recurring/: subscriptions, bills and income that repeat, and what the user says about them."""

from allauth.account.decorators import reauthentication_required
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from .. import access
from ..households.services import household_of, household_view_asked
from .export import streams_csv
from .forms import ACTIONS, StreamActionForm
from .selectors import recurring_page, streams_for_user
from .services import stream_rename, stream_set_state

DONE = {
    "rename": "Renamed.",
    "not_recurring": "Marked as not recurring: it no longer shows in your bills.",
    "untrack": "No longer tracked.",
    "track": "Tracked again.",
}


@login_required
@require_GET
def recurring_list(request):
    # The "mine / household" switch: the streams of the accounts members share, to read.
    household = household_view_asked(request)
    context = {
        "page": recurring_page(user=request.user, household=household),
        "household": household,
        "in_household": household or household_of(request.user) is not None,
        "base": "/recurring/",
    }
    return render(request, "finance/recurring/list.html", context)


@login_required
@require_POST
def recurring_action(request, public_id):
    stream = get_object_or_404(access.recurring_streams_visible(request.user), public_id=public_id)
    form = StreamActionForm(request.POST)
    if not form.is_valid():
        errors = "; ".join(e for errs in form.errors.values() for e in errs)
        messages.error(request, f"Nothing changed: {errors}")
        return redirect("/recurring/")
    action = form.cleaned_data["action"]
    if action == "rename":
        stream_rename(stream=stream, name=form.cleaned_data["name"])
    else:
        stream_set_state(stream=stream, state=ACTIONS[action])
    messages.success(request, DONE[action])
    return redirect("/recurring/")


@login_required
@require_GET
# What someone pays, where and when, in one file: as with transactions, prove it again first.
@reauthentication_required
def recurring_export(request):
    response = StreamingHttpResponse(
        streams_csv(streams_for_user(user=request.user).iterator(chunk_size=500)),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = 'attachment; filename="recurring.csv"'
    return response
