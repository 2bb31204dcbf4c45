"""finance's per-transaction columns (TransactionMeta): which fields the user set by hand."""

from django.db import transaction as db_transaction
from django.db.models import Exists, OuterRef

from banking.models import Transaction

from .models import TransactionMeta
from .models.rules import SPLIT_META, UNCOUNTED_META

# Rows a rule (or the user) excluded, marked as a transfer or linked to their other half count
# in no total. Asked as "no such meta row exists", not as a join with the meta table: the
# partial index meta_uncounted holds only those rows, so each transaction costs one probe of a
# small index, where a join read every user's meta rows once the table had grown.
COUNTED = ~Exists(TransactionMeta.objects.filter(UNCOUNTED_META, transaction_id=OuterRef("pk")))
# Rows split into parts, asked the same way (partial index meta_split).
SPLIT = Exists(TransactionMeta.objects.filter(SPLIT_META, transaction_id=OuterRef("pk")))
# Split rows whose parts count (a re-sync that changed the amount sends them back to review).
SPLIT_HEALTHY = Exists(
    TransactionMeta.objects.filter(SPLIT_META, split_review=False, transaction_id=OuterRef("pk"))
)


def meta_user_fields_add(*, transaction: Transaction, fields: set[str]) -> None:
    """Remember that the user set these fields by hand: rules leave them alone from now on."""
    if not fields:
        return
    with db_transaction.atomic():
        meta, _ = TransactionMeta.objects.select_for_update().get_or_create(
            transaction_id=transaction.pk
        )
        user_fields = sorted(set(meta.user_fields) | fields)
        if user_fields != meta.user_fields:
            TransactionMeta.objects.filter(pk=meta.pk).update(user_fields=user_fields)
