import uuid
from decimal import Decimal

from django.conf import settings
from django.db import models

from banking.models import Account, Transaction


class RecurringStream(models.Model):
    """A series of charges (or income) that repeats on a cadence, as Plaid's Recurring
    product or our detector found it. Amounts follow Plaid's sign: positive is money out.

    The found fields are rewritten on each refresh; the user's fields (`custom_name`,
    `state`) never are. `key` ties a refresh to the row it refreshes."""

    class Frequency(models.TextChoices):
        WEEKLY = "WEEKLY", "Weekly"
        BIWEEKLY = "BIWEEKLY", "Every two weeks"
        SEMI_MONTHLY = "SEMI_MONTHLY", "Twice a month"
        MONTHLY = "MONTHLY", "Monthly"
        ANNUALLY = "ANNUALLY", "Yearly"
        UNKNOWN = "UNKNOWN", "Irregular"

    class Status(models.TextChoices):
        MATURE = "MATURE", "Established"
        EARLY_DETECTION = "EARLY_DETECTION", "New"
        TOMBSTONED = "TOMBSTONED", "Ended"
        UNKNOWN = "UNKNOWN", "Unknown"

    class State(models.TextChoices):
        TRACKED = "tracked", "Tracked"
        NOT_RECURRING = "not_recurring", "Not recurring"
        UNTRACKED = "untracked", "Not tracked"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=200)
    source = models.CharField(max_length=16)
    description = models.CharField(max_length=300)
    merchant_name = models.CharField(max_length=300, blank=True)
    logo_url = models.URLField(max_length=500, blank=True)
    pfc_primary = models.CharField(max_length=64, blank=True)
    frequency = models.CharField(max_length=16, choices=Frequency.choices)
    status = models.CharField(max_length=16, choices=Status.choices)
    is_active = models.BooleanField(default=True)
    first_date = models.DateField()
    last_date = models.DateField()
    predicted_next_date = models.DateField(null=True, blank=True)
    average_amount = models.DecimalField(max_digits=18, decimal_places=2)
    last_amount = models.DecimalField(max_digits=18, decimal_places=2)
    previous_amount = models.DecimalField(max_digits=18, decimal_places=2, null=True, blank=True)
    iso_currency_code = models.CharField(max_length=16, blank=True)
    custom_name = models.CharField(max_length=100, blank=True)
    state = models.CharField(max_length=16, choices=State.choices, default=State.TRACKED)
    transactions = models.ManyToManyField(Transaction, related_name="+", blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="recurring_stream_key_once")
        ]
        indexes = [models.Index(fields=["user", "predicted_next_date"], name="recurring_next")]

    def __str__(self):
        return self.label

    @property
    def label(self) -> str:
        return self.custom_name or self.merchant_name or self.description

    @property
    def is_inflow(self) -> bool:
        return self.last_amount < 0

    @property
    def price_change(self) -> Decimal | None:
        """How much more (or less) the last charge was than the one before, when it moved."""
        if self.previous_amount is None or self.previous_amount == self.last_amount:
            return None
        return abs(self.last_amount) - abs(self.previous_amount)

    @property
    def monthly_cost(self) -> Decimal:
        from finance.recurring.streams import PER_MONTH

        return (abs(self.last_amount) * PER_MONTH[self.frequency]).quantize(Decimal("0.01"))
