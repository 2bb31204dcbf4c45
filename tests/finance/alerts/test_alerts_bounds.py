"""Budgets a sync cannot have moved to their next level are not read (finance.alerts.bounds),
and no crossing is missed for it: whatever changed between two syncs is counted."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from finance.alerts.preferences import alert_preference_save
from finance.models import AlertKind, Occurrence
from finance.transaction_edits import transaction_annotate

pytestmark = pytest.mark.django_db

# The month's spending read (finance.budgets.spending): rows up to the month's last day.
MONTH_READ = '"banking_transaction"."date" <='


def month_reads(spend, amount: str, **fields) -> int:
    with CaptureQueriesContext(connection) as queries:
        spend(amount, **fields)
    return sum(MONTH_READ in q["sql"] for q in queries.captured_queries)


def titles() -> list[str]:
    return [a.title for a in Occurrence.objects.order_by("pk")]


def test_a_sync_far_from_every_limit_reads_no_spending_and_a_crossing_is_still_told(
    food_budget, spend
):
    assert month_reads(spend, "40.00")
    assert month_reads(spend, "20.00") == 0
    assert not titles()

    spend("21.00")
    assert titles() == ["Food & drink: 81% of the budget used"]
    assert month_reads(spend, "5.00") == 0
    spend("14.00")
    assert titles()[1] == "Food & drink: over budget ($100.00 of $100.00)"


def test_a_row_recategorised_by_hand_between_two_syncs_is_counted_by_the_next(
    checking, food_budget, spend
):
    spend("40.00")
    taxi = spend("39.00", pfc_primary="TRANSPORTATION", pfc_detailed="TRANSPORTATION_TAXIS")

    transaction_annotate(transaction=taxi, category_override="FOOD_AND_DRINK", notes="")
    spend("1.00")
    assert titles() == ["Food & drink: 80% of the budget used"]


def test_spending_while_budget_alerts_were_off_is_counted_once_they_are_on_again(
    alice, food_budget, spend
):
    spend("40.00")
    alert_preference_save(user=alice, kind=AlertKind.BUDGET, enabled=False)
    spend("45.00")
    assert not titles()

    alert_preference_save(user=alice, kind=AlertKind.BUDGET, enabled=True)
    spend("1.00")
    assert titles() == ["Food & drink: 86% of the budget used"]


def test_a_row_in_another_currency_makes_its_budget_be_read(food_budget, spend):
    spend("40.00")
    assert month_reads(spend, "1.00", iso_currency_code="EUR")
