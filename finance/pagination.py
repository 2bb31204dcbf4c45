"""Keyset pagination of the transaction list: a page is found from the last row's (sort key,
id), never by OFFSET, so it stays stable while new rows arrive and never counts the table.

A cursor also carries a short tag of the list it came from (filters and sort): one pasted into
another search is well-formed but would start that list at an arbitrary row, so it is refused
as ForeignCursor and the list starts at its first page with a notice saying why."""

import datetime as dt
import hashlib
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection
from django.db.models import Q

SORTS = {
    # name: (field, descending)
    "newest": ("date", True),
    "oldest": ("date", False),
    "largest": ("amount", True),
    "smallest": ("amount", False),
}


class BadCursor(ValueError):
    pass


class ForeignCursor(BadCursor):
    """A well-formed cursor from another filter or sort."""


def list_scope(params) -> str:
    """A tag of a list's filters and sort: every query parameter but the cursors themselves."""
    pairs = sorted(
        (key, value)
        for key in params
        if key not in ("after", "before")
        for value in params.getlist(key)
        if value
    )
    return hashlib.blake2s(repr(pairs).encode(), digest_size=4).hexdigest()


@dataclass
class Page:
    rows: list
    next_cursor: str | None
    prev_cursor: str | None


def _encode(row, field: str, scope: str) -> str:
    value = getattr(row, field).isoformat() if field == "date" else getattr(row, field)
    return f"{value}~{row.pk}~{scope}"


def _decode(cursor: str, field: str, scope: str):
    parts = cursor.rsplit("~", 2)
    if len(parts) == 3 and parts[2] != scope:
        raise ForeignCursor("the cursor belongs to another list")
    try:
        value, pk, _ = parts
        pk = int(pk)
        value = dt.date.fromisoformat(value) if field == "date" else Decimal(value)
        if isinstance(value, Decimal) and not value.is_finite():
            raise ValueError("not a finite amount")
        return value, pk
    except (ValueError, ArithmeticError) as exc:
        raise BadCursor(str(exc))


def _past(field: str, value, pk: int, forward_desc: bool) -> Q:
    """Rows after (value, pk) walking in the given direction. Written as `field <= value AND
    (field < value OR id < pk)` rather than a plain OR so the database can use `field <= value`
    as an index bound."""
    if forward_desc:
        return Q(**{f"{field}__lte": value}) & (Q(**{f"{field}__lt": value}) | Q(pk__lt=pk))
    return Q(**{f"{field}__gte": value}) & (Q(**{f"{field}__gt": value}) | Q(pk__gt=pk))


def rows_in_order(qs, *, order: list[str], limit: int, parts: list[Q] | None = None) -> list:
    """The first `limit` rows of qs in `order`. With `parts` (access.transaction_parts: disjoint
    pieces of qs, each with its own index in date order), each part's first `limit` keys are
    read on its index and merged (UNION ALL under one ORDER BY: PostgreSQL's Merge Append),
    then the rows fetched by id; so a household's page costs a few index walks whatever else
    the table holds. SQLite cannot order inside a compound query: there, one query."""
    if (
        not parts
        or len(parts) == 1
        or not connection.features.supports_slicing_ordering_in_compound
    ):
        return list(qs.order_by(*order)[:limit])
    field = order[0].lstrip("-")
    keys = [qs.filter(part).order_by(*order).values_list(field, "id")[:limit] for part in parts]
    merged = keys[0].union(*keys[1:], all=True).order_by(*order)[:limit]
    ids = [pk for _, pk in merged]
    by_id = qs.filter(pk__in=ids).in_bulk(ids)
    return [by_id[pk] for pk in ids if pk in by_id]


def list_count(qs, *, limit: int, parts: list[Q] | None = None) -> int:
    """How many rows qs has, counted up to limit + 1 (the page says "more than limit"), part by
    part on their own indexes when given."""
    total = 0
    for part in parts or [Q()]:
        total += qs.filter(part).order_by()[: limit + 1 - total].count()
        if total > limit:
            break
    return total


def transaction_page(
    qs,
    *,
    sort: str = "newest",
    after: str = "",
    before: str = "",
    size: int = 50,
    scope: str = "",
    parts: list[Q] | None = None,
):
    """Keyset pagination by (sort field, id): stable while new rows arrive and no COUNT(*).

    `after` walks on from a row; `before` walks back towards the start. `scope` is the list's
    list_scope(): cursors are made with it and only accepted with it. `parts`: see rows_in_order.
    """
    field, desc = SORTS.get(sort, SORTS["newest"])
    order = [f"-{field}", "-id"] if desc else [field, "id"]
    reverse = [field, "id"] if desc else [f"-{field}", "-id"]
    qs = qs.select_related("account__item__institution")
    if before:
        value, pk = _decode(before, field, scope)
        rows = rows_in_order(
            qs.filter(_past(field, value, pk, not desc)), order=reverse, limit=size + 1, parts=parts
        )
        more_before = len(rows) > size
        rows = rows[:size][::-1]
        return Page(
            rows=rows,
            next_cursor=_encode(rows[-1], field, scope) if rows else None,
            prev_cursor=_encode(rows[0], field, scope) if rows and more_before else None,
        )
    if after:
        value, pk = _decode(after, field, scope)
        qs = qs.filter(_past(field, value, pk, desc))
    rows = rows_in_order(qs, order=order, limit=size + 1, parts=parts)
    more = len(rows) > size
    rows = rows[:size]
    return Page(
        rows=rows,
        next_cursor=_encode(rows[-1], field, scope) if more else None,
        prev_cursor=_encode(rows[0], field, scope) if after and rows else None,
    )
