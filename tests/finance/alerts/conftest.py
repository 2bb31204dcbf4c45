import datetime as dt
from decimal import Decimal

import pytest

from banking.models import SyncOutbox
from banking.outbox import outbox_deliver
from finance.budgets.services import budget_set
from finance.categories import category_book
from finance.hooks import alerts_run
from tests.factories import AccountFactory, SyncRunFactory, grocery


@pytest.fixture
def checking(alice):
    return AccountFactory(item__user=alice, available_balance=Decimal("1200.00"))


@pytest.fixture
def food_budget(alice, checking):
    food = category_book(user=alice).by_code["FOOD_AND_DRINK"]
    return budget_set(
        user=alice,
        category=food,
        currency="USD",
        month=dt.date.today().replace(day=1),
        amount=Decimal("100.00"),
    )


buy = grocery


def announce(item, **ids) -> SyncOutbox:
    return SyncOutbox.objects.create(item=item, run=SyncRunFactory(item=item), **ids)


def deliver_twice(item, django_capture_on_commit_callbacks, **ids):
    """The sync's announcement delivered (every hook), then the alerts hook run on it again."""
    row = announce(item, **ids)
    with django_capture_on_commit_callbacks(execute=True):
        assert outbox_deliver(outbox_id=row.pk) == "delivered"
    with django_capture_on_commit_callbacks(execute=True):
        alerts_run(row)


@pytest.fixture
def spend(checking, django_capture_on_commit_callbacks):
    """spend(amount, **fields): a purchase on the checking account, announced and delivered
    twice."""

    def spend(amount: str, **fields):
        t = buy(checking, amount, **fields)
        deliver_twice(checking.item, django_capture_on_commit_callbacks, added=[t.pk])
        return t

    return spend
