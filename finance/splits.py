"""Splits: one bank transaction in parts with their own amount, category and notes.

The parts always sum to the parent's amount: splits_set refuses anything else, in one database
transaction with the parent row locked. Totals count the parts in place of the parent
(split_adjustments). Rules keep working on the parent, never on parts. A re-sync that changes
the parent's amount flags the split for review (splits_check_resync); until the user fixes it,
totals count the parent whole.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction as db_transaction

from banking.models import Transaction

from . import access
from .meta import COUNTED, SPLIT_HEALTHY
from .models import SplitPart, TransactionMeta
from .versions import totals_changed


class SplitError(ValueError):
    pass


@dataclass(frozen=True)
class Part:
    amount: Decimal
    category: str = ""
    notes: str = ""


def splits_set(*, user, transaction: Transaction, parts: list[Part]) -> None:
    """Replace the transaction's parts; an empty list removes the split."""
    with db_transaction.atomic():
        totals_changed(user.pk)
        parent = access.transactions_editable(user).select_for_update().get(pk=transaction.pk)
        if parts:
            if len(parts) < 2:
                raise SplitError("A split has at least two parts.")
            total = sum((p.amount for p in parts), Decimal("0"))
            if total != parent.amount:
                raise SplitError(
                    f"The parts add up to {total}, not to the transaction's {parent.amount}."
                )
        SplitPart.objects.filter(parent_id=parent.pk).delete()
        SplitPart.objects.bulk_create(
            [
                SplitPart(
                    parent_id=parent.pk,
                    position=i,
                    amount=p.amount,
                    category=p.category,
                    notes=p.notes,
                )
                for i, p in enumerate(parts)
            ]
        )
        TransactionMeta.objects.bulk_create(
            [
                TransactionMeta(
                    transaction_id=parent.pk,
                    split=bool(parts),
                    split_amount=parent.amount if parts else None,
                    split_review=False,
                )
            ],
            update_conflicts=True,
            unique_fields=["transaction"],
            update_fields=["split", "split_amount", "split_review"],
        )


def split_parts(transaction: Transaction) -> list[SplitPart]:
    return list(SplitPart.objects.filter(parent_id=transaction.pk).order_by("position"))


def splits_check_resync(*, user, transaction_ids: Iterable[int]) -> int:
    """After a sync modified these rows: flag the splits whose parent amount changed; the
    number flagged. Idempotent (a flagged split stays flagged until the user saves it again)."""
    flagged = 0
    for meta in TransactionMeta.objects.filter(
        transaction__in=access.transactions_visible(user).filter(pk__in=list(transaction_ids)),
        split=True,
        split_review=False,
    ).select_related("transaction"):
        if meta.transaction.amount != meta.split_amount:
            TransactionMeta.objects.filter(pk=meta.pk).update(split_review=True)
            flagged += 1
    return flagged


def split_adjustments(
    *, user, start: dt.date, end: dt.date, memo: dict | None = None, household: bool = False
) -> list[dict]:
    """Rows that turn a total over whole transactions into one over parts: for every counted,
    healthy split parent dated in [start, end], the parent with weight -1 and each part with
    weight +1. Each row has the columns totals group by, `date`, the signed `amount` (for the
    caller's own in/out filter) and `weight`. `memo` (a request's CategoryBook.memo) lets
    two totals over the same months share one query. With `household`, the splits on rows the
    household shares come too, each row with its owner's `user_id` (whose categories apply)."""
    key = (start, end, household)
    if memo is not None and key in memo:
        return memo[key]
    parents = (
        access.transactions_visible(user, household=household)
        .filter(COUNTED, SPLIT_HEALTHY)
        .filter(date__gte=start, date__lte=end)
    )
    rows = []
    # The parents' ids first, then their parts by id: as one statement, a planner with stale
    # statistics (a table analysed while nearly empty) can nest the visibility subquery inside
    # a loop over every part and take minutes over a few hundred rows.
    parent_ids = list(parents.values_list("pk", flat=True))
    parts = SplitPart.objects.filter(parent_id__in=parent_ids).select_related("parent")
    for part in parts if parent_ids else ():
        t = part.parent
        base = {
            "iso_currency_code": t.iso_currency_code,
            "unofficial_currency_code": t.unofficial_currency_code,
            "pfc_detailed": t.pfc_detailed,
            "pfc_primary": t.pfc_primary,
            "date": t.date,
            "user_id": t.user_id,
        }
        if part.position == 0:
            rows.append(
                {**base, "category_override": t.category_override, "amount": t.amount, "weight": -1}
            )
        rows.append(
            {
                **base,
                "category_override": part.category or t.category_override,
                "amount": part.amount,
                "weight": 1,
            }
        )
    if memo is not None:
        memo[key] = rows
    return rows
