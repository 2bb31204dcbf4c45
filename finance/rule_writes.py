"""Writing a rule run's outcome for a batch of rows in a constant number of statements.

A first sync hands the rules 100,000 rows at once. Grouped `UPDATE .. WHERE id IN (..)` per
(column, value) and `bulk_create(update_conflicts=True)` spend most of their time in Python
(a parameter per id, Django's field machinery per value, a row updated twice when a rule sets
both category and notes). Here PostgreSQL COPYs the batch into a session-local temporary table
and applies it with one UPDATE .. FROM and one INSERT .. ON CONFLICT, or, for rows a sync has
just inserted (which cannot have finance rows yet), COPYs straight into finance's tables; SQLite
(no round trips to save) runs one prepared statement per row with executemany, whose loop is in
C. Identifiers come from the models' metadata, never from input.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from django.db import connection, transaction

from banking.db import column
from banking.models import Transaction

from .models import TransactionMeta, TransactionTag

# (transaction pk, category_override, notes): the whole new value of both columns.
BankRow = tuple[int, str, str]
# (transaction pk, display_name, excluded, transfer, rule_fields)
MetaRow = tuple[int, str, bool, bool, list[str]]

META_COLUMNS = (
    "transaction",
    "display_name",
    "excluded",
    "transfer",
    "linked",
    "split",
    "split_amount",
    "split_review",
    "user_fields",
    "rule_fields",
)
META_UPDATED = ("display_name", "excluded", "transfer", "rule_fields")


def _names(meta, fields: Sequence[str]) -> list[str]:
    qn = connection.ops.quote_name
    return [qn(column(meta, f)) for f in fields]


def _copy(cursor, table: str, columns: str, rows) -> None:
    with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as cp:
        for row in rows:
            cp.write_row(row)


def _stage(cursor, name: str, definition: str, columns: str, rows) -> None:
    """COPY rows into the session-local temporary table `name` (made once per session from
    `definition`, emptied at commit): PostgreSQL's fast path for a batch."""
    cursor.execute(f"CREATE TEMPORARY TABLE IF NOT EXISTS {name} {definition}")
    _copy(cursor, name, columns, rows)


def bank_fields_write(*, user_id: int, rows: list[BankRow]) -> None:
    """Set category_override and notes on these transactions of the user, in one statement."""
    if not rows:
        return
    qn = connection.ops.quote_name
    table = qn(Transaction._meta.db_table)
    pk, category, notes, owner = _names(
        Transaction._meta, ["id", "category_override", "notes", "user"]
    )
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            cursor.executemany(
                f"UPDATE {table} SET {category} = %s, {notes} = %s "  # noqa: S608
                f"WHERE {pk} = %s AND {owner} = %s",
                [(c, n, t, user_id) for t, c, n in rows],
            )
            return
        _stage(
            cursor,
            "rules_bank",
            "(id bigint, category_override text, notes text) ON COMMIT DELETE ROWS",
            "id, category_override, notes",
            rows,
        )
        # Statistics for the fresh rows: without them the planner guesses and may scan every
        # transaction of every user instead of looking up the batch by primary key.
        cursor.execute("ANALYZE rules_bank")
        cursor.execute(
            f"UPDATE {table} AS t SET {category} = s.category_override, {notes} = s.notes "  # noqa: S608
            f"FROM rules_bank AS s WHERE t.{pk} = s.id AND t.{owner} = %s",
            [user_id],
        )
        cursor.execute("TRUNCATE rules_bank")


def meta_values(display_name: str, excluded: bool, transfer: bool, fields: list[str]) -> tuple:
    """A whole TransactionMeta row in META_COLUMNS order but its transaction: the rule-set
    columns, and the defaults for what rules never set."""
    return (
        display_name,
        excluded,
        transfer,
        False,
        False,
        None,
        False,
        "[]",
        json.dumps(fields),
    )


def _meta_values(rows: list[MetaRow]) -> list[tuple]:
    # A handful of distinct outcomes across a batch: each is built (and encoded) once.
    built: dict[tuple, tuple] = {}
    values = []
    for pk, name, excluded, transfer, fields in rows:
        key = (name, excluded, transfer, *fields)
        tail = built.get(key)
        if tail is None:
            tail = built[key] = meta_values(name, excluded, transfer, fields)
        values.append((pk, *tail))
    return values


def _meta_upsert(meta) -> tuple[list[str], str]:
    columns = _names(meta, META_COLUMNS)
    updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in _names(meta, META_UPDATED))
    return columns, f"ON CONFLICT ({columns[0]}) DO UPDATE SET {updates}"


def metas_write(*, rows: list[MetaRow]) -> None:
    """Insert or update the rule-set columns of these transactions' TransactionMeta; a new row
    gets the defaults for everything else, an existing one keeps it."""
    if not rows:
        return
    meta = TransactionMeta._meta
    columns, upsert = _meta_upsert(meta)
    _insert(meta, columns, _meta_values(rows), upsert, new=False, stage="rules_meta")


def metas_insert_new(*, rows: list[tuple]) -> None:
    """Whole TransactionMeta rows ((transaction pk, *meta_values(..))) for transactions the
    caller's own, still open, transaction inserted (a sync's preparer): no meta row can exist
    for them yet, so PostgreSQL COPYs the rows straight into the table, without a staging
    table or a conflict check per row."""
    if not rows:
        return
    meta = TransactionMeta._meta
    columns, upsert = _meta_upsert(meta)
    _insert(meta, columns, rows, upsert, new=True, stage="rules_meta")


def tag_links_write(*, rows: list[tuple[int, int]], new: bool = False) -> None:
    """Link (transaction pk, tag pk) pairs; a pair already linked stays as it is. new=True as
    in metas_insert_new: the transactions are the caller's own fresh inserts, so none is
    linked."""
    if not rows:
        return
    meta = TransactionTag._meta
    columns = _names(meta, ["transaction", "tag"])
    _insert(meta, columns, rows, "ON CONFLICT DO NOTHING", new=new, stage="rules_tags")


def _insert(meta, columns: list[str], rows, conflict: str, *, new: bool, stage: str) -> None:
    """INSERT the rows into meta's table, `conflict` deciding what an existing one does: SQLite
    runs one prepared statement per row; PostgreSQL COPYs fresh rows straight in (`new`) or
    stages them in the session-local table `stage` and inserts from there."""
    table = connection.ops.quote_name(meta.db_table)
    names = ", ".join(columns)
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            marks = ", ".join(["%s"] * len(columns))
            cursor.executemany(
                f"INSERT INTO {table} ({names}) VALUES ({marks}) {conflict}",  # noqa: S608
                rows,
            )
            return
        if new:
            _copy(cursor, table, names, rows)
            return
        definition = f"ON COMMIT DELETE ROWS AS SELECT {names} FROM {table} WITH NO DATA"  # noqa: S608
        _stage(cursor, stage, definition, names, rows)
        cursor.execute(f"INSERT INTO {table} ({names}) SELECT {names} FROM {stage} {conflict}")  # noqa: S608
        cursor.execute(f"TRUNCATE {stage}")
