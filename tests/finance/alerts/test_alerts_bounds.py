"""Budgets a sync cannot have moved to their next level are not read (finance.alerts.bounds),
and no crossing is missed for it: whatever changed between two syncs is counted."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from finance.alerts.preferences import alert_preference_save
from finance.models import AlertKind, Occurrence
from finance.transaction_edits import transaction_annotate

from .conftest import buy
from .test_alerts import deliver_twice

pytestmark = pytest.mark.django_db

# The month's spending read (finance.budgets.spending): rows up to the month's last day.
MONTH_READ = '"banking_transaction"."date" <='


def month_reads(item, capture, **ids) -> int:
    with CaptureQueriesContext(connection) as queries:
        deliver_twice(item, capture, **ids)
    return sum(MONTH_READ in q["sql"] for q in queries.captured_queries)


def test_a_sync_far_from_every_limit_reads_no_spending_and_a_crossing_is_still_told(
    alice, checking, food_budget, django_capture_on_commit_callbacks
):
    t = buy(checking, "40.00")
    assert month_reads(checking.item, django_capture_on_commit_callbacks, added=[t.pk])

    t = buy(checking, "20.00")
    assert month_reads(checking.item, django_capture_on_commit_callbacks, added=[t.pk]) == 0
    assert not Occurrence.objects.exists()

    t = buy(checking, "21.00")
    deliver_twice(checking.item, django_capture_on_commit_callbacks, added=[t.pk])
    [alert] = Occurrence.objects.all()
    assert alert.title == "Food & drink: 81% of the budget used"

    t = buy(checking, "5.00")
    assert month_reads(checking.item, django_capture_on_commit_callbacks, added=[t.pk]) == 0
    t = buy(checking, "14.00")
    deliver_twice(checking.item, django_capture_on_commit_callbacks, added=[t.pk])
    assert [a.title for a in Occurrence.objects.order_by("pk")][1] == (
        "Food & drink: over budget ($100.00 of $100.00)"
    )


def test_a_row_recategorised_by_hand_between_two_syncs_is_counted_by_the_next(
    alice, checking, food_budget, django_capture_on_commit_callbacks
):
    t = buy(checking, "40.00")
    deliver_twice(checking.item, django_capture_on_commit_callbacks, added=[t.pk])
    taxi = buy(checking, "39.00", pfc_primary="TRANSPORTATION", pfc_detailed="TRANSPORTATION_TAXIS")
    deliver_twice(checking.item, django_capture_on_commit_callbacks, added=[taxi.pk])

    transaction_annotate(transaction=taxi, category_override="FOOD_AND_DRINK", notes="")
    t = buy(checking, "1.00")
    deliver_twice(checking.item, django_capture_on_commit_callbacks, added=[t.pk])
    [alert] = Occurrence.objects.all()
    assert alert.title == "Food & drink: 80% of the budget used"


def test_spending_while_budget_alerts_were_off_is_counted_once_they_are_on_again(
    alice, checking, food_budget, django_capture_on_commit_callbacks
):
    t = buy(checking, "40.00")
    deliver_twice(checking.item, django_capture_on_commit_callbacks, added=[t.pk])
    alert_preference_save(user=alice, kind=AlertKind.BUDGET, enabled=False)
    t = buy(checking, "45.00")
    deliver_twice(checking.item, django_capture_on_commit_callbacks, added=[t.pk])
    assert not Occurrence.objects.exists()

    alert_preference_save(user=alice, kind=AlertKind.BUDGET, enabled=True)
    t = buy(checking, "1.00")
    deliver_twice(checking.item, django_capture_on_commit_callbacks, added=[t.pk])
    [alert] = Occurrence.objects.all()
    assert alert.title == "Food & drink: 86% of the budget used"


def test_a_row_in_another_currency_makes_its_budget_be_read(
    alice, checking, food_budget, django_capture_on_commit_callbacks
):
    t = buy(checking, "40.00")
    deliver_twice(checking.item, django_capture_on_commit_callbacks, added=[t.pk])
    t = buy(checking, "1.00", iso_currency_code="EUR")
    assert month_reads(checking.item, django_capture_on_commit_callbacks, added=[t.pk])
