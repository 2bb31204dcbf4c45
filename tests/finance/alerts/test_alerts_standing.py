"""The alerts hook keeps a user's preferences, budgets and categories between syncs
(finance.alerts.standing): every change of them is read by the next sync."""

import datetime as dt
from decimal import Decimal

import pytest

from finance.alerts.preferences import alert_preference_save, alert_turn_off
from finance.budgets.services import budget_delete, budget_set
from finance.categories import category_book, category_update
from finance.models import AlertKind, Occurrence

from .conftest import buy
from .test_alerts import deliver_twice

pytestmark = pytest.mark.django_db


def month():
    return dt.date.today().replace(day=1)


def test_a_budget_lowered_between_two_syncs_is_read_by_the_next_one(
    alice, checking, food_budget, django_capture_on_commit_callbacks
):
    for _ in range(2):
        t = buy(checking, "30.00")
        deliver_twice(checking.item, django_capture_on_commit_callbacks, added=[t.pk])
    assert not Occurrence.objects.exists()

    food = category_book(user=alice).by_code["FOOD_AND_DRINK"]
    budget_set(user=alice, category=food, currency="USD", month=month(), amount=Decimal("70"))
    t = buy(checking, "1.00")
    deliver_twice(checking.item, django_capture_on_commit_callbacks, added=[t.pk])

    [alert] = Occurrence.objects.all()
    assert alert.title == "Food & drink: 87% of the budget used"


def test_a_budget_removed_between_two_syncs_tells_nothing_more(
    alice, checking, food_budget, django_capture_on_commit_callbacks
):
    t = buy(checking, "10.00")
    deliver_twice(checking.item, django_capture_on_commit_callbacks, added=[t.pk])
    deliver_twice(checking.item, django_capture_on_commit_callbacks, added=[t.pk])

    budget_delete(user=alice, budget=food_budget)
    t = buy(checking, "95.00")
    deliver_twice(checking.item, django_capture_on_commit_callbacks, added=[t.pk])
    assert not Occurrence.objects.exists()


def test_an_alert_turned_off_or_on_between_two_syncs_is_respected(
    alice, checking, django_capture_on_commit_callbacks
):
    alert_preference_save(
        user=alice, kind=AlertKind.LARGE_TRANSACTION, enabled=True, threshold=Decimal("300")
    )
    for _ in range(2):
        t = buy(checking, "20.00")
        deliver_twice(checking.item, django_capture_on_commit_callbacks, added=[t.pk])

    alert_turn_off(user=alice, kind=AlertKind.LARGE_TRANSACTION)
    t = buy(checking, "450.00", merchant_name="Quiet Store")
    deliver_twice(checking.item, django_capture_on_commit_callbacks, added=[t.pk])
    assert not Occurrence.objects.exists()

    alert_preference_save(
        user=alice, kind=AlertKind.LARGE_TRANSACTION, enabled=True, threshold=Decimal("500")
    )
    t = buy(checking, "450.00", merchant_name="Below The New Amount")
    big = buy(checking, "650.00", merchant_name="Big TV Store")
    deliver_twice(checking.item, django_capture_on_commit_callbacks, added=[t.pk, big.pk])
    [alert] = Occurrence.objects.all()
    assert alert.title == "$650.00 out of your account: Big TV Store"


def test_a_category_renamed_between_two_syncs_is_named_in_the_next_alert(
    alice, checking, food_budget, django_capture_on_commit_callbacks
):
    t = buy(checking, "10.00")
    deliver_twice(checking.item, django_capture_on_commit_callbacks, added=[t.pk])
    deliver_twice(checking.item, django_capture_on_commit_callbacks, added=[t.pk])

    food = category_book(user=alice).by_code["FOOD_AND_DRINK"]
    category_update(category=food, name="Eating", kind=food.kind, hidden=False)
    t = buy(checking, "75.00")
    deliver_twice(checking.item, django_capture_on_commit_callbacks, added=[t.pk])
    [alert] = Occurrence.objects.all()
    assert alert.title == "Eating: 85% of the budget used"
