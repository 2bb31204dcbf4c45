"""finance.prepared: a query compiled once runs with each call's values as the ORM would."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db.models import Sum

from banking.models import Transaction
from finance.alerts.announced import BIG, GROUPS, _big_between, _groups_between
from finance.prepared import PreparedQuery, Slot
from tests.factories import AccountFactory, TransactionFactory

pytestmark = pytest.mark.django_db


def rows_of(account, *amounts, date=None):
    return [
        TransactionFactory(account=account, amount=Decimal(a), date=date or dt.date.today())
        for a in amounts
    ]


def by_key(rows):
    return sorted(rows, key=lambda r: sorted((k, str(v)) for k, v in r.items()))


def test_a_prepared_query_gives_what_the_orm_gives_for_every_call(alice):
    account = AccountFactory(item__user=alice)
    month = dt.date.today().replace(day=1)
    first = rows_of(account, "12.50", "-3.00", "7.25")
    second = rows_of(account, "40.00", date=month - dt.timedelta(days=3))
    for values in (
        {"month": month, "first": first[0].pk, "last": first[-1].pk},
        {"month": month, "first": first[0].pk, "last": second[-1].pk},
        {"month": month - dt.timedelta(days=40), "first": second[0].pk, "last": second[0].pk},
    ):
        prepared = GROUPS.rows(**values)
        assert by_key(prepared) == by_key(list(_groups_between(**values)))
    assert GROUPS.compiled()
    [row] = GROUPS.rows(month=month, first=first[0].pk, last=first[-1].pk)
    assert row["out"] == Decimal("19.75") and row["this_month"] is True
    assert row["counted"] is True and row["is_split"] is False


def test_the_big_rows_query_is_prepared_and_reads_both_directions(alice):
    account = AccountFactory(item__user=alice)
    rows = rows_of(account, "450.00", "-700.00", "20.00", "399.99")
    values = {
        "at_least": Decimal("400"),
        "at_most": Decimal("-400"),
        "first": rows[0].pk,
        "last": rows[-1].pk,
    }
    assert BIG.compiled()
    prepared = BIG.rows(**values)
    assert prepared == list(_big_between(**values))
    assert [r["amount"] for r in prepared] == [Decimal("450.00"), Decimal("-700.00")]
    assert prepared[0]["public_id"] == rows[0].public_id and prepared[0]["date"] == rows[0].date


def test_a_stand_in_that_cannot_be_placed_runs_through_the_orm(alice):
    account = AccountFactory(item__user=alice)
    rows_of(account, "5.00", "6.00")
    amount = Transaction._meta.get_field("amount")

    def above(at_least):
        # The stand-in is compared twice: it has no single place among the parameters.
        rows = Transaction.objects.filter(amount__gte=at_least, amount__gt=at_least)
        return rows.values("user_id").annotate(total=Sum("amount")).order_by()

    query = PreparedQuery(above, at_least=Slot(Decimal("-9999.99"), amount))
    assert not query.compiled()
    assert query.rows(at_least=Decimal("5.50")) == [{"user_id": alice.pk, "total": Decimal("6.00")}]
