"""Exchange rates and each user's home currency.

ExchangeRate is the only source conversions read (finance.currency). Rates are the European
Central Bank's daily reference rates: units of `currency` per one euro, published on TARGET
business days only; the euro itself has no row (its rate is 1 by definition).
"""

from django.conf import settings
from django.db import models


class ExchangeRate(models.Model):
    date = models.DateField()
    currency = models.CharField(max_length=3)
    # The ECB publishes at most 6 significant digits (e.g. 20275.17, 0.83578).
    rate = models.DecimalField(max_digits=18, decimal_places=6)

    class Meta:
        # (currency, date) order: the one index serves both the uniqueness and every lookup,
        # which is "this currency's rates up to that day".
        constraints = [
            models.UniqueConstraint(fields=["currency", "date"], name="exchange_rate_unique_day")
        ]

    def __str__(self) -> str:
        return f"1 EUR = {self.rate} {self.currency} on {self.date}"


class HomeCurrency(models.Model):
    """The currency a user's totals are shown in. No row: the first linked account's."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="home_currency"
    )
    code = models.CharField(max_length=3)

    def __str__(self) -> str:
        return self.code
