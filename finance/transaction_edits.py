"""The user's own edits to a transaction (category and notes)."""

from django.utils import timezone

from banking.models import Transaction

from .meta import meta_user_fields_add
from .versions import totals_changed


def transaction_annotate(*, transaction: Transaction, category_override: str, notes: str) -> None:
    # An UPDATE of just these columns, not instance.save(): a sync running at the same moment
    # may be rewriting the bank's fields on this row, and a full save from this (older) copy
    # would put the old amount or name back.
    # What the row holds now, from the database: a ModelForm has already written the new
    # values onto the instance, which would make every edit look like no change.
    stored = Transaction.objects.filter(pk=transaction.pk).values_list("category_override", "notes")
    old_category, old_notes = stored.get()
    changed = {
        field
        for field, old, new in (
            ("category", old_category, category_override),
            ("notes", old_notes, notes),
        )
        if old != new
    }
    Transaction.objects.filter(pk=transaction.pk).update(
        category_override=category_override, notes=notes, updated_at=timezone.now()
    )
    meta_user_fields_add(transaction=transaction, fields=changed)
    # The dashboard's cached month totals include categories.
    totals_changed(transaction.user_id)
    transaction.category_override = category_override
    transaction.notes = notes
