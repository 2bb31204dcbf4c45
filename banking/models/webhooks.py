from django.db import models

from .items import PlaidItem


class WebhookEvent(models.Model):
    """One verified webhook delivery from Plaid. Unverified requests are never stored."""

    class Outcome(models.TextChoices):
        PENDING = "pending", "Pending"
        PROCESSED = "processed", "Processed"
        IGNORED = "ignored", "Ignored"
        UNKNOWN_ITEM = "unknown_item", "Unknown item"
        FAILED = "failed", "Failed"

    webhook_type = models.CharField(max_length=48)
    webhook_code = models.CharField(max_length=64)
    plaid_item_id = models.CharField(max_length=64, blank=True, db_index=True)
    item = models.ForeignKey(
        PlaidItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="webhook_events"
    )
    environment = models.CharField(max_length=16, blank=True)
    body = models.TextField()
    body_sha256 = models.CharField(max_length=64)
    # SHA-256 of the signed JWT: the same delivery replayed is recorded (and processed) once.
    token_sha256 = models.CharField(max_length=64, unique=True)
    received_at = models.DateTimeField(auto_now_add=True, db_index=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=16, choices=Outcome.choices, default=Outcome.PENDING)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-received_at"]
