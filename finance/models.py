"""The user's own choices about their accounts. banking keeps the bank's truth (names,
balances) and a sync rewrites it; these rows are never touched by a sync."""

from django.db import models


class AccountPreference(models.Model):
    account = models.OneToOneField(
        "banking.Account", on_delete=models.CASCADE, related_name="preference"
    )
    nickname = models.CharField(max_length=80, blank=True)
    # Still listed on the dashboard, but left out of net worth and the group totals.
    excluded_from_totals = models.BooleanField(default=False)
    # Lower comes first on the dashboard; ties keep the bank's order.
    position = models.PositiveSmallIntegerField(default=0)

    def __str__(self) -> str:
        return self.nickname or f"preferences of account {self.account_id}"
