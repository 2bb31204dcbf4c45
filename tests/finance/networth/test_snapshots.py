"""Snapshots written by beat for accounts that did not sync that day."""

import datetime as dt
from decimal import Decimal

import pytest
from django_celery_beat.models import PeriodicTask

from finance.models import BalanceSnapshot
from finance.networth.snapshots import snapshots_carry_forward, snapshots_record
from finance.tasks import SNAPSHOTS_CARRY_FORWARD
from finance.tasks import snapshots_carry_forward as carry_task
from tests.factories import AccountFactory, PlaidItemFactory

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 3, 14)


def test_beat_writes_a_row_for_each_account_without_one_today(alice):
    item = PlaidItemFactory(user=alice)
    synced = AccountFactory(item=item, current_balance=Decimal("10.00"))
    quiet = AccountFactory(item=item, current_balance=Decimal("20.00"))
    BalanceSnapshot.objects.create(
        account=synced, date=DAY, current=Decimal("11.00"), currency="USD"
    )

    snapshots_carry_forward(today=DAY)

    assert BalanceSnapshot.objects.get(account=synced, date=DAY).current == Decimal("11.00")
    row = BalanceSnapshot.objects.get(account=quiet, date=DAY)
    assert (row.current, row.estimated) == (Decimal("20.00"), False)


def test_beat_leaves_closed_and_hidden_accounts_alone(alice):
    item = PlaidItemFactory(user=alice)
    AccountFactory(item=item, revoked=True)
    AccountFactory(item=item, hidden=True)
    AccountFactory(item=item, current_balance=None)

    snapshots_carry_forward(today=DAY)

    assert not BalanceSnapshot.objects.exists()


def test_a_sync_on_the_same_day_replaces_beats_row(alice):
    item = PlaidItemFactory(user=alice)
    account = AccountFactory(item=item, current_balance=Decimal("20.00"), balances_updated_at=None)
    snapshots_carry_forward(today=DAY)
    account.current_balance = Decimal("25.50")
    account.save()

    snapshots_record(item=item, today=DAY)

    assert BalanceSnapshot.objects.get(account=account, date=DAY).current == Decimal("25.50")


def test_the_task_has_a_pinned_name_and_a_beat_row(alice):
    assert carry_task.name == SNAPSHOTS_CARRY_FORWARD == "finance.tasks.snapshots_carry_forward"
    assert PeriodicTask.objects.filter(task=SNAPSHOTS_CARRY_FORWARD).exists()
