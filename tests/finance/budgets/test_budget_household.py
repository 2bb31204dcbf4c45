"""The "mine / household" switch on /budgets/: the viewer's budgets over the spending of every
account they can see."""

import datetime as dt
from decimal import Decimal

import pytest

from finance import access
from finance.budgets.services import budget_set
from finance.categories import category_book
from finance.currency.home import home_currency_set
from finance.households.services import account_share_set, household_create
from finance.models import Membership
from finance.splits import Part, splits_set
from tests.factories import AccountFactory, TransactionFactory, grocery
from tests.finance.households.conftest import client_for

pytestmark = pytest.mark.django_db


def food_budget(user, amount="100"):
    home_currency_set(user=user, code="USD")
    food = category_book(user=user).by_code["FOOD_AND_DRINK"]
    month = dt.date.today().replace(day=1)
    return budget_set(user=user, category=food, currency="USD", month=month, amount=Decimal(amount))


@pytest.fixture
def carol(django_user_model):
    return django_user_model.objects.create_user(email="carol@example.com", password="carol-pw-1")


@pytest.fixture
def spending(alice, bob):
    """alice shares her checking with the household (bob is a member) and keeps her card
    private; bob spends 5 on his own account."""
    household = household_create(user=alice, name="Maple Street")
    Membership.objects.create(household=household, user=bob)
    checking = AccountFactory(item__user=alice, name="Joint Checking")
    card = AccountFactory(item=checking.item, name="Secret Card", type="credit")
    account_share_set(user=alice, account=checking, level="view")
    grocery(checking, "30.00")
    grocery(card, "99.00")
    grocery(AccountFactory(item__user=bob), "5.00")


def spent_cell(page: str) -> str:
    return page.split('data-label="Spent"')[1].split("</td>")[0]


def test_mine_counts_only_the_viewers_own_accounts(bob, spending):
    food_budget(bob)
    page = client_for(bob).get("/budgets/").content.decode()
    assert "$5.00" in spent_cell(page)
    assert "data-switch" in page


def test_household_counts_a_members_shared_account_but_not_a_private_one(bob, spending):
    food_budget(bob)
    page = client_for(bob).get("/budgets/?view=household").content.decode()
    # 5 (his own) + 30 (alice's shared checking); her private card's 99 is not his to see.
    assert "$35.00" in spent_cell(page)
    assert "$134.00" not in page
    assert "Spending on the accounts your household shares counts too" in page
    assert 'href="/budgets/?month=' in page and "view=household" in page


def test_the_owner_of_the_shared_account_sees_her_own_spending_in_both_views(alice, spending):
    food_budget(alice)
    client = client_for(alice)
    assert "$129.00" in spent_cell(client.get("/budgets/").content.decode())
    assert "$129.00" in spent_cell(client.get("/budgets/?view=household").content.decode())


def test_a_non_member_asking_for_the_household_view_sees_only_her_own(carol, spending):
    food_budget(carol)
    grocery(AccountFactory(item__user=carol), "7.00")
    page = client_for(carol).get("/budgets/?view=household").content.decode()
    assert "$7.00" in spent_cell(page)
    assert "$30.00" not in page and "$37.00" not in page
    assert "data-switch" not in page


def test_household_counts_a_split_shared_row_by_its_parts_as_the_household_totals_do(
    alice, bob, spending
):
    food_budget(bob)
    shop = TransactionFactory(
        account=access.accounts_visible(alice).get(name="Joint Checking"),
        amount=Decimal("100.00"),
        date=dt.date.today(),
        pfc_primary="GENERAL_MERCHANDISE",
        pfc_detailed="GENERAL_MERCHANDISE_SUPERSTORES",
    )
    splits_set(
        user=alice,
        transaction=shop,
        parts=[Part(Decimal("60.00"), "FOOD_AND_DRINK"), Part(Decimal("40.00"), "TRAVEL")],
    )

    page = client_for(bob).get("/budgets/?view=household").content.decode()

    # 5 (his own) + 30 (her shared food) + 60 (the food part of her split shared row).
    assert "$95.00" in spent_cell(page)
    assert "$35.00" not in spent_cell(page)
    assert "$135.00" not in spent_cell(page)
