import datetime as dt
from decimal import Decimal

import pytest

from banking.models import SyncOutbox
from finance.budgets.services import budget_set
from finance.categories import category_book
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
