import uuid

from django.conf import settings
from django.db import models

from banking.models import Transaction


class TransferLink(models.Model):
    """Money leaving one of the user's accounts (`outflow`, positive amount) and arriving in
    another (`inflow`, negative). While the link is not undone neither side counts in any total.
    An undone link stays, so the matcher never proposes the same pair again."""

    class Status(models.TextChoices):
        MATCHED = "matched", "Matched automatically"
        CONFIRMED = "confirmed", "Confirmed"
        UNDONE = "undone", "Not a transfer"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    outflow = models.ForeignKey(Transaction, on_delete=models.CASCADE, related_name="+")
    inflow = models.ForeignKey(Transaction, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.MATCHED)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["outflow", "inflow"], name="transfer_pair_once"),
            # One live link per transaction on each side.
            models.UniqueConstraint(
                fields=["outflow"],
                condition=~models.Q(status="undone"),
                name="transfer_outflow_live_once",
            ),
            models.UniqueConstraint(
                fields=["inflow"],
                condition=~models.Q(status="undone"),
                name="transfer_inflow_live_once",
            ),
        ]

    def __str__(self):
        return f"{self.outflow_id} -> {self.inflow_id} ({self.status})"
