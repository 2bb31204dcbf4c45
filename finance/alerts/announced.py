"""What a sync announced, read for the alerts hook: the announced rows of the user's current
month grouped by category columns and currency (what touched which budgets, and what went out),
and the big added rows."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from uuid import UUID

from django.db.models import Case, Q, Sum, When

from banking.models import Transaction

from .. import meta
from ..batching import dense, id_batches
from ..currency.rows import CURRENCY_COLUMNS, row_currency
from ..prepared import PreparedQuery, Slot
from ..totals import CATEGORY_COLUMNS
from .bounds import News

# A touched row that is split: its parts may count anywhere, so every budget is read.
SPLIT = ("split",)
# What a large-transaction alert is written from (BigRow).
BIG_ROW_COLUMNS = (
    "id",
    "user_id",
    "public_id",
    "transaction_id",
    "pending_transaction_id",
    "date",
    "amount",
    "iso_currency_code",
    "unofficial_currency_code",
    "merchant_name",
    "name",
)


@dataclass(frozen=True)
class BigRow:
    """An added row at or above the large-transaction amount."""

    public_id: UUID
    transaction_id: str
    pending_transaction_id: str | None
    date: dt.date
    amount: Decimal
    iso_currency_code: str | None
    unofficial_currency_code: str | None
    merchant_name: str | None
    name: str

    @property
    def currency(self) -> str | None:
        return self.iso_currency_code or self.unofficial_currency_code


def announced_rows(
    user, *, ids: list[int], added: set[int], month, threshold: Decimal | None, since: dt.date
) -> tuple[set[tuple], list[News], list[BigRow]]:
    """(the category columns of the announced rows dated in the user's current month, with
    SPLIT for a split row; what the counted ones among them spent, per category columns and
    currency; the added rows dated since `since` at or above the threshold). No month: budgets
    are off. Neither read brings the rows themselves: the first, their groups (a few dozen rows,
    however many were announced), the second only the big ones.

    By primary key alone (finance.batching: a sync's new ids are one dense range, read as such):
    the ids are the announcing item's own rows (banking.outbox) and the owner is checked on each
    row read, because `user_id = ...` beside the ids makes SQLite walk
    the user's whole (user, date) index. A range may hold rows that were not announced (another
    sync's): a category too many only makes a budget be read that did not need to be, an amount
    too many only raises a bound (finance.alerts.bounds), and a big row must be among `added`.
    Rows older than this month cannot move its budgets, and removed rows only lower them."""
    touched: set[tuple] = set()
    news: list[News] = []
    if month is not None:
        for batch in id_batches(ids):
            if dense(batch):
                groups = GROUPS.rows(month=month, first=batch[0], last=batch[-1])
            else:
                groups = list(_groups(month).filter(pk__in=batch))
            for g in groups:
                if g["user_id"] != user.pk or not g["this_month"]:
                    continue
                columns = tuple(g[c] for c in CATEGORY_COLUMNS)
                touched.add(SPLIT if g["is_split"] else columns)
                if g["counted"] and not g["is_split"]:
                    code, official = row_currency(g)
                    news.append(News(columns, code, official, g["out"] or Decimal(0)))
    big: list[BigRow] = []
    if threshold is not None:
        for batch in id_batches(added):
            if dense(batch):
                rows = BIG.rows(
                    at_least=threshold, at_most=-threshold, first=batch[0], last=batch[-1]
                )
            else:
                rows = list(_big(threshold, -threshold).filter(pk__in=batch))
            big += [
                BigRow(**{c: r[c] for c in BIG_ROW_COLUMNS[2:]})
                for r in rows
                if r["user_id"] == user.pk and r["id"] in added and r["date"] >= since
            ]
    return touched, news, big


def _groups(month: dt.date):
    """Rows grouped by owner, currency, category columns, whether dated this month, split and
    counted, with what went out."""
    this_month = Case(When(date__gte=month, then=True), default=False)
    rows = Transaction.objects.annotate(
        this_month=this_month, is_split=meta.SPLIT, counted=meta.COUNTED
    )
    rows = rows.values(
        "user_id", *CURRENCY_COLUMNS, *CATEGORY_COLUMNS, "this_month", "is_split", "counted"
    )
    return rows.annotate(out=Sum("amount", filter=Q(amount__gt=0))).order_by()


def _groups_between(month: dt.date, first: int, last: int):
    return _groups(month).filter(pk__gte=first, pk__lte=last)


# Run after every sync with new values: compiled once per connection (finance.prepared).
GROUPS = PreparedQuery(
    _groups_between,
    month=Slot(dt.date(1901, 2, 3), Transaction._meta.get_field("date")),
    first=Slot(-7_000_000_001, Transaction._meta.pk),
    last=Slot(-7_000_000_002, Transaction._meta.pk),
)
AMOUNT = Transaction._meta.get_field("amount")


def _big(at_least: Decimal, at_most: Decimal):
    rows = Transaction.objects.filter(Q(amount__gte=at_least) | Q(amount__lte=at_most))
    return rows.values(*BIG_ROW_COLUMNS).order_by("id")


def _big_between(at_least: Decimal, at_most: Decimal, first: int, last: int):
    return _big(at_least, at_most).filter(pk__gte=first, pk__lte=last)


BIG = PreparedQuery(
    _big_between,
    at_least=Slot(Decimal("-7000001.01"), AMOUNT),
    at_most=Slot(Decimal("-7000002.02"), AMOUNT),
    first=Slot(-7_000_000_003, Transaction._meta.pk),
    last=Slot(-7_000_000_004, Transaction._meta.pk),
)
