"""finance's per-transaction columns (TransactionMeta): which fields the user set by hand."""

from django.db import transaction as db_transaction
from django.db.models import Q

from banking.models import Transaction

from .models import TransactionMeta

# Rows a rule (or the user) excluded or marked as a transfer count in no total.
COUNTED = Q(meta__isnull=True) | Q(meta__excluded=False, meta__transfer=False, meta__linked=False)


def meta_user_fields_add(*, transaction: Transaction, fields: set[str]) -> None:
    """Remember that the user set these fields by hand: rules leave them alone from now on."""
    if not fields:
        return
    with db_transaction.atomic():
        meta, _ = TransactionMeta.objects.select_for_update().get_or_create(
            transaction_id=transaction.pk, defaults={"user_id": transaction.user_id}
        )
        user_fields = sorted(set(meta.user_fields) | fields)
        if user_fields != meta.user_fields:
            TransactionMeta.objects.filter(pk=meta.pk).update(user_fields=user_fields)
