"""The household page, invitation links and account sharing: adapters over services.py."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from .. import access
from ..models import AccountShare
from .services import (
    HouseholdError,
    account_share_set,
    household_create,
    household_leave,
    household_of,
    invitation_accept,
    invitation_create,
    invitation_read,
    member_remove,
)

SHARING_CHOICES = [("private", "Private (only you)"), *AccountShare.Level.choices]


class InviteForm(forms.Form):
    email = forms.EmailField(max_length=254)


def _page_context(user) -> dict:
    household = household_of(user)
    accounts = list(
        access.accounts_visible(user)
        .visible()
        .select_related("item__institution", "household_share")
        .order_by("item__created_at", "type", "name")
    )
    for account in accounts:
        share = getattr(account, "household_share", None)
        account.sharing = share.level if share else "private"
    context = {
        "household": household,
        "accounts": accounts,
        "sharing_choices": SHARING_CHOICES,
        "invite_form": InviteForm(),
        "audits": access.household_audits_visible(user)
        .select_related("actor", "transaction")
        .order_by("-at")[:50],
    }
    if household:
        context["is_owner"] = household.owner_id == user.pk
        context["members"] = [m.user for m in household.memberships.select_related("user")]
        context["pending"] = household.invitations.filter(accepted_at__isnull=True).order_by(
            "-created_at"
        )
    return context


@login_required
@require_http_methods(["GET"])
def household_page(request):
    return render(request, "finance/households/page.html", _page_context(request.user))


def _refused(request, error: HouseholdError, status: int = 400):
    messages.error(request, str(error))
    context = _page_context(request.user)
    return render(request, "finance/households/page.html", context, status=status)


@login_required
@require_POST
def household_create_view(request):
    try:
        household_create(user=request.user, name=request.POST.get("name", ""))
    except HouseholdError as error:
        return _refused(request, error)
    messages.success(request, "Your household is ready. Invite someone to it.")
    return redirect("/household/")


@login_required
@require_POST
def household_invite(request):
    household = household_of(request.user)
    form = InviteForm(request.POST)
    if household is None or not form.is_valid():
        return _refused(request, HouseholdError("Enter a valid email address to invite."))
    try:
        invitation_create(
            household=household, invited_by=request.user, email=form.cleaned_data["email"]
        )
    except HouseholdError as error:
        return _refused(request, error, status=403)
    messages.success(request, f"Invitation sent to {form.cleaned_data['email']}.")
    return redirect("/household/")


@login_required
@require_POST
def household_leave_view(request):
    household_leave(user=request.user)
    messages.success(request, "You left the household. Nothing is shared with it any more.")
    return redirect("/household/")


@login_required
@require_POST
def household_member_remove(request, public_id):
    try:
        member_remove(owner=request.user, member_public_id=public_id)
    except HouseholdError as error:
        # Not your household, or not a member: the same answer as any other id not yours.
        raise Http404 from error
    messages.success(request, "Removed from your household. They no longer see anything shared.")
    return redirect("/household/")


@login_required
@require_POST
def household_sharing(request):
    # Owner-only by construction: only the user's own accounts are read from the form.
    accounts = list(access.accounts_visible(request.user).visible())
    wanted = {}
    for account in accounts:
        level = request.POST.get(f"share-{account.public_id}")
        if level is None:
            continue
        if level not in dict(SHARING_CHOICES):
            return _refused(request, HouseholdError("Choose private, view or edit."))
        wanted[account] = level
    try:
        for account, level in wanted.items():
            account_share_set(user=request.user, account=account, level=level)
    except HouseholdError as error:
        return _refused(request, error)
    messages.success(request, "Saved what you share with your household.")
    return redirect("/household/")


@login_required
@require_http_methods(["GET", "POST"])
def household_join(request, token):
    try:
        invitation = invitation_read(token)
    except HouseholdError as error:
        return render(request, "finance/households/join.html", {"error": str(error)}, status=400)
    if request.method == "POST":
        try:
            invitation_accept(token=token, user=request.user)
        except HouseholdError as error:
            context = {"error": str(error)}
            return render(request, "finance/households/join.html", context, status=400)
        messages.success(request, f"You joined “{invitation.household.name}”.")
        return redirect("/household/")
    context = {"invitation": invitation, "wrong_email": invitation.email != request.user.email}
    return render(request, "finance/households/join.html", context)
