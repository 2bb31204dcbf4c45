"""Past daily balances, reconstructed when a bank is linked (Plaid has no balance history).

The method: start from the earliest balance we have seen for the account (the anchor: the first
sync's, on the day of linking) and walk back one day at a time, undoing that day's posted
transactions. Plaid's amount is positive for money leaving the account, so for a depository or
investment account the balance the evening before is this evening's plus the day's amounts;
a credit card's or loan's balance is what is owed, which money out *raised*, so the evening
before it is this evening's minus the day's amounts. Pending transactions are left out, as
Plaid leaves them out of `current`. The window starts at the item's oldest posted transaction,
at most BACKFILL_MAX_DAYS before the anchor (Plaid returns up to 730 days), so accounts of one
bank cover the same days and an account without transactions (a loan, a brokerage account)
keeps its balance flat. Every row is marked estimated; seen rows are never overwritten, and a
rerun replaces the estimates, so the hook may run this again whenever older history arrives
(Plaid's historical pull, a new account shared in update mode).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Min, Sum

from banking.models import Account, PlaidItem, Transaction

from ..models import BalanceSnapshot

BACKFILL_MAX_DAYS = 730
# SQLite allows 999 parameters a statement; PostgreSQL takes the whole list at once.
ID_CHUNK = connection.features.max_query_params and 500 or 50_000
# Money out raises what is owed on these.
OWED_TYPES = frozenset(Account.LIABILITY_TYPES)


def _anchors(accounts: list[Account]) -> dict[int, tuple[dt.date, Decimal]]:
    first_seen = (
        BalanceSnapshot.objects.filter(account__in=accounts, estimated=False)
        .values("account_id")
        .annotate(first=Min("date"))
    )
    dates = {row["account_id"]: row["first"] for row in first_seen}
    anchors = {}
    for account_id, day in dates.items():
        current = (
            BalanceSnapshot.objects.filter(account_id=account_id, date=day)
            .values_list("current", flat=True)
            .get()
        )
        anchors[account_id] = (day, current)
    return anchors


def account_backfill(*, account: Account, anchor: tuple[dt.date, Decimal], start: dt.date) -> int:
    """Estimated rows for every day from `start` to the day before the anchor; the number."""
    anchor_day, balance = anchor
    start = max(start, anchor_day - dt.timedelta(days=BACKFILL_MAX_DAYS - 1))
    per_day = dict(
        Transaction.objects.filter(
            account=account, pending=False, date__gt=start, date__lte=anchor_day
        )
        .values("date")
        .annotate(total=Sum("amount"))
        .values_list("date", "total")
    )
    sign = -1 if account.type in OWED_TYPES else 1
    currency = account.currency or "USD"
    rows = []
    day = anchor_day
    while day > start:
        balance += sign * per_day.get(day, Decimal("0"))
        day -= dt.timedelta(days=1)
        rows.append((account.pk, day, balance, currency))
    with transaction.atomic():
        BalanceSnapshot.objects.filter(
            account=account, estimated=True, date__lt=anchor_day
        ).delete()
        _insert_estimates(rows)
    return len(rows)


def _insert_estimates(rows: list[tuple]) -> None:
    # Raw SQL: building 730 model instances per account, or parsing a statement with
    # thousands of placeholders, was most of a link's backfill time (bench/networth_bench.py).
    # PostgreSQL takes the rows as four arrays in one statement; SQLite's executemany is
    # in-process. A seen row on the same day wins (DO NOTHING).
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "INSERT INTO finance_balancesnapshot"
                " (account_id, date, current, currency, estimated, available)"
                " SELECT a, d, c, cur, TRUE, NULL"
                " FROM unnest(%s::bigint[], %s::date[], %s::numeric[], %s::text[])"
                " AS r(a, d, c, cur) ON CONFLICT (account_id, date) DO NOTHING",
                [list(column) for column in zip(*rows, strict=True)] if rows else [[]] * 4,
            )
            return
        ops = connection.ops
        cursor.executemany(
            "INSERT INTO finance_balancesnapshot"
            " (account_id, date, current, currency, estimated, available)"
            " VALUES (%s, %s, %s, %s, TRUE, NULL) ON CONFLICT (account_id, date) DO NOTHING",
            [
                (pk, ops.adapt_datefield_value(day), ops.adapt_decimalfield_value(value), cur)
                for pk, day, value, cur in rows
            ],
        )


def _oldest_new_posted(item: PlaidItem, transaction_ids: list[int]) -> dict[int, dt.date]:
    posted = Transaction.objects.filter(account__item=item, pending=False)
    if len(transaction_ids) * 3 > posted.count():
        # Most of the item is new (a first sync, the historical pull): one grouped pass over
        # its rows beats hundreds of id lists, and over-counts nothing that matters (a
        # backfill of an account whose old rows were not in this sync is the same backfill).
        rows = posted.values("account_id").annotate(first=Min("date"))
        return {row["account_id"]: row["first"] for row in rows}
    oldest: dict[int, dt.date] = {}
    for i in range(0, len(transaction_ids), ID_CHUNK):
        chunk = transaction_ids[i : i + ID_CHUNK]
        rows = (
            Transaction.objects.filter(pk__in=chunk, pending=False)
            .values("account_id")
            .annotate(first=Min("date"))
        )
        for row in rows:
            known = oldest.get(row["account_id"])
            oldest[row["account_id"]] = min(known, row["first"]) if known else row["first"]
    return oldest


@transaction.atomic
def item_backfill(*, item: PlaidItem, transaction_ids: list[int]) -> dict[int, int]:
    """Backfill the item's accounts that these (added or modified) transactions reach before
    the first balance we saw; {account pk: rows written}. Call after today's snapshot. One
    transaction: the chart never shows half a bank's history, and one commit, not one per
    account."""
    oldest_new = _oldest_new_posted(item, transaction_ids)
    if not oldest_new:
        return {}
    # An investment account's value is its holdings at each day's prices, which no transaction
    # history gives back (Plaid has no price history): its history starts with its first
    # snapshot instead of being estimated.
    accounts = list(Account.objects.filter(item=item).exclude(type="investment"))
    anchors = _anchors(accounts)
    due = [
        a
        for a in accounts
        if a.pk in anchors and oldest_new.get(a.pk, dt.date.max) < anchors[a.pk][0]
    ]
    if not due:
        return {}
    # Accounts without transactions (loans) come along: their history is flat.
    quiet = [a for a in accounts if a.pk in anchors and a.pk not in oldest_new]
    posted = Transaction.objects.filter(account__item=item, pending=False)
    start = posted.aggregate(first=Min("date"))["first"]
    return {
        account.pk: account_backfill(account=account, anchor=anchors[account.pk], start=start)
        for account in due + quiet
    }
