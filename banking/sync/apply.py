"""Applying staged /transactions/sync pages in one short transaction (banking.sync.service).

The upsert is `INSERT .. ON CONFLICT (transaction_id) DO UPDATE` written as SQL, not
`bulk_create(update_conflicts=True)`: the SQL is the same, but Django compiles every value
through its field machinery (about 30 µs a row) and SQLite's 999-parameter cap splits a page into
~37-row statements, which made the ORM path 10x slower than the database itself (see
bench/sync_bench.py). SQLite runs it with executemany; PostgreSQL COPYs the page into a
temporary table and upserts from there. Values are converted here the way Django stores them
(dates as dates, UUIDs native or hex, aware datetimes through the backend's adapter), so the ORM
reads the rows back exactly as if it had written them.
"""

from __future__ import annotations

import json
import logging
import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.db.backends.utils import CursorWrapper
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from .. import schedule
from ..db import column
from ..models import Account, PlaidItem, SyncPage, SyncRun, Transaction
from ..outbox import Announcement, outbox_record, removal_hooks_run
from .errors import SyncAborted
from .prewrite import PrewriteRun
from .runs import run_finish

logger = logging.getLogger(__name__)

PAGE_SIZE = 500

# Columns a sync may overwrite. category_override and notes are the user's and never are.
SYNCED_FIELDS = [
    "amount",
    "iso_currency_code",
    "unofficial_currency_code",
    "date",
    "authorized_date",
    "datetime",
    "name",
    "merchant_name",
    "logo_url",
    "website",
    "pending",
    "pending_transaction_id",
    "pfc_primary",
    "pfc_detailed",
    "pfc_confidence",
    "payment_channel",
    "city",
    "region",
]
INSERT_FIELDS = [
    "public_id",
    "user",
    "account",
    "transaction_id",
    *SYNCED_FIELDS,
    "category_override",
    "notes",
    "created_at",
    "updated_at",
]
# Where transaction_id, and category_override and notes, sit in an INSERT_FIELDS row.
TRANSACTION_ID = INSERT_FIELDS.index("transaction_id")
USER_COLUMNS = slice(INSERT_FIELDS.index("category_override"), INSERT_FIELDS.index("notes") + 1)


def account_balance_fields(raw: dict[str, Any], now: datetime) -> dict[str, Any]:
    """An Account's balance columns from a Plaid account object (any product's answer)."""
    balances = raw.get("balances") or {}
    return {
        "current_balance": balances.get("current"),
        "available_balance": balances.get("available"),
        "limit": balances.get("limit"),
        "iso_currency_code": balances.get("iso_currency_code") or "",
        "unofficial_currency_code": balances.get("unofficial_currency_code") or "",
        "balances_updated_at": now,
        "updated_at": now,
    }


def apply_accounts(
    item: PlaidItem, accounts: dict[str, dict[str, Any]], now: datetime
) -> dict[str, int]:
    """Upsert the accounts the pages mention (balances included); {account_id: pk}."""
    existing = {a.account_id: a for a in Account.objects.filter(item=item)}
    for account_id, raw in accounts.items():
        fields = account_balance_fields(raw, now)
        if account_id in existing:
            Account.objects.filter(pk=existing[account_id].pk).update(**fields)
        elif not Account.objects.filter(account_id=account_id).exists():
            existing[account_id] = Account.objects.create(
                item=item,
                account_id=account_id,
                name=(raw.get("name") or "Account")[:200],
                official_name=(raw.get("official_name") or "")[:300],
                mask=(raw.get("mask") or "")[:8],
                type=(raw.get("type") or "other")[:32],
                subtype=(raw.get("subtype") or "")[:64],
                **fields,
            )
    return {account_id: a.pk for account_id, a in existing.items()}


def apply_page(
    item: PlaidItem,
    page: dict[str, Any],
    account_pks: dict[str, int],
    carried: dict[str, tuple[str, str]],
    counts: dict[str, int],
    announced: Announcement,
    prewrite: PrewriteRun | None = None,
) -> None:
    """Apply one staged page. `carried` holds the user fields of rows removed earlier in this
    update, for posted transactions that arrive on a later page than their pending one."""
    mine = Transaction.objects.filter(account__item=item)
    announced.page(page)
    removed = page["removed"]
    if removed:
        _remember_user_fields(mine.filter(transaction_id__in=removed), carried)
        doomed = mine.filter(transaction_id__in=removed)
        pending = list(doomed.filter(pending=True).values_list("pk", flat=True))
        if pending:
            removal_hooks_run(pending)
        doomed.delete()
    rows = {r["transaction_id"]: r for r in page["added"] + page["modified"]}
    pending_ids = {
        r["pending_transaction_id"] for r in rows.values() if r["pending_transaction_id"]
    }
    if pending_ids:
        _remember_user_fields(mine.filter(transaction_id__in=pending_ids), carried)
    announced.written(upsert(item, list(rows.values()), account_pks, prewrite))
    for r in rows.values():
        source = carried.pop(r["pending_transaction_id"], None) if not r["pending"] else None
        if source:
            category, notes = source
            posted = mine.filter(transaction_id=r["transaction_id"])
            # Only into empty fields: an edit already made on the posted row wins.
            if category:
                posted.filter(category_override="").update(category_override=category)
            if notes:
                posted.filter(notes="").update(notes=notes)
    counts["added"] += len(page["added"])
    counts["modified"] += len(page["modified"])
    counts["removed"] += len(removed)


def apply_staged(
    item: PlaidItem,
    run: SyncRun,
    original: str,
    cursor: str,
    update_status: str,
    accounts: dict[str, dict[str, Any]],
) -> None:
    now = timezone.now()
    counts = {"added": 0, "modified": 0, "removed": 0}
    with transaction.atomic():
        # Both checks come first: on PostgreSQL they also lock the item row for this short
        # transaction. A run reclaimed as stuck, or a cursor someone else moved, means these
        # pages are not ours to apply.
        if not SyncRun.objects.filter(pk=run.pk, outcome=SyncRun.Outcome.RUNNING).update(
            heartbeat_at=now
        ):
            raise SyncAborted("the run was reclaimed")
        moved = PlaidItem.objects.filter(pk=item.pk, transactions_cursor=original).update(
            transactions_cursor=cursor,
            transactions_update_status=update_status,
            last_successful_sync_at=now,
            # With the success, not after it: a dispatcher pass never finds a synced item due.
            next_refresh_at=schedule.daily_slot_after_sync(item.item_id, synced_at=now),
            updated_at=now,
        )
        if not moved:
            raise SyncAborted("the cursor moved during the sync")
        account_pks = apply_accounts(item, accounts, now)
        prewrite = PrewriteRun(item.user_id)
        carried: dict[str, tuple[str, str]] = {}
        announced = Announcement()
        page_ids = list(
            SyncPage.objects.filter(run=run).order_by("seq").values_list("pk", flat=True)
        )
        for page_id in page_ids:
            # One page in memory at a time, whatever the item's history size.
            payload = SyncPage.objects.filter(pk=page_id).values_list("payload", flat=True).get()
            apply_page(item, json.loads(payload), account_pks, carried, counts, announced, prewrite)
        prewrite.finish()
        outbox_record(
            item=item,
            run=run,
            announced=announced,
            prepared=prewrite.record if prewrite else None,
        )
        # With an eager broker (tests, the benchmark) the hooks run on commit, inside this block:
        # what the pages left behind (an id per row) is not held through them.
        del announced, carried, prewrite
        SyncPage.objects.filter(run=run).delete()
        run_finish(run, SyncRun.Outcome.SUCCESS, counts=counts)
    item.transactions_cursor = cursor
    item.transactions_update_status = update_status
    item.last_successful_sync_at = now


def _remember_user_fields(
    queryset: QuerySet[Transaction], carried: dict[str, tuple[str, str]]
) -> None:
    for t_id, category, notes in queryset.exclude(category_override="", notes="").values_list(
        "transaction_id", "category_override", "notes"
    ):
        carried[t_id] = (category, notes)


def _sql(rows_per_statement: int) -> str:
    qn = connection.ops.quote_name
    meta = Transaction._meta
    columns = ", ".join(qn(column(meta, f)) for f in INSERT_FIELDS)
    one = "(" + ", ".join(["%s"] * len(INSERT_FIELDS)) + ")"
    updates = ", ".join(
        f"{qn(column(meta, f))} = EXCLUDED.{qn(column(meta, f))}"
        for f in [*SYNCED_FIELDS, "updated_at"]
    )
    # Only identifiers from the model's own metadata are interpolated; values are parameters.
    return (
        f"INSERT INTO {qn(meta.db_table)} ({columns}) VALUES "  # noqa: S608
        + ", ".join([one] * rows_per_statement)
        + f" ON CONFLICT ({qn('transaction_id')}) DO UPDATE SET {updates}"
    )


def _prepared(
    views: list[dict[str, Any]], prewrite: PrewriteRun
) -> tuple[dict[str, dict[str, tuple[str, str]]], dict[str, tuple[str, str]]]:
    """What the preparers fill in on this page: per preparer, and merged (a later one wins)."""
    by_preparer = prewrite.prepare(views)
    merged: dict[str, tuple[str, str]] = {}
    for filled in by_preparer.values():
        merged.update(filled)
    return by_preparer, merged


def upsert(
    item: PlaidItem,
    rows: list[dict[str, Any]],
    account_pks: dict[str, int],
    prewrite: PrewriteRun | None = None,
) -> list[tuple[int, str]]:
    """Write the rows; (pk, transaction_id) of every row written."""
    ops = connection.ops
    now = ops.adapt_datetimefield_value(timezone.now())
    native_uuid = connection.features.has_native_uuid_field
    # Each row's values are parsed once: the preparers' views are built from the same ones.
    values: list[list[Any]] = []
    views: list[dict[str, Any]] = []
    for r in rows:
        account_pk = account_pks.get(r["account_id"])
        if account_pk is None:
            logger.warning("item %s: transaction for an unknown account skipped", item.item_id)
            continue
        public_id = uuid.uuid4()
        authorized = r["authorized_date"]
        when = r["datetime"]
        amount = Decimal(r["amount"])
        day = date.fromisoformat(r["date"])
        values.append(
            [
                public_id if native_uuid else public_id.hex,
                item.user_id,
                account_pk,
                r["transaction_id"],
                amount,
                r["iso_currency_code"],
                r["unofficial_currency_code"],
                day,
                date.fromisoformat(authorized) if authorized else None,
                ops.adapt_datetimefield_value(parse_datetime(when)) if when else None,
                r["name"],
                r["merchant_name"],
                r["logo_url"],
                r["website"],
                r["pending"],
                r["pending_transaction_id"],
                r["pfc_primary"],
                r["pfc_detailed"],
                r["pfc_confidence"],
                r["payment_channel"],
                r["city"],
                r["region"],
                "",  # category_override: a preparer's, below
                "",  # notes
                now,
                now,
            ]
        )
        # A posted row that replaces a pending one takes over what the user set on that one
        # (the carry in apply_page, and finance's own); its preparation waits for the hooks.
        if prewrite and not r["pending_transaction_id"]:
            views.append(
                {
                    "transaction_id": r["transaction_id"],
                    "account_id": account_pk,
                    "amount": amount,
                    "date": day,
                    "name": r["name"],
                    "merchant_name": r["merchant_name"],
                    "pfc_primary": r["pfc_primary"],
                    "pfc_detailed": r["pfc_detailed"],
                }
            )
    if not values:
        return []
    by_preparer: dict[str, dict[str, tuple[str, str]]] = {}
    if prewrite:
        by_preparer, filled = _prepared(views, prewrite)
        for row in values:
            found = filled.get(row[TRANSACTION_ID])
            if found:
                row[USER_COLUMNS] = found
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            written = _upsert_postgresql(cursor, values)
        else:
            existing = _existing(values) if prewrite else set()
            if connection.vendor == "sqlite":
                # One prepared single-row statement run many times: SQLite's executemany loop
                # is in C and there is no network round trip to save.
                cursor.executemany(_sql(1), values)
            else:
                cursor.execute(_sql(len(values)), [v for row in values for v in row])
            written = _written(values, existing)
    if prewrite:
        inserted: dict[str, int] = {}
        updated: dict[str, int] = {}
        for pk, t_id, new in written:
            (inserted if new else updated)[t_id] = pk
        prewrite.written(by_preparer, inserted, updated)
    return [(pk, t_id) for pk, t_id, _new in written]


def _page_rows(values: list[list[Any]]) -> QuerySet[Transaction]:
    # A page is at most PAGE_SIZE rows: one statement within SQLite's 999 parameters.
    return Transaction.objects.filter(transaction_id__in=[v[TRANSACTION_ID] for v in values])


def _existing(values: list[list[Any]]) -> set[str]:
    return set(_page_rows(values).values_list("transaction_id", flat=True))


def _written(values: list[list[Any]], existing: set[str]) -> list[tuple[int, str, bool]]:
    found = _page_rows(values).values_list("pk", "transaction_id")
    return [(pk, t_id, t_id not in existing) for pk, t_id in found]


def _upsert_postgresql(
    cursor: CursorWrapper, values: list[list[Any]]
) -> list[tuple[int, str, bool]]:
    """COPY the page into a session-local temporary table, then one INSERT .. SELECT .. ON
    CONFLICT. A 13,000-parameter VALUES statement spends most of its time in the driver's
    query parsing; COPY is PostgreSQL's fast path and the upsert then runs inside the server.
    Returns (pk, transaction_id, inserted) of every row written; `xmax = 0` holds for
    a row this statement inserted, not for one it updated."""
    qn = connection.ops.quote_name
    meta = Transaction._meta
    table = qn(meta.db_table)
    columns = ", ".join(qn(column(meta, f)) for f in INSERT_FIELDS)
    updates = ", ".join(
        f"{qn(column(meta, f))} = EXCLUDED.{qn(column(meta, f))}"
        for f in [*SYNCED_FIELDS, "updated_at"]
    )
    # ON COMMIT DELETE ROWS: nothing staged here outlives the apply transaction.
    create = "CREATE TEMPORARY TABLE IF NOT EXISTS sync_upsert ON COMMIT DELETE ROWS AS "
    cursor.execute(create + f"SELECT {columns} FROM {table} WITH NO DATA")  # noqa: S608
    with cursor.cursor.copy(f"COPY sync_upsert ({columns}) FROM STDIN") as copy:
        for row in values:
            copy.write_row(row)
    pk, t_id = qn(column(meta, "id")), qn(column(meta, "transaction_id"))
    cursor.execute(
        f"INSERT INTO {table} ({columns}) SELECT {columns} FROM sync_upsert "  # noqa: S608
        f"ON CONFLICT ({qn('transaction_id')}) DO UPDATE SET {updates} "
        f"RETURNING {pk}, {t_id}, (xmax = 0)"
    )
    written = cursor.fetchall()
    cursor.execute("TRUNCATE sync_upsert")
    return written
