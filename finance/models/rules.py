import uuid

from django.conf import settings
from django.db import models

from banking.models import Account, Transaction

# A meta row that takes its transaction out of every total (finance.meta.COUNTED).
UNCOUNTED_META = models.Q(excluded=True) | models.Q(transfer=True) | models.Q(linked=True)
# A meta row of a split transaction (finance.meta.SPLIT): rare, so indexed apart.
SPLIT_META = models.Q(split=True)


class Rule(models.Model):
    """ "When a transaction looks like this, do that." Rules run in `position` order; a later
    rule's action on a field overrides an earlier one's, and `stop_here` ends the run for the
    transaction. Every condition left blank matches everything."""

    class TextField(models.TextChoices):
        ANY = "any", "Merchant or description"
        MERCHANT = "merchant", "Merchant"
        NAME = "name", "Description"

    class TextOp(models.TextChoices):
        CONTAINS = "contains", "contains"
        STARTS_WITH = "starts_with", "starts with"
        EXACT = "exact", "is exactly"
        REGEX = "regex", "matches the regular expression"

    class Sign(models.TextChoices):
        ANY = "", "In or out"
        OUT = "out", "Money out"
        IN = "in", "Money in"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="finance_rules"
    )
    name = models.CharField(max_length=120)
    position = models.PositiveIntegerField(default=0)
    enabled = models.BooleanField(default=True)
    stop_here = models.BooleanField(default=False)

    text_field = models.CharField(max_length=16, choices=TextField.choices, default=TextField.ANY)
    text_op = models.CharField(max_length=16, choices=TextOp.choices, default=TextOp.CONTAINS)
    text_value = models.CharField(max_length=200, blank=True)
    # On the size of the amount, either way; `sign` picks the direction.
    amount_min = models.DecimalField(max_digits=16, decimal_places=2, null=True, blank=True)
    amount_max = models.DecimalField(max_digits=16, decimal_places=2, null=True, blank=True)
    sign = models.CharField(max_length=3, choices=Sign.choices, blank=True, default="")
    account = models.ForeignKey(Account, null=True, blank=True, on_delete=models.CASCADE)
    plaid_category = models.CharField(max_length=128, blank=True)
    date_from = models.DateField(null=True, blank=True)
    date_to = models.DateField(null=True, blank=True)

    set_category = models.CharField(max_length=64, blank=True)
    set_display_name = models.CharField(max_length=300, blank=True)
    add_tags = models.CharField(max_length=300, blank=True)
    set_notes = models.CharField(max_length=1000, blank=True)
    mark_transfer = models.BooleanField(default=False)
    exclude = models.BooleanField(default=False)

    class ApplyStatus(models.TextChoices):
        NONE = "", "Never applied"
        QUEUED = "queued", "Waiting to start"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    # "Apply to existing" runs as a Celery task (finance.tasks); the rule page shows its state.
    apply_status = models.CharField(
        max_length=8, choices=ApplyStatus.choices, blank=True, default=ApplyStatus.NONE
    )
    apply_done = models.PositiveIntegerField(default=0)
    apply_changed = models.PositiveIntegerField(default=0)
    apply_started_at = models.DateTimeField(null=True, blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["position", "id"]
        indexes = [models.Index(fields=["user", "position"], name="rule_user_position")]

    def __str__(self):
        return self.name


class TransactionMeta(models.Model):
    """finance's own columns for a bank transaction (banking's row stays the bank's).

    `user_fields` names the fields the user set by hand (rules never touch those);
    `rule_fields` the ones the last rule run set (a rule may set them again).
    No user column: the owner is the transaction's (a second copy cost every rule-written row
    a foreign-key check and an index entry, and nothing read it).
    """

    transaction = models.OneToOneField(
        Transaction, primary_key=True, on_delete=models.CASCADE, related_name="meta"
    )
    display_name = models.CharField(max_length=300, blank=True)
    excluded = models.BooleanField(default=False)
    transfer = models.BooleanField(default=False)
    # One side of a live TransferLink (finance.transfers keeps it in step with the link).
    linked = models.BooleanField(default=False)
    # Split into SplitParts; `split_amount` is the amount they were made to sum to. A re-sync
    # that changes the amount sets `split_review`, and totals fall back to the whole.
    split = models.BooleanField(default=False)
    split_amount = models.DecimalField(max_digits=18, decimal_places=2, null=True, blank=True)
    split_review = models.BooleanField(default=False)
    user_fields = models.JSONField(default=list, blank=True)
    rule_fields = models.JSONField(default=list, blank=True)

    class Meta:
        indexes = [
            # Every total asks "is there an uncounted meta row for this transaction?"
            # (finance.meta.COUNTED): this index holds only those rows, a small share of the
            # table, so the answer is one probe whatever the table's size.
            models.Index(fields=["transaction"], name="meta_uncounted", condition=UNCOUNTED_META),
            models.Index(fields=["transaction"], name="meta_split", condition=SPLIT_META),
        ]

    def __str__(self):
        return f"meta of {self.transaction_id}"
