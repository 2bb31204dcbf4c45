"""Tags: totals per tag, and setting a transaction's tags."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET, require_POST

from . import access
from .tags import tag_names, tag_totals, tags_parse, transaction_tags_set


@login_required
@require_GET
def tag_list(request):
    return render(request, "finance/tags/list.html", {"rows": tag_totals(user=request.user)})


@login_required
@require_POST
def transaction_tags(request, public_id):
    txn = get_object_or_404(access.transactions_editable(request.user), public_id=public_id)
    names = tags_parse(request.POST.get("tags", "")[:1000])
    transaction_tags_set(user=request.user, transaction=txn, names=names)
    if "application/json" in request.headers.get("Accept", ""):
        return JsonResponse({"ok": True, "tags": tag_names(txn)})
    messages.success(request, f"Saved the tags of “{txn.name}”.")
    return HttpResponseRedirect(f"/transactions/{txn.public_id}/")
