from django.db import models

from .items import PlaidItem


class WebhookEvent(models.Model):
    """One verified webhook delivery from Plaid. Unverified requests are never stored."""

    class Outcome(models.TextChoices):
        PENDING = "pending", "Pending"
        PROCESSING = "processing", "Processing"
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
    # SHA-256 of the signed JWT as it arrived (the first encoding seen of this content).
    token_sha256 = models.CharField(max_length=64)
    # SHA-256 of what the signature vouches for: kid, iat and the body's hash. The same delivery
    # replayed is recorded (and processed) once, however its token is re-encoded (base64
    # padding, the other ECDSA signature (r, n-s) of the same content). Never the body alone:
    # Plaid sends byte-identical bodies as genuinely new deliveries, signed at another time.
    # Null only on rows recorded before this column existed.
    content_sha256 = models.CharField(max_length=64, unique=True, null=True, blank=True)
    signed_at = models.DateTimeField(null=True, blank=True, help_text="The JWT's iat.")
    received_at = models.DateTimeField(auto_now_add=True, db_index=True)
    # Set by the worker's conditional UPDATE; a claim older than the stale window may be retaken.
    claimed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    processed_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=16, choices=Outcome.choices, default=Outcome.PENDING)
    # An item_id we do not know: Plaid keeps billing such items, so staff should look.
    flagged = models.BooleanField(default=False, db_index=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-received_at"]
        indexes = [models.Index(fields=["outcome", "received_at"])]

    def __str__(self):
        return f"{self.webhook_type}/{self.webhook_code} {self.plaid_item_id}"
