"""The CSV's finance columns: tags, the transfer marker and split parts.

A split transaction is written as its own row (split = "parent") followed by one row per part
(split = "part", split_of = the parent's transaction_id, the part's amount, category and
notes). Sum either the parents or the parts, never both. Lookups run once per chunk of rows, so
memory stays at one chunk whatever the export's size.
"""

from collections.abc import Iterable, Iterator
from itertools import islice

from .models import SplitPart, TransactionTag

EXTRA_HEADER = ["tags", "transfer", "split", "split_of"]
# Appended to the export's FIELDS; with_extras turns them into the EXTRA_HEADER cells.
EXTRA_FIELDS = ["pk", "meta__linked", "meta__transfer", "meta__split"]
CHUNK = 2000
# Positions in a FIELDS row (export.FIELDS): category, amount, notes, transaction_id.
CATEGORY, AMOUNT, NOTES, TRANSACTION_ID = 4, 6, 13, 14


def with_extras(rows: Iterable[tuple]) -> Iterator[tuple]:
    rows = iter(rows)
    while chunk := list(islice(rows, CHUNK)):
        base_len = len(chunk[0]) - len(EXTRA_FIELDS)
        pks = [r[base_len] for r in chunk]
        tags: dict[int, list[str]] = {}
        for pk, name in (
            TransactionTag.objects.filter(transaction_id__in=pks)
            .order_by("tag__name")
            .values_list("transaction_id", "tag__name")
        ):
            tags.setdefault(pk, []).append(name)
        split_pks = [r[base_len] for r in chunk if r[base_len + 3]]
        parts: dict[int, list[SplitPart]] = {}
        for part in SplitPart.objects.filter(parent_id__in=split_pks).order_by("position"):
            parts.setdefault(part.parent_id, []).append(part)
        for r in chunk:
            base, (pk, linked, transfer, split) = r[:base_len], r[base_len:]
            marker = "yes" if linked or transfer else "no"
            yield (
                *base,
                ", ".join(tags.get(pk, [])),
                marker,
                "parent" if split else "",
                "",
            )
            for part in parts.get(pk, []):
                row = list(base)
                row[CATEGORY] = part.category or base[CATEGORY]
                row[AMOUNT] = part.amount
                row[NOTES] = part.notes
                row[TRANSACTION_ID] = ""
                yield (*row, "", marker, "part", base[TRANSACTION_ID])
