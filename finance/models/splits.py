import uuid

from django.db import models

from banking.models import Transaction


class SplitPart(models.Model):
    """One part of a split transaction. The parts of a parent sum to the parent's amount
    (finance.splits enforces it on every write); totals count the parts instead of the parent."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    parent = models.ForeignKey(Transaction, on_delete=models.CASCADE, related_name="split_parts")
    position = models.PositiveSmallIntegerField(default=0)
    # Plaid's sign, as on the parent: positive = money out.
    amount = models.DecimalField(max_digits=18, decimal_places=2)
    # A category code (finance.Category.code); blank = the parent's category.
    category = models.CharField(max_length=64, blank=True)
    notes = models.CharField(max_length=1000, blank=True)

    class Meta:
        ordering = ["parent", "position"]

    def __str__(self):
        return f"{self.amount} of {self.parent_id}"
