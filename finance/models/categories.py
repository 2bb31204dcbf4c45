import uuid

from django.conf import settings
from django.db import models


class Category(models.Model):
    """One of a user's categories. Seeded from Plaid's taxonomy (`code` is then the Plaid
    primary or detailed code the category stands for); the user renames, adds, merges, hides.

    Transactions point at a category by `code` (banking's `category_override` holds it), so a
    rename never touches a transaction. A merged category stays as an alias (`merged_into`) so
    the Plaid codes it stood for keep landing in the category it was merged into.
    """

    class Kind(models.TextChoices):
        SPENDING = "spending", "Spending"
        INCOME = "income", "Income"
        TRANSFER = "transfer", "Transfer between my accounts"
        EXCLUDED = "excluded", "Left out of totals"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="finance_categories"
    )
    code = models.CharField(max_length=64)
    name = models.CharField(max_length=80)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.SPENDING)
    hidden = models.BooleanField(default=False)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="merged"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["user", "code"], name="category_user_code"),
        ]

    def __str__(self):
        return self.name
