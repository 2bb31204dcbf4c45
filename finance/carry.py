"""Pending -> posted for finance's own data. banking carries the category and notes itself;
the rest (display name, exclusion, transfer mark, which fields the user set, tags, split parts
and a transfer link) is stashed when the bank removes the pending row (carry_stash, a banking
removal hook, inside the sync's transaction) and put on the posted row when its announcement
arrives (carry_restore, from the outbox hook). Restoring consumes the stash, so a second
delivery changes nothing; an edit already made on the posted row wins.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from decimal import Decimal

from django.db import transaction as db_transaction
from django.utils import timezone

from banking.models import Transaction

from . import access
from .models import PendingCarry, SplitPart, TransactionMeta, TransactionTag, TransferLink
from .splits import Part, splits_set
from .tags import tags_add
from .transfers import link_restore

# A pending row that never posts leaves its stash behind; it is dropped after this long.
STASH_DAYS = 30
# SQLite allows 999 parameters a statement.
ID_BATCH = 500
META_FIELDS = ("display_name", "excluded", "transfer", "user_fields", "rule_fields")


def carry_stash(transaction_pks: list[int]) -> None:
    metas = {m.pk: m for m in TransactionMeta.objects.filter(pk__in=transaction_pks)}
    tags: dict[int, list[str]] = {}
    for pk, name in TransactionTag.objects.filter(transaction_id__in=transaction_pks).values_list(
        "transaction_id", "tag__name"
    ):
        tags.setdefault(pk, []).append(name)
    parts: dict[int, list[list[str]]] = {}
    for p in SplitPart.objects.filter(parent_id__in=transaction_pks).order_by("position"):
        parts.setdefault(p.parent_id, []).append([str(p.amount), p.category, p.notes])
    links: dict[int, list] = {}
    for link in TransferLink.objects.filter(outflow_id__in=transaction_pks).exclude(
        status=TransferLink.Status.UNDONE
    ):
        links[link.outflow_id] = ["outflow", link.inflow_id, link.status]
    for link in TransferLink.objects.filter(inflow_id__in=transaction_pks).exclude(
        status=TransferLink.Status.UNDONE
    ):
        links[link.inflow_id] = ["inflow", link.outflow_id, link.status]
    wanted = set(metas) | set(tags) | set(parts) | set(links)
    if not wanted:
        return
    stashes = []
    for pk, user_id, plaid_id in Transaction.objects.filter(pk__in=wanted).values_list(
        "pk", "user_id", "transaction_id"
    ):
        meta = metas.get(pk)
        payload = {
            "meta": {f: getattr(meta, f) for f in META_FIELDS} if meta else None,
            "tags": tags.get(pk, []),
            "parts": parts.get(pk, []),
            "link": links.get(pk),
        }
        stashes.append(
            PendingCarry(user_id=user_id, pending_transaction_id=plaid_id, payload=payload)
        )
    PendingCarry.objects.bulk_create(
        stashes,
        update_conflicts=True,
        unique_fields=["pending_transaction_id"],
        update_fields=["payload"],
    )


def carry_restore(*, user, transaction_ids: Iterable[int]) -> int:
    """Put stashed data on posted rows among these; the number restored."""
    PendingCarry.objects.filter(created_at__lt=timezone.now() - timedelta(days=STASH_DAYS)).delete()
    # Most syncs stash nothing: then a first sync of 100,000 rows reads none of them.
    if not access.carries_visible(user).exists():
        return 0
    ids = list(transaction_ids)
    posted: dict[str, Transaction] = {}
    for start in range(0, len(ids), ID_BATCH):
        for t in (
            access.transactions_editable(user)
            .filter(pk__in=ids[start : start + ID_BATCH], pending=False)
            .exclude(pending_transaction_id="")
        ):
            posted[t.pending_transaction_id] = t
    if not posted:
        return 0
    restored = 0
    for stash in PendingCarry.objects.filter(pending_transaction_id__in=list(posted)):
        t, data = posted[stash.pending_transaction_id], stash.payload
        with db_transaction.atomic():
            if data["meta"] and not TransactionMeta.objects.filter(pk=t.pk).exists():
                TransactionMeta.objects.create(transaction=t, **data["meta"])
            if data["tags"]:
                tags_add(user=user, by_transaction={t.pk: data["tags"]})
            if data["parts"] and not SplitPart.objects.filter(parent_id=t.pk).exists():
                parts = [Part(Decimal(a), c, n) for a, c, n in data["parts"]]
                if sum(p.amount for p in parts) == t.amount:
                    splits_set(user=user, transaction=t, parts=parts)
                else:
                    # The posted amount differs (a tip, a currency settle): keep the parts
                    # and ask the user to look, as a re-sync does.
                    splits_set(user=user, transaction=t, parts=[])
                    SplitPart.objects.bulk_create(
                        [
                            SplitPart(parent=t, position=i, amount=p.amount, category=p.category)
                            for i, p in enumerate(parts)
                        ]
                    )
                    TransactionMeta.objects.filter(pk=t.pk).update(
                        split=True, split_review=True, split_amount=sum(p.amount for p in parts)
                    )
            if data["link"]:
                _relink(user, t, *data["link"])
            PendingCarry.objects.filter(pk=stash.pk).delete()
        restored += 1
    return restored


def _relink(user, t: Transaction, side: str, other_pk: int, status: str) -> None:
    other = access.transactions_editable(user).filter(pk=other_pk).first()
    if other is None:
        return
    outflow, inflow = (t, other) if side == "outflow" else (other, t)
    link_restore(user=user, outflow=outflow, inflow=inflow, status=status)
