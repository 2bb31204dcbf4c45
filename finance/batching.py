"""Reading the rows an outbox announcement names, a batch at a time, in few round trips.

A first sync announces 100,000 ids. `WHERE id IN (..)` costs a query parameter per id (SQLite
caps a statement at 999; on PostgreSQL the driver's per-parameter work dominates), while a
first sync's ids are one dense range: that is read by range and filtered here instead.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from django.db import connection
from django.db.models import QuerySet


def batch_size() -> int:
    """Ids per query: SQLite allows 999 parameters a statement; PostgreSQL takes far more, and
    each round trip saved counts on a first sync."""
    return 500 if connection.vendor == "sqlite" else 5000


def id_batches(ids: Iterable[int]) -> Iterator[list[int]]:
    """The ids, sorted and without repeats, in batches of batch_size()."""
    ordered = sorted(set(ids))
    size = batch_size()
    for start in range(0, len(ordered), size):
        yield ordered[start : start + size]


def _pk(row: Any) -> int:
    return row["pk"] if isinstance(row, dict) else row.pk


def dense(ids: list[int]) -> bool:
    """Whether one sorted batch from id_batches() is read by its id range (it may then hold
    other rows too) rather than by its ids."""
    return ids[-1] - ids[0] < 2 * len(ids)


def ids_filter(rows: QuerySet, ids: list[int]) -> QuerySet:
    """`rows` narrowed to one sorted batch from id_batches(): its id range when the ids are
    dense (then the range may hold other rows too: the caller drops them), else the ids."""
    if dense(ids):
        return rows.filter(pk__gte=ids[0], pk__lte=ids[-1])
    return rows.filter(pk__in=ids)


def rows_with_ids(rows: QuerySet, ids: list[int]) -> list[Any]:
    """The rows of `rows` (models, or values() dicts that include "pk") whose pk is in `ids`,
    one sorted batch from id_batches()."""
    if not ids:
        return []
    wanted = set(ids)
    return [r for r in ids_filter(rows, ids) if _pk(r) in wanted]
