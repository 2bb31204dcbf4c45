"""Migration finance 0100: where a category had budgets in two currencies (before one budget
per category), the one in the user's chosen home currency stays, else the oldest."""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("finance", "0019_households")]
AFTER = [("finance", "0101_budget_unique_per_category")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def test_a_category_budgeted_in_two_currencies_keeps_the_home_currency_one_else_the_oldest():
    apps = migrate(BEFORE)
    budget_model = apps.get_model("finance", "Budget")
    category_model = apps.get_model("finance", "Category")
    home_model = apps.get_model("finance", "HomeCurrency")
    month = dt.date(2026, 12, 1)
    # The users table is not part of this migration: today's model makes them.
    alice = get_user_model().objects.create_user(email="alice@example.com", password="x-pass-123")
    bob = get_user_model().objects.create_user(email="bob@example.com", password="x-pass-123")
    home_model.objects.create(user_id=alice.pk, code="GBP")
    food = category_model.objects.create(
        user_id=alice.pk, code="FOOD", name="Food", kind="spending"
    )
    for user, category, currency in [
        (alice, food, "USD"),
        (alice, food, "GBP"),
        (alice, None, "USD"),
        (bob, None, "USD"),
        (bob, None, "EUR"),
    ]:
        budget_model.objects.create(
            user_id=user.pk, category=category, currency=currency, start_month=month
        )

    apps = migrate(AFTER)
    kept = apps.get_model("finance", "Budget").objects.values_list(
        "user_id", "category_id", "currency"
    )
    assert set(kept) == {(alice.pk, None, "USD"), (alice.pk, food.pk, "GBP"), (bob.pk, None, "USD")}
