"""Tags: many per transaction, set by the user or added by rules; filter and total by tag."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from django.db import transaction as db_transaction
from django.db.models import Q, Sum

from banking.models import Transaction

from . import access
from .currency.rows import row_code
from .meta import COUNTED
from .models import Tag, TransactionTag

MAX_TAG_LENGTH = 40


def tags_parse(text: str) -> list[str]:
    """'groceries, Costco ,,trip' -> ['groceries', 'Costco', 'trip'] (order kept, no repeats
    ignoring case)."""
    seen: dict[str, str] = {}
    for part in text.split(","):
        name = " ".join(part.split())[:MAX_TAG_LENGTH]
        if name and name.casefold() not in seen:
            seen[name.casefold()] = name
    return list(seen.values())


def tags_ensure(*, user, names: Iterable[str]) -> list[Tag]:
    """The user's tags with these names, created when missing. Matching ignores case so
    'Trip' and 'trip' stay one tag."""
    names = list(names)
    if not names:
        return []
    existing = {t.name.casefold(): t for t in access.tags_visible(user)}
    missing = [n for n in names if n.casefold() not in existing]
    if missing:
        Tag.objects.bulk_create([Tag(user=user, name=n) for n in missing], ignore_conflicts=True)
        existing = {t.name.casefold(): t for t in access.tags_visible(user)}
    return [existing[n.casefold()] for n in names if n.casefold() in existing]


def transaction_tags_set(*, user, transaction: Transaction, names: list[str]) -> None:
    """The user's own choice: exactly these tags on the transaction."""
    tags = tags_ensure(user=user, names=names)
    with db_transaction.atomic():
        TransactionTag.objects.filter(transaction_id=transaction.pk).exclude(tag__in=tags).delete()
        TransactionTag.objects.bulk_create(
            [TransactionTag(transaction_id=transaction.pk, tag=t) for t in tags],
            ignore_conflicts=True,
        )


def tags_add(*, user, by_transaction: dict[int, list[str]]) -> None:
    """Add (never remove) tags, as rules do; adding one twice changes nothing."""
    names = {n for wanted in by_transaction.values() for n in wanted}
    tags = {t.name.casefold(): t for t in tags_ensure(user=user, names=sorted(names))}
    TransactionTag.objects.bulk_create(
        [
            TransactionTag(transaction_id=pk, tag=tags[n.casefold()])
            for pk, wanted in by_transaction.items()
            for n in wanted
            if n.casefold() in tags
        ],
        ignore_conflicts=True,
    )


def tag_names(transaction: Transaction) -> list[str]:
    return list(
        TransactionTag.objects.filter(transaction_id=transaction.pk)
        .order_by("tag__name")
        .values_list("tag__name", flat=True)
    )


def tag_totals(*, user) -> list[dict]:
    """Per tag and currency: money out, money in and how many transactions."""
    rows = (
        access.transactions_visible(user)
        .filter(COUNTED, tag_links__isnull=False)
        .values(
            "tag_links__tag__name",
            "tag_links__tag__public_id",
            "iso_currency_code",
            "unofficial_currency_code",
        )
        .annotate(
            out=Sum("amount", filter=Q(amount__gt=0)),
            inflow=Sum("amount", filter=Q(amount__lt=0)),
        )
        .order_by("tag_links__tag__name", "iso_currency_code")
    )
    return [
        {
            "name": r["tag_links__tag__name"],
            "public_id": r["tag_links__tag__public_id"],
            "currency": row_code(r),
            "out": r["out"] or Decimal("0.00"),
            "in": -(r["inflow"] or Decimal("0.00")),
        }
        for r in rows
    ]
