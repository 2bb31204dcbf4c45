import uuid

from django.conf import settings
from django.db import models
from fernet_fields import EncryptedTextField


class Institution(models.Model):
    institution_id = models.CharField(max_length=64, unique=True)
    name = models.CharField(max_length=200)
    logo = models.TextField(blank=True, help_text="Base64 PNG from Plaid, if any.")
    primary_color = models.CharField(max_length=16, blank=True)
    url = models.URLField(blank=True)
    oauth = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class PlaidItemQuerySet(models.QuerySet):
    def for_user(self, user):
        return self.filter(user=user)

    def linked(self):
        """Items Plaid knows: every path that calls Plaid starts here (manual items never)."""
        return self.filter(kind=PlaidItem.Kind.PLAID)

    def manual_create(self, *, user, name: str) -> "PlaidItem":
        """A manual item (accounts imported from a file): no access token, never synced."""
        return self.create(
            user=user,
            kind=PlaidItem.Kind.MANUAL,
            item_id=f"manual-{uuid.uuid4().hex}",
            access_token="",
            manual_name=name[:200],
        )


class PlaidItem(models.Model):
    """One bank connection (a Plaid Item). The access token is Fernet-encrypted at rest.

    A manual item (kind=manual) holds accounts imported from an export file: it has no access
    token and no Plaid item id (item_id is a local "manual-..." placeholder), and nothing that
    calls Plaid ever takes it (sync, dispatcher, health check, webhooks, wealth, removal at
    Plaid all check is_manual or start from PlaidItem.objects.linked()).
    """

    class Kind(models.TextChoices):
        PLAID = "plaid", "Linked through Plaid"
        MANUAL = "manual", "Imported (manual)"

    class Status(models.TextChoices):
        HEALTHY = "healthy", "Connected"
        LOGIN_REQUIRED = "login_required", "Needs you to sign in again"
        PENDING_EXPIRATION = "pending_expiration", "Access expires soon"
        PENDING_DISCONNECT = "pending_disconnect", "Will disconnect soon"
        REVOKED = "revoked", "Access revoked"
        ERROR = "error", "Having trouble"
        REMOVING = "removing", "Being removed"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="plaid_items"
    )
    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.PLAID)
    item_id = models.CharField(max_length=64, unique=True)
    access_token = EncryptedTextField(editable=False)
    # A manual item's bank name (from the file it was imported from); Plaid items use
    # institution.
    manual_name = models.CharField(max_length=200, blank=True)
    institution = models.ForeignKey(
        Institution, null=True, blank=True, on_delete=models.SET_NULL, related_name="items"
    )
    status = models.CharField(max_length=24, choices=Status.choices, default=Status.HEALTHY)
    error_code = models.CharField(max_length=64, blank=True)
    error_message = models.TextField(blank=True, help_text="Plaid's display_message, if any.")
    # Removal at Plaid failed transiently: retried in the background (banking.tasks_link).
    removal_attempts = models.PositiveSmallIntegerField(default=0)
    consent_expiration_time = models.DateTimeField(null=True, blank=True)
    disconnect_time = models.DateTimeField(null=True, blank=True)
    products = models.JSONField(default=list, blank=True)
    webhook_url = models.URLField(max_length=500, blank=True)
    webhook_acknowledged_at = models.DateTimeField(null=True, blank=True)
    new_accounts_available = models.BooleanField(default=False)
    # The /transactions/sync cursor; saved in the same DB transaction as the rows it describes.
    transactions_cursor = models.TextField(blank=True)
    transactions_update_status = models.CharField(max_length=48, blank=True)
    last_successful_sync_at = models.DateTimeField(null=True, blank=True)
    last_sync_attempt_at = models.DateTimeField(null=True, blank=True)
    last_refresh_requested_at = models.DateTimeField(null=True, blank=True)
    # When the dispatcher next syncs / health-checks the item (banking.dispatch). Empty: due now.
    next_refresh_at = models.DateTimeField(null=True, blank=True, db_index=True)
    next_health_check_at = models.DateTimeField(null=True, blank=True, db_index=True)
    is_stale = models.BooleanField(default=False)
    # The state the owner was last told about: a notice goes out only when this changes.
    notified_state = models.CharField(max_length=48, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PlaidItemQuerySet.as_manager()

    class Meta:
        ordering = ["created_at"]
        indexes = [models.Index(fields=["user", "status"])]

    def __str__(self):
        name = self.institution.name if self.institution_id else "Bank"
        return f"{name} ({self.item_id})"

    @property
    def display_name(self):
        if self.is_manual:
            return self.manual_name or "Imported accounts"
        return self.institution.name if self.institution_id else "Your bank"

    @property
    def is_manual(self) -> bool:
        return self.kind == self.Kind.MANUAL


class AccountQuerySet(models.QuerySet):
    def for_user(self, user):
        return self.filter(item__user=user)

    def visible(self):
        return self.filter(hidden=False, revoked=False)


class Account(models.Model):
    """A bank account inside an item. Balances are Plaid's: for credit and loan accounts a
    positive current balance is the amount owed."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    item = models.ForeignKey(PlaidItem, on_delete=models.CASCADE, related_name="accounts")
    account_id = models.CharField(max_length=64, unique=True)
    name = models.CharField(max_length=200)
    official_name = models.CharField(max_length=300, blank=True)
    mask = models.CharField(max_length=8, blank=True)
    type = models.CharField(max_length=32)
    subtype = models.CharField(max_length=64, blank=True)
    current_balance = models.DecimalField(max_digits=18, decimal_places=2, null=True, blank=True)
    available_balance = models.DecimalField(max_digits=18, decimal_places=2, null=True, blank=True)
    limit = models.DecimalField(max_digits=18, decimal_places=2, null=True, blank=True)
    iso_currency_code = models.CharField(max_length=3, blank=True)
    unofficial_currency_code = models.CharField(max_length=16, blank=True)
    hidden = models.BooleanField(default=False)
    revoked = models.BooleanField(default=False, help_text="USER_ACCOUNT_REVOKED")
    balances_updated_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AccountQuerySet.as_manager()

    LIABILITY_TYPES = ("credit", "loan")

    class Meta:
        ordering = ["item_id", "type", "name"]

    def __str__(self):
        return f"{self.name} ••{self.mask}" if self.mask else self.name

    @property
    def currency(self):
        return self.iso_currency_code or self.unofficial_currency_code

    @property
    def is_liability(self):
        return self.type in self.LIABILITY_TYPES


class LinkSessionQuerySet(models.QuerySet):
    def for_user(self, user):
        return self.filter(user=user)


class LinkSession(models.Model):
    """A link token we minted and what it is for, kept server-side for the OAuth return."""

    class Purpose(models.TextChoices):
        NEW = "new", "New connection"
        UPDATE = "update", "Update mode"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="link_sessions"
    )
    link_token = models.CharField(max_length=200, unique=True)
    purpose = models.CharField(max_length=8, choices=Purpose.choices, default=Purpose.NEW)
    item = models.ForeignKey(PlaidItem, null=True, blank=True, on_delete=models.CASCADE)
    expires_at = models.DateTimeField()
    # Set when the OAuth return arrives: a second return with the same id (a reload) or one
    # recorded on another user's session is refused.
    oauth_state_id = models.CharField(max_length=64, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    objects = LinkSessionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.get_purpose_display()} for {self.user_id} at {self.created_at}"


class PlaidApiCall(models.Model):
    """One call to Plaid: for watching usage and debugging. Never holds a token."""

    endpoint = models.CharField(max_length=64)
    item = models.ForeignKey(PlaidItem, null=True, blank=True, on_delete=models.SET_NULL)
    plaid_item_id = models.CharField(max_length=64, blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    error_code = models.CharField(max_length=64, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["endpoint", "created_at"])]

    def __str__(self):
        return f"{self.endpoint} {self.error_code or self.status_code} {self.request_id}"
