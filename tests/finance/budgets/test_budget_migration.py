"""Migration finance 0020: where a category had budgets in two currencies (before one budget
per category), they become one — the one in the user's chosen home currency, else the oldest —
whose plan sums both, converted."""

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("finance", "0019_households")]
AFTER = [("finance", "0021_budget_unique_per_category")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture(autouse=True)
def latest_schema_after():
    """The tests after this one need every migration applied again, including those after
    AFTER (going back to BEFORE unapplied them)."""
    yield
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


def test_budgets_of_one_category_in_two_currencies_become_one_summing_both_plans_converted():
    apps = migrate(BEFORE)
    budget_model = apps.get_model("finance", "Budget")
    month_model = apps.get_model("finance", "BudgetMonth")
    category_model = apps.get_model("finance", "Category")
    home_model = apps.get_model("finance", "HomeCurrency")
    rate_model = apps.get_model("finance", "ExchangeRate")
    dec, jan = dt.date(2026, 12, 1), dt.date(2027, 1, 1)
    rate_model.objects.bulk_create(
        [
            rate_model(date=dt.date(2026, 11, 30), currency="USD", rate=Decimal("1.20")),
            rate_model(date=dt.date(2026, 12, 1), currency="USD", rate=Decimal("1.10")),
            rate_model(date=dt.date(2026, 12, 1), currency="GBP", rate=Decimal("0.85")),
        ]
    )
    # The users table is not part of this migration: today's model makes them.
    alice = get_user_model().objects.create_user(email="alice@example.com", password="x-pass-123")
    bob = get_user_model().objects.create_user(email="bob@example.com", password="x-pass-123")
    home_model.objects.create(user_id=alice.pk, code="GBP")
    food = category_model.objects.create(
        user_id=alice.pk, code="FOOD", name="Food", kind="spending"
    )

    def budget(user, category, currency, plan, start=dec):
        made = budget_model.objects.create(
            user_id=user.pk, category=category, currency=currency, start_month=start
        )
        for month, amount in plan:
            month_model.objects.create(budget=made, month=month, amount=Decimal(amount))
        return made

    budget(alice, food, "USD", [(dec, "100"), (jan, "200")])
    budget(alice, food, "GBP", [(jan, "50")], start=jan)
    budget(alice, None, "USD", [(dec, "30")])
    budget(bob, None, "USD", [(dec, "100")])
    budget(bob, None, "EUR", [(dec, "10")])
    budget(bob, None, "XBT", [(dec, "1")])

    apps = migrate(AFTER)
    budgets = apps.get_model("finance", "Budget").objects
    plans = {
        (b.user_id, b.category_id, b.currency, b.start_month): [
            (m.month, m.amount) for m in b.months.order_by("month")
        ]
        for b in budgets.all()
    }
    # Alice's home is GBP: her food plan is in pounds; the dollars convert at the latest
    # rate (0.85 / 1.10): 100 USD = 77.27 GBP, 200 USD = 154.55 GBP.
    assert plans == {
        (alice.pk, food.pk, "GBP", dec): [(dec, Decimal("77.27")), (jan, Decimal("204.55"))],
        (alice.pk, None, "USD", dec): [(dec, Decimal("30.00"))],
        # No home chosen: the oldest (USD) stays; 10 EUR = 11 USD; XBT has no rate at all.
        (bob.pk, None, "USD", dec): [(dec, Decimal("111.00"))],
    }
