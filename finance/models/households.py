"""Households: people who share some of their accounts with each other.

Who may see what is decided in finance/access.py alone; these rows are its input. An account is
private unless it has an AccountShare row, and a share only means something while its owner is
a member of a household (leaving deletes the owner's shares).
"""

import uuid

from django.conf import settings
from django.db import models


class Household(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=80)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="memberships")
    # One row per user at most: a user belongs to at most one household.
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="household_membership"
    )
    joined_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.user_id} in {self.household_id}"


class Invitation(models.Model):
    """An email invitation. The link carries a signed, expiring token naming `public_id`; the
    row makes it single use (`accepted_at` is set once, by a conditional UPDATE)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    def __str__(self) -> str:
        return f"invitation to {self.household_id}"


class AccountShare(models.Model):
    class Level(models.TextChoices):
        VIEW = "view", "View"
        EDIT = "edit", "View and edit"

    account = models.OneToOneField(
        "banking.Account", on_delete=models.CASCADE, related_name="household_share"
    )
    level = models.CharField(max_length=8, choices=Level.choices)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.account_id}: {self.level}"


class TransactionAudit(models.Model):
    """A change to a shared transaction by someone other than its owner, shown to the owner."""

    transaction = models.ForeignKey(
        "banking.Transaction", on_delete=models.CASCADE, related_name="household_audits"
    )
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    # What changed, in words ("category: food → travel"); never a token or anything secret.
    change = models.CharField(max_length=300)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["transaction", "-at"], name="txn_audit_recent")]

    def __str__(self) -> str:
        return f"{self.actor_id} changed {self.transaction_id}"
