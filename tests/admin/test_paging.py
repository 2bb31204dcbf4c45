import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from banking.admin.paging import EstimatedCountPaginator
from banking.models import Transaction
from tests import factories as f

pytestmark = pytest.mark.django_db
# Estimates exist on PostgreSQL only; tests/conftest.py deselects the other database's tests.
postgres_only = pytest.mark.postgresql


@pytest.fixture
def twenty(alice):
    account = f.AccountFactory(item__user=alice)
    f.TransactionFactory.create_batch(20, account=account)


@pytest.mark.sqlite
def test_it_counts_exactly_on_sqlite(twenty):
    qs = Transaction.objects.all()
    assert EstimatedCountPaginator(qs, 5).count == 20
    some = qs.filter(pk__in=list(qs.values_list("pk", flat=True)[:7]))
    assert EstimatedCountPaginator(some, 5).count == 7


@postgres_only
def test_it_uses_the_planner_estimate_for_a_big_unfiltered_table(twenty, monkeypatch):
    monkeypatch.setattr(EstimatedCountPaginator, "EXACT_BELOW", 5)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE banking_transaction")
    with CaptureQueriesContext(connection) as ctx:
        count = EstimatedCountPaginator(Transaction.objects.all(), 5).count
    assert count == 20
    assert [q for q in ctx.captured_queries if "COUNT(" in q["sql"].upper()] == []


@postgres_only
def test_it_stops_counting_a_broad_filter_past_the_cap(twenty, monkeypatch):
    monkeypatch.setattr(EstimatedCountPaginator, "EXACT_BELOW", 5)
    paginator = EstimatedCountPaginator(Transaction.objects.filter(amount__gt=0), 5)
    assert paginator.count == 6
    assert paginator.num_pages == 2


@postgres_only
def test_it_counts_a_small_table_exactly(twenty):
    assert EstimatedCountPaginator(Transaction.objects.all(), 5).count == 20


def test_date_hierarchy_offers_the_years_and_months_between_first_and_last(superuser_client, alice):
    account = f.AccountFactory(item__user=alice)
    f.TransactionFactory(account=account, date=dt.date(2023, 11, 5))
    f.TransactionFactory(account=account, date=dt.date(2025, 1, 10))
    f.TransactionFactory(account=account, date=dt.date(2025, 2, 1))
    with CaptureQueriesContext(connection) as ctx:
        html = superuser_client.get("/admin/banking/transaction/").content.decode()
    assert "?date__year=2023" in html and "?date__year=2024" in html and "?date__year=2025" in html
    assert not [q for q in ctx.captured_queries if "DISTINCT" in q["sql"].upper()]
    html = superuser_client.get("/admin/banking/transaction/?date__year=2025").content.decode()
    assert "date__month=1" in html and "date__month=2" in html and "date__month=3" not in html
    response = superuser_client.get("/admin/banking/transaction/?date__year=2025&date__month=2")
    assert len(response.context["cl"].result_list) == 1
