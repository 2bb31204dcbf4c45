"""Transfers: the linked pairs (confirm, undo) and linking two transactions by hand."""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from . import access
from .models import TransferLink
from .transfers import TransferError, transfer_confirm, transfer_link, transfer_undo


@login_required
@require_GET
def transfer_list(request):
    links = (
        access.transfers_visible(request.user)
        .exclude(status=TransferLink.Status.UNDONE)
        .select_related("outflow__account", "inflow__account")
        .order_by("-outflow__date", "-id")[:200]
    )
    return render(request, "finance/transfers/list.html", {"links": links})


def _link(request, public_id) -> TransferLink:
    return get_object_or_404(access.transfers_visible(request.user), public_id=public_id)


@login_required
@require_POST
def transfer_confirm_view(request, public_id):
    try:
        transfer_confirm(link=_link(request, public_id))
    except TransferError as exc:
        messages.error(request, str(exc))
    return redirect("/transfers/")


@login_required
@require_POST
def transfer_undo_view(request, public_id):
    transfer_undo(link=_link(request, public_id))
    messages.success(request, "Undone: both transactions count in your totals again.")
    return redirect("/transfers/")


@login_required
@require_POST
def transaction_transfer(request, public_id):
    """Link this transaction with another of the user's (`other`: its public id)."""
    editable = access.transactions_editable(request.user)
    first = get_object_or_404(editable, public_id=public_id)
    other = request.POST.get("other", "").strip()
    second = editable.filter(public_id=other).first() if _is_uuid(other) else None
    if second is None:
        messages.error(request, "Pick one of your transactions to link with.")
        return redirect(f"/transactions/{first.public_id}/")
    try:
        transfer_link(user=request.user, first=first, second=second)
    except TransferError as exc:
        messages.error(request, str(exc))
        return redirect(f"/transactions/{first.public_id}/")
    messages.success(request, "Linked as a transfer: neither counts in your totals.")
    return redirect("/transfers/")


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True
