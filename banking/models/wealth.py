"""Plaid's Liabilities and Investments data, as Plaid reports it (banking/wealth/ fetches it).

Everything hangs off an Account, so removing a bank deletes it (on_delete=CASCADE); a Security
is Plaid's global description of an instrument and holds nobody's data.
"""

from django.db import models

from .items import Account


class Liability(models.Model):
    """One card's or loan's terms from /liabilities/get. Money is Decimal; a field the
    institution does not report stays empty."""

    class Kind(models.TextChoices):
        CREDIT = "credit", "Credit card"
        MORTGAGE = "mortgage", "Mortgage"
        STUDENT = "student", "Student loan"

    account = models.OneToOneField(Account, on_delete=models.CASCADE, related_name="liability")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    # Cards: [{"type": "purchase_apr", "percentage": "12.5", ...}] as strings of Decimals.
    aprs = models.JSONField(default=list, blank=True)
    interest_rate = models.DecimalField(max_digits=7, decimal_places=3, null=True, blank=True)
    last_statement_balance = models.DecimalField(
        max_digits=18, decimal_places=2, null=True, blank=True
    )
    last_statement_date = models.DateField(null=True, blank=True)
    minimum_payment = models.DecimalField(max_digits=18, decimal_places=2, null=True, blank=True)
    next_payment_amount = models.DecimalField(
        max_digits=18, decimal_places=2, null=True, blank=True
    )
    next_payment_due_date = models.DateField(null=True, blank=True)
    last_payment_amount = models.DecimalField(
        max_digits=18, decimal_places=2, null=True, blank=True
    )
    last_payment_date = models.DateField(null=True, blank=True)
    is_overdue = models.BooleanField(default=False)
    origination_principal = models.DecimalField(
        max_digits=18, decimal_places=2, null=True, blank=True
    )
    payoff_date = models.DateField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "liabilities"

    def __str__(self):
        return f"{self.get_kind_display()} ({self.account_id})"

    @property
    def purchase_apr(self):
        return next((a["percentage"] for a in self.aprs if a.get("type") == "purchase_apr"), None)


class Security(models.Model):
    security_id = models.CharField(max_length=64, unique=True)
    name = models.CharField(max_length=300, blank=True)
    ticker = models.CharField(max_length=32, blank=True)
    type = models.CharField(max_length=32, blank=True)
    is_cash_equivalent = models.BooleanField(default=False)
    close_price = models.DecimalField(max_digits=24, decimal_places=8, null=True, blank=True)
    close_price_as_of = models.DateField(null=True, blank=True)
    iso_currency_code = models.CharField(max_length=3, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "securities"

    def __str__(self):
        return self.ticker or self.name or self.security_id


class Holding(models.Model):
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="holdings")
    security = models.ForeignKey(Security, on_delete=models.PROTECT, related_name="holdings")
    quantity = models.DecimalField(max_digits=24, decimal_places=8)
    price = models.DecimalField(max_digits=24, decimal_places=8)
    value = models.DecimalField(max_digits=18, decimal_places=2)
    cost_basis = models.DecimalField(max_digits=18, decimal_places=2, null=True, blank=True)
    price_as_of = models.DateField(null=True, blank=True)
    iso_currency_code = models.CharField(max_length=3, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "security"], name="holding_per_security")
        ]

    def __str__(self):
        return f"{self.quantity} {self.security}"


class InvestmentTransaction(models.Model):
    """Plaid's sign: a positive amount is cash out of the account (a buy, a fee), a negative
    one cash in (a sale, a dividend). quantity is negative for a sale."""

    account = models.ForeignKey(
        Account, on_delete=models.CASCADE, related_name="investment_transactions"
    )
    investment_transaction_id = models.CharField(max_length=64, unique=True)
    security = models.ForeignKey(
        Security, null=True, blank=True, on_delete=models.PROTECT, related_name="transactions"
    )
    date = models.DateField()
    name = models.CharField(max_length=300)
    type = models.CharField(max_length=16)
    subtype = models.CharField(max_length=48, blank=True)
    quantity = models.DecimalField(max_digits=24, decimal_places=8)
    price = models.DecimalField(max_digits=24, decimal_places=8)
    amount = models.DecimalField(max_digits=18, decimal_places=2)
    fees = models.DecimalField(max_digits=18, decimal_places=2, null=True, blank=True)
    iso_currency_code = models.CharField(max_length=3, blank=True)

    class Meta:
        indexes = [models.Index(fields=["account", "-date"])]

    def __str__(self):
        return f"{self.date} {self.type}/{self.subtype} {self.amount}"
