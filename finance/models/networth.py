"""Balances over time: one snapshot per account and day, and what the user owns or owes
outside any bank (a house, a car, a private loan) with the history of its value."""

import uuid

from django.conf import settings
from django.db import models


class BalanceSnapshot(models.Model):
    """An account's balance at the end of a day, in Plaid's sign (a credit or loan account's
    current balance is the positive amount owed).

    `estimated` rows were reconstructed from the transaction history when the bank was linked;
    the others were seen: a sync's balance, or beat carrying the last one seen to a day
    without a sync. Rows go with their account (removing a bank removes its history); a hidden
    or closed account keeps them."""

    account = models.ForeignKey(
        "banking.Account", on_delete=models.CASCADE, related_name="snapshots"
    )
    date = models.DateField()
    current = models.DecimalField(max_digits=18, decimal_places=2)
    available = models.DecimalField(max_digits=18, decimal_places=2, null=True, blank=True)
    currency = models.CharField(max_length=16)
    estimated = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "date"], name="snapshot_account_day_once")
        ]

    def __str__(self) -> str:
        return f"{self.date}: {self.current} {self.currency}"


class ManualAsset(models.Model):
    """Something the user owns (a house, a car) or owes (a private loan) that no bank reports.
    `value` is the latest; every change is also kept in ManualValue for the history. A
    liability's value is the positive amount owed, as Plaid reports loans."""

    class Kind(models.TextChoices):
        ASSET = "asset", "Something I own"
        LIABILITY = "liability", "Something I owe"

    class Category(models.TextChoices):
        PROPERTY = "property", "Property"
        VEHICLE = "vehicle", "Vehicle"
        VALUABLES = "valuables", "Valuables"
        LOAN = "loan", "Loan"
        OTHER = "other", "Other"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=80)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    category = models.CharField(max_length=16, choices=Category.choices, default="other")
    currency = models.CharField(max_length=3)
    value = models.DecimalField(max_digits=18, decimal_places=2)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_liability(self) -> bool:
        return self.kind == self.Kind.LIABILITY


class ManualValue(models.Model):
    """The value a manual asset had from `date` on (until the next row)."""

    asset = models.ForeignKey(ManualAsset, on_delete=models.CASCADE, related_name="values")
    date = models.DateField()
    value = models.DecimalField(max_digits=18, decimal_places=2)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["asset", "date"], name="manual_value_day_once")
        ]
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date}: {self.value}"
