import uuid

from django.conf import settings
from django.db import models

from banking.models import Transaction


class Tag(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="finance_tags"
    )
    name = models.CharField(max_length=40)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["user", "name"], name="tag_user_name")]

    def __str__(self):
        return self.name


class TransactionTag(models.Model):
    transaction = models.ForeignKey(Transaction, on_delete=models.CASCADE, related_name="tag_links")
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="links")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["transaction", "tag"], name="transaction_tag_once")
        ]

    def __str__(self):
        return f"{self.tag_id} on {self.transaction_id}"
