"""Forming a household, inviting, joining, leaving, and sharing accounts with it.

Every read of who may see what is in finance/access.py; these functions only write the rows it
reads. Invitation links carry a signed token (salted, expiring) naming the invitation; the row
makes the link single use.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from banking.models import Account, Transaction
from config.mail import site_mail_send

from .. import access
from ..models import AccountShare, Household, Invitation, Membership, TransactionAudit

SALT = "finance.households.invitation"
INVITATION_MAX_AGE = timedelta(days=7)


class HouseholdError(Exception):
    """A refusal the user can read (shown as it is)."""


def household_of(user) -> Household | None:
    membership = access.household_membership(user).select_related("household").first()
    return membership.household if membership else None


def household_view_asked(request) -> bool:
    """The pages' "mine / household" switch: ?view=household, only for a household member."""
    return request.GET.get("view") == "household" and household_of(request.user) is not None


def household_create(*, user, name: str) -> Household:
    name = name.strip() or "Our household"
    try:
        with transaction.atomic():
            household = Household.objects.create(owner=user, name=name[:80])
            Membership.objects.create(household=household, user=user)
    except IntegrityError as exc:
        raise HouseholdError("You are already in a household.") from exc
    return household


def invitation_token(invitation: Invitation) -> str:
    return signing.dumps(invitation.public_id.hex, salt=SALT)


def invitation_url(invitation: Invitation) -> str:
    return f"{settings.SITE_URL}/household/join/{invitation_token(invitation)}/"


def invitation_create(*, household: Household, invited_by, email: str) -> Invitation:
    if household.owner_id != invited_by.pk:
        raise HouseholdError("Only the household's owner can invite.")
    email = email.strip().lower()
    invitation = Invitation.objects.create(household=household, email=email, invited_by=invited_by)
    context = {
        "household": household,
        "inviter": invited_by.email,
        "link": invitation_url(invitation),
        "days": INVITATION_MAX_AGE.days,
        "site_name": settings.SITE_NAME,
        "site_url": settings.SITE_URL,
    }
    transaction.on_commit(
        lambda: site_mail_send(
            subject=f"{invited_by.email} invites you to share a household",
            body=render_to_string("finance/households/invitation_email.txt", context),
            html=render_to_string("finance/households/invitation_email.html", context),
            recipient_list=[email],
        )
    )
    return invitation


def invitation_read(token: str) -> Invitation:
    """The invitation a link names, or HouseholdError when it is forged, expired or used."""
    try:
        public_id = signing.loads(token, salt=SALT, max_age=INVITATION_MAX_AGE)
    except (signing.BadSignature, ValueError, TypeError) as exc:
        raise HouseholdError("This invitation link is not valid or has expired.") from exc
    invitation = Invitation.objects.select_related("household").filter(public_id=public_id).first()
    if invitation is None:
        raise HouseholdError("This invitation was withdrawn.")
    if invitation.accepted_at is not None:
        raise HouseholdError("This invitation has already been used.")
    return invitation


def invitation_accept(*, token: str, user) -> Household:
    invitation = invitation_read(token)
    if invitation.email != user.email.lower():
        raise HouseholdError(
            "This invitation was sent to another email address. Sign in as that address to "
            "accept it."
        )
    with transaction.atomic():
        # Single use, even when the link is opened twice at the same moment.
        claimed = Invitation.objects.filter(pk=invitation.pk, accepted_at__isnull=True).update(
            accepted_at=timezone.now(), accepted_by=user
        )
        if not claimed:
            raise HouseholdError("This invitation has already been used.")
        try:
            with transaction.atomic():
                Membership.objects.create(household=invitation.household, user=user)
        except IntegrityError as exc:
            raise HouseholdError(
                "You are already in a household. Leave it first to join another."
            ) from exc
    return invitation.household


def _member_out(membership: Membership) -> None:
    # Their accounts stop being shared at once; shares never follow anyone into another
    # household.
    access.account_shares_editable(membership.user).delete()
    membership.delete()


def household_leave(*, user) -> None:
    membership = access.household_membership(user).select_related("household", "user").first()
    if membership is None:
        return
    household = membership.household
    with transaction.atomic():
        if household.owner_id == user.pk:
            # The owner leaving ends the household for everyone.
            for other in household.memberships.select_related("user"):
                _member_out(other)
            household.delete()
        else:
            _member_out(membership)


def member_remove(*, owner, member_public_id) -> None:
    household = household_of(owner)
    if household is None or household.owner_id != owner.pk:
        raise HouseholdError("Only the household's owner can remove members.")
    # A household is a few people: found among them, never by a query on any user id.
    membership = next(
        (
            m
            for m in household.memberships.select_related("user")
            if str(m.user.public_id) == str(member_public_id) and m.user.pk != owner.pk
        ),
        None,
    )
    if membership is None:
        raise HouseholdError("That person is not in your household.")
    with transaction.atomic():
        _member_out(membership)


def account_share_set(*, user, account: Account, level: str) -> None:
    """level: "private", "view" or "edit". `account` must come from accounts_visible(user)
    without household: only the owner shares."""
    if not access.accounts_visible(user).filter(pk=account.pk).exists():
        raise HouseholdError("Only an account's owner can share it.")
    if level == "private":
        AccountShare.objects.filter(account=account).delete()
        return
    if level not in AccountShare.Level.values:
        raise HouseholdError("Choose private, view or edit.")
    if household_of(user) is None:
        raise HouseholdError("Create or join a household before sharing an account.")
    AccountShare.objects.update_or_create(account=account, defaults={"level": level})


def shared_edit_audit(*, transaction: Transaction, actor, changes: list[str]) -> None:
    """Records a change a member made to someone else's shared transaction."""
    if transaction.user_id == actor.pk or not changes:
        return
    TransactionAudit.objects.create(
        transaction=transaction, actor=actor, change="; ".join(changes)[:300]
    )
