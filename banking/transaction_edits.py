"""The user's own edits to a transaction (category and notes)."""

from django.utils import timezone

from .models import Transaction


def transaction_annotate(*, transaction: Transaction, category_override: str, notes: str) -> None:
    # An UPDATE of just these columns, not instance.save(): a sync running at the same moment
    # may be rewriting the bank's fields on this row, and a full save from this (older) copy
    # would put the old amount or name back.
    Transaction.objects.filter(pk=transaction.pk).update(
        category_override=category_override, notes=notes, updated_at=timezone.now()
    )
    transaction.category_override = category_override
    transaction.notes = notes
