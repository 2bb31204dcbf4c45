from django.conf import settings
from django.db import models


class PendingCarry(models.Model):
    """What finance had attached to a pending transaction the bank removed (meta, tags, split
    parts, transfer link), kept under Plaid's id until its posted successor arrives."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    pending_transaction_id = models.CharField(max_length=64, unique=True)
    payload = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return self.pending_transaction_id
