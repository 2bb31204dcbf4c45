import uuid

from django.conf import settings
from django.db import models


class AlertKind(models.TextChoices):
    BUDGET = "budget", "A budget reaches 80% and 100%"
    LARGE_TRANSACTION = "large_transaction", "A single transaction above an amount"
    LOW_BALANCE = "low_balance", "An account's available balance below an amount"
    BANK = "bank", "A bank needs you to sign in again"
    DIGEST = "digest", "A weekly summary by email"
    PRICE_INCREASE = "price_increase", "A subscription's price goes up"


class AlertSetting(models.Model):
    """The user's choice for one kind of alert; no row means the kind's default
    (finance.alerts.preferences.DEFAULTS)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="finance_alert_settings"
    )
    kind = models.CharField(max_length=32, choices=AlertKind.choices)
    enabled = models.BooleanField(default=True)
    # An amount in the account's own currency, for the kinds that take one.
    threshold = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="alert_setting_user_kind"),
        ]

    def __str__(self):
        return f"{self.kind}: {'on' if self.enabled else 'off'}"


class Occurrence(models.Model):
    """One thing the user is told about, once: the unique (user, key) is claimed by an INSERT
    before anything is sent, so a second evaluation of the same news finds it taken. It is
    also the in-site notification. `emailed_at` is set after the mail server accepted the
    email; `email_claimed_at` is a sender's lease (finance.alerts.email)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="finance_occurrences"
    )
    kind = models.CharField(max_length=32, choices=AlertKind.choices)
    key = models.CharField(max_length=200)
    title = models.CharField(max_length=300)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    email_claimed_at = models.DateTimeField(null=True, blank=True)
    email_attempts = models.PositiveSmallIntegerField(default=0)
    email_error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="occurrence_user_key"),
        ]
        indexes = [
            models.Index(fields=["user", "read_at"], name="occurrence_user_unread"),
            models.Index(fields=["emailed_at", "created_at"], name="occurrence_unsent"),
        ]

    def __str__(self):
        return self.title
