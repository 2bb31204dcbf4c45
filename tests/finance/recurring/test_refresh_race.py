"""Two refreshes of one user at once (a webhook's and a sync's, in two workers): the one that
waited for the other writes what the database holds when it gets its turn, never what it read
before waiting. PostgreSQL only: SQLite runs one writer at a time, so the two never overlap."""

import threading
import time
from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.utils import timezone

from finance.models import RecurringStream
from finance.recurring.services import recurring_refresh
from tests.factories import AccountFactory, PlaidItemFactory, TransactionFactory

pytestmark = [pytest.mark.postgresql, pytest.mark.django_db(transaction=True)]


def _charge(account, day, amount):
    return TransactionFactory(
        account=account,
        date=day,
        amount=Decimal(amount),
        name="HULU 877-8244858",
        merchant_name="Hulu",
        pfc_primary="ENTERTAINMENT",
    )


def _waiting_for_a_lock() -> bool:
    with connection.cursor() as cursor:
        # Inside a transaction PostgreSQL keeps serving its first statistics snapshot.
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
        )
        return cursor.fetchone()[0] > 0


def test_a_refresh_that_waited_for_another_writes_the_newest_charge(alice):
    today = timezone.localdate()
    account = AccountFactory(item=PlaidItemFactory(user=alice))
    for months in range(6, 0, -1):
        _charge(account, today - timedelta(days=30 * months), "17.99")
    recurring_refresh(user=alice, today=today)
    assert RecurringStream.objects.get(user=alice).last_amount == Decimal("17.99")

    errors = []

    def refresh():
        try:
            recurring_refresh(user=alice, today=today)
        except Exception as exc:  # reported below, in the test's thread
            errors.append(exc)
        finally:
            connection.close()

    # Another refresh holds the user's lock while the new price arrives with it (a sync).
    with transaction.atomic():
        get_user_model().objects.select_for_update().get(pk=alice.pk)
        waiting = threading.Thread(target=refresh)
        waiting.start()
        deadline = time.monotonic() + 60
        while not _waiting_for_a_lock():
            assert time.monotonic() < deadline, "the second refresh never reached the lock"
            time.sleep(0.05)
        _charge(account, today, "19.99")
    waiting.join(60)

    assert not waiting.is_alive() and errors == []
    stream = RecurringStream.objects.get(user=alice)
    assert (stream.last_amount, stream.previous_amount) == (Decimal("19.99"), Decimal("17.99"))
    assert stream.price_change == Decimal("2.00")
