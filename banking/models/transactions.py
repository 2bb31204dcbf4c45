import uuid

from django.conf import settings
from django.db import models

from .items import Account, PlaidItem


class TransactionQuerySet(models.QuerySet):
    def for_user(self, user):
        return self.filter(user=user)


class Transaction(models.Model):
    """A bank transaction as Plaid reports it.

    Sign convention (Plaid's, kept as-is): a positive `amount` is money OUT of the account
    (purchases, fees); a negative amount is money IN (salary, refunds, credit card payments
    received). Amounts are Decimal end to end.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # Denormalised owner so list and dashboard queries use one index per user.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="transactions"
    )
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="transactions")
    transaction_id = models.CharField(max_length=64, unique=True)
    amount = models.DecimalField(max_digits=18, decimal_places=2)
    iso_currency_code = models.CharField(max_length=3, blank=True)
    unofficial_currency_code = models.CharField(max_length=16, blank=True)
    date = models.DateField()
    authorized_date = models.DateField(null=True, blank=True)
    datetime = models.DateTimeField(null=True, blank=True)
    name = models.CharField(max_length=300)
    merchant_name = models.CharField(max_length=300, blank=True)
    logo_url = models.URLField(max_length=500, blank=True)
    website = models.CharField(max_length=300, blank=True)
    pending = models.BooleanField(default=False)
    pending_transaction_id = models.CharField(max_length=64, blank=True)
    pfc_primary = models.CharField(max_length=64, blank=True)
    pfc_detailed = models.CharField(max_length=128, blank=True)
    pfc_confidence = models.CharField(max_length=16, blank=True)
    payment_channel = models.CharField(max_length=16, blank=True)
    city = models.CharField(max_length=120, blank=True)
    region = models.CharField(max_length=120, blank=True)
    # The user's own fields: never overwritten by a sync, carried from pending to posted.
    category_override = models.CharField(max_length=64, blank=True)
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = TransactionQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "-id"]
        indexes = [
            models.Index(fields=["user", "-date", "-id"], name="txn_user_date"),
            models.Index(fields=["account", "-date", "-id"], name="txn_account_date"),
            models.Index(fields=["user", "pfc_primary", "date"], name="txn_user_category"),
            # Staff's unfiltered admin list, newest first.
            models.Index(fields=["-date", "-id"], name="txn_date"),
        ]

    def __str__(self):
        return f"{self.date} {self.name} {self.amount}"

    @property
    def currency(self):
        return self.iso_currency_code or self.unofficial_currency_code

    @property
    def category(self):
        return self.category_override or self.pfc_primary


class SyncRun(models.Model):
    class Trigger(models.TextChoices):
        INITIAL = "initial", "Initial"
        WEBHOOK = "webhook", "Webhook"
        DAILY = "daily", "Daily"
        MANUAL = "manual", "Manual"

    class Outcome(models.TextChoices):
        RUNNING = "running", "Running"
        SUCCESS = "success", "Succeeded"
        NOT_READY = "not_ready", "Not ready yet"
        FAILED = "failed", "Failed"
        RETRYING = "retrying", "Will retry"

    item = models.ForeignKey(PlaidItem, on_delete=models.CASCADE, related_name="sync_runs")
    trigger = models.CharField(max_length=16, choices=Trigger.choices)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    added = models.PositiveIntegerField(default=0)
    modified = models.PositiveIntegerField(default=0)
    removed = models.PositiveIntegerField(default=0)
    pages = models.PositiveIntegerField(default=0)
    outcome = models.CharField(max_length=16, choices=Outcome.choices, default=Outcome.RUNNING)
    error_code = models.CharField(max_length=64, blank=True)
    # Bumped after every page: cleanup_stuck_syncs reclaims runs whose worker died.
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    # A sync asked for while this one ran: one more pass follows instead of a second task.
    rerun_requested = models.BooleanField(default=False)
    # TRANSACTIONS_SYNC_MUTATION_DURING_PAGINATION restarts from the original cursor.
    restarts = models.PositiveSmallIntegerField(default=0)
    fetch_ms = models.PositiveIntegerField(default=0)
    apply_ms = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["item", "-started_at"])]
        constraints = [
            # The claim: at most one running sync per item, enforced by the database, so two
            # workers (or a worker and `manage.py sync_items`) can never both apply pages.
            models.UniqueConstraint(
                fields=["item"],
                condition=models.Q(outcome="running"),
                name="one_running_sync_per_item",
            )
        ]

    def __str__(self):
        return f"{self.get_trigger_display()} sync of {self.item_id}: {self.outcome}"

    @property
    def duration(self):
        return self.finished_at - self.started_at if self.finished_at else None


class SyncPage(models.Model):
    """Staging: one fetched /transactions/sync page of a running sync, waiting to be applied.

    Pages are fetched with no database transaction open (a big item is hundreds of Plaid calls)
    and applied at the end in one short transaction together with the new cursor, so memory is
    bounded by a page and a crash at any point leaves the user's data and cursor untouched.
    `payload` is compact JSON (only the fields we store; amounts as decimal strings).
    """

    run = models.ForeignKey(SyncRun, on_delete=models.CASCADE, related_name="pages_staged")
    seq = models.PositiveIntegerField()
    payload = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["run", "seq"]
        constraints = [models.UniqueConstraint(fields=["run", "seq"], name="sync_page_seq")]

    def __str__(self):
        return f"page {self.seq} of sync run {self.run_id}"
