import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client

from finance.budgets.services import budget_set
from finance.categories import category_book
from finance.models import Budget, BudgetMonth
from tests.factories import AccountFactory, TransactionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def account(alice):
    return AccountFactory(item__user=alice)


@pytest.fixture
def food(alice, account):
    return category_book(user=alice).by_code["FOOD_AND_DRINK"]


@pytest.fixture
def this_month():
    return dt.date.today().replace(day=1)


def test_it_adds_a_budget_and_shows_spent_and_left(alice_client, account, food, this_month):
    r = alice_client.post(
        "/budgets/add/",
        {
            "category": str(food.public_id),
            "currency": "USD",
            "amount": "250",
            "month": f"{this_month:%Y-%m}",
        },
    )
    assert r.status_code == 302
    TransactionFactory(
        account=account,
        amount=Decimal("50.00"),
        date=dt.date.today(),
        pfc_primary="FOOD_AND_DRINK",
        pfc_detailed="FOOD_AND_DRINK_GROCERIES",
    )
    page = alice_client.get("/budgets/").content.decode()
    assert "Food &amp; drink" in page
    assert "$250.00" in page and "$50.00" in page and "$200.00" in page
    assert 'value="20"' in page


def test_bad_input_is_a_message_and_changes_nothing(alice_client, food, this_month):
    r = alice_client.post(
        "/budgets/add/",
        {"category": str(food.public_id), "currency": "USD", "amount": "lots"},
    )
    assert r.status_code == 400
    assert b"Enter a number" in r.content
    r = alice_client.post("/budgets/add/", {"category": "nope", "currency": "USD", "amount": "5"})
    assert r.status_code == 400
    assert not Budget.objects.exists()


def test_month_navigation_and_junk_months(alice_client, food):
    page = alice_client.get("/budgets/?month=2025-03").content.decode()
    assert "March 2025" in page and "February 2025" in page and "April 2025" in page
    assert alice_client.get("/budgets/?month=not-a-month").status_code == 200


def test_it_changes_an_amount_from_a_month_on(alice_client, alice, food, this_month):
    budget = budget_set(
        user=alice, category=food, currency="USD", month=this_month, amount=Decimal("100")
    )
    later = (this_month + dt.timedelta(days=40)).replace(day=1)
    r = alice_client.post(
        f"/budgets/{budget.public_id}/", {"amount": "175.50", "month": f"{later:%Y-%m}"}
    )
    assert r.status_code == 302
    assert list(BudgetMonth.objects.values_list("month", "amount")) == [
        (this_month, Decimal("100.00")),
        (later, Decimal("175.50")),
    ]


def test_bob_gets_404_for_alices_budget(bob_client, alice, food, this_month):
    budget = budget_set(
        user=alice, category=food, currency="USD", month=this_month, amount=Decimal("100")
    )
    assert bob_client.post(f"/budgets/{budget.public_id}/", {"amount": "1"}).status_code == 404
    assert bob_client.post(f"/budgets/{budget.public_id}/delete/").status_code == 404
    assert Budget.objects.filter(pk=budget.pk).exists()
    assert (
        b"Food"
        not in bob_client.get("/budgets/").content.split(b"<main")[-1].split(b"Add a budget")[0]
    )


def test_it_removes_a_budget(alice_client, alice, food, this_month):
    budget = budget_set(
        user=alice, category=food, currency="USD", month=this_month, amount=Decimal("100")
    )
    assert alice_client.post(f"/budgets/{budget.public_id}/delete/").status_code == 302
    assert not Budget.objects.exists()


def test_posts_need_csrf(alice, food):
    c = Client(enforce_csrf_checks=True)
    c.force_login(alice)
    r = c.post("/budgets/add/", {"category": str(food.public_id), "amount": "1"})
    assert r.status_code == 403


def test_the_time_zone_is_a_profile_setting(alice_client, alice):
    r = alice_client.post("/accounts/profile/time-zone/", {"time_zone": "Europe/Paris"})
    assert r.status_code == 302
    alice.refresh_from_db()
    assert alice.time_zone == "Europe/Paris"
    r = alice_client.post("/accounts/profile/time-zone/", {"time_zone": "Mars/Olympus"})
    assert r.status_code == 400
    alice.refresh_from_db()
    assert alice.time_zone == "Europe/Paris"


def test_the_dashboard_shows_the_budget_card(alice_client, alice, food, this_month):
    budget_set(user=alice, category=food, currency="USD", month=this_month, amount=Decimal("10"))
    assert b"Budgets closest to their limit" in alice_client.get("/").content
