from django.db import models

from .items import PlaidItem
from .transactions import SyncRun


class SyncOutbox(models.Model):
    """A committed sync, announced: written in the sync's own database transaction, so it exists
    exactly when the rows it names do, and delivered to the registered hooks (banking.outbox)
    at least once."""

    item = models.ForeignKey(PlaidItem, on_delete=models.CASCADE, related_name="+")
    run = models.OneToOneField(SyncRun, on_delete=models.CASCADE, related_name="outbox")
    # Our Transaction ids for rows added and modified; Plaid's transaction_id for removed rows,
    # which no longer exist by the time anyone reads this.
    added = models.JSONField(default=list)
    modified = models.JSONField(default=list)
    removed = models.JSONField(default=list)
    # What the row preparers (banking.sync.prewrite) did while the rows were written:
    # {name: {"stamp": ..., "unprepared": [added ids they did not prepare]}}.
    prepared = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Set while one worker delivers the row; a claim older than the lease is abandoned.
    claimed_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)

    class Meta:
        indexes = [
            # The sweeper's question, "what is still undelivered?", reads only those rows.
            models.Index(
                fields=["created_at"],
                condition=models.Q(delivered_at__isnull=True),
                name="outbox_undelivered",
            )
        ]

    def __str__(self):
        return f"sync run {self.run_id} of item {self.item_id}"
