"""The alerts hook keeps a user's preferences, budgets and categories between syncs
(finance.alerts.standing): every change of them is read by the next sync."""

import datetime as dt
from decimal import Decimal

import pytest

from finance.alerts.preferences import alert_preference_save, alert_turn_off
from finance.budgets.services import budget_delete, budget_set
from finance.categories import category_book, category_update
from finance.models import AlertKind, Occurrence

pytestmark = pytest.mark.django_db


def titles() -> list[str]:
    return [a.title for a in Occurrence.objects.order_by("pk")]


def test_a_budget_lowered_between_two_syncs_is_read_by_the_next_one(alice, food_budget, spend):
    spend("30.00")
    spend("30.00")
    assert not titles()

    food = category_book(user=alice).by_code["FOOD_AND_DRINK"]
    month = dt.date.today().replace(day=1)
    budget_set(user=alice, category=food, currency="USD", month=month, amount=Decimal("70"))
    spend("1.00")
    assert titles() == ["Food & drink: 87% of the budget used"]


def test_a_budget_removed_between_two_syncs_tells_nothing_more(alice, food_budget, spend):
    spend("10.00")
    spend("1.00")

    budget_delete(user=alice, budget=food_budget)
    spend("95.00")
    assert not titles()


def test_an_alert_turned_off_or_on_between_two_syncs_is_respected(alice, checking, spend):
    alert_preference_save(
        user=alice, kind=AlertKind.LARGE_TRANSACTION, enabled=True, threshold=Decimal("300")
    )
    spend("20.00")
    spend("20.00")

    alert_turn_off(user=alice, kind=AlertKind.LARGE_TRANSACTION)
    spend("450.00", merchant_name="Quiet Store")
    assert not titles()

    alert_preference_save(
        user=alice, kind=AlertKind.LARGE_TRANSACTION, enabled=True, threshold=Decimal("500")
    )
    spend("450.00", merchant_name="Below The New Amount")
    spend("650.00", merchant_name="Big TV Store")
    assert titles() == ["$650.00 out of your account: Big TV Store"]


def test_a_category_renamed_between_two_syncs_is_named_in_the_next_alert(alice, food_budget, spend):
    spend("10.00")
    spend("1.00")

    food = category_book(user=alice).by_code["FOOD_AND_DRINK"]
    category_update(category=food, name="Eating", kind=food.kind, hidden=False)
    spend("74.00")
    assert titles() == ["Eating: 85% of the budget used"]
