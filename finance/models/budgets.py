import uuid

from django.conf import settings
from django.db import models


class Budget(models.Model):
    """A monthly plan for one category (or, with no category, for all spending): one per
    category and one total per user, in the currency it was made in. Amounts are BudgetMonth
    rows: a month's amount is the latest row at or before it, so changing a month changes it
    and every later month until the next change."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="finance_budgets"
    )
    category = models.ForeignKey(
        "finance.Category", null=True, blank=True, on_delete=models.CASCADE, related_name="budgets"
    )
    # The home currency when the budget was made; spending in any currency converts into it.
    currency = models.CharField(max_length=3, default="USD")
    start_month = models.DateField()
    # What is left (or overspent) at a month's end moves into the next month.
    rollover = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "category"], name="budget_user_category"),
            models.UniqueConstraint(
                fields=["user"],
                condition=models.Q(category__isnull=True),
                name="budget_user_total",
            ),
        ]

    def __str__(self):
        return f"budget {self.public_id}"


class BudgetMonth(models.Model):
    budget = models.ForeignKey(Budget, on_delete=models.CASCADE, related_name="months")
    month = models.DateField()
    amount = models.DecimalField(max_digits=14, decimal_places=2)

    class Meta:
        ordering = ["month"]
        constraints = [
            models.UniqueConstraint(fields=["budget", "month"], name="budget_month_unique"),
        ]

    def __str__(self):
        return f"{self.month:%Y-%m}: {self.amount}"
