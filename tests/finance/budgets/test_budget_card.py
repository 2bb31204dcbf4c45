"""The dashboard's budget card is cached, and a committed sync or a budget change shows at
once."""

import datetime as dt
from decimal import Decimal

import pytest

from banking.models import SyncOutbox
from finance.budgets.services import budget_set
from finance.categories import category_book
from finance.hooks import spending_cache_retire
from tests.factories import AccountFactory, SyncRunFactory, grocery

pytestmark = pytest.mark.django_db


def test_the_budget_card_shows_a_sync_and_a_budget_change_and_is_cached_between(
    alice_client, alice, django_capture_on_commit_callbacks
):
    account = AccountFactory(item__user=alice)
    food = category_book(user=alice).by_code["FOOD_AND_DRINK"]
    month = dt.date.today().replace(day=1)
    with django_capture_on_commit_callbacks(execute=True):
        budget_set(user=alice, category=food, currency="USD", month=month, amount=Decimal("100"))
    grocery(account, "30.00")
    assert b"$30.00 of $100.00" in alice_client.get("/").content

    # A row written without a sync's announcement is not read again: the card is cached.
    later = grocery(account, "20.00")
    assert b"$30.00 of $100.00" in alice_client.get("/").content

    # The sync's announcement (finance's hook) retires the card.
    item = account.item
    spending_cache_retire(
        SyncOutbox.objects.create(item=item, run=SyncRunFactory(item=item), added=[later.pk])
    )
    assert b"$50.00 of $100.00" in alice_client.get("/").content

    with django_capture_on_commit_callbacks(execute=True):
        budget_set(user=alice, category=food, currency="USD", month=month, amount=Decimal("200"))
    assert b"$50.00 of $200.00" in alice_client.get("/").content
