"""The household view's totals (insights and the dashboard): the owner's categories on shared
rows, split parts, transfers between members counted once, the viewer's home currency."""

import datetime as dt
from decimal import Decimal

import pytest

from finance.currency.home import home_currency_set
from finance.households.services import account_share_set
from finance.models import Category, ExchangeRate
from finance.splits import Part, splits_set
from tests.factories import AccountFactory, PlaidItemFactory, TransactionFactory

from .conftest import client_for

TODAY = dt.date.today()


def this_month_categories(response) -> dict:
    """{category code: this month's amount} of the insights page's spending chart."""
    spending = response.context["spending"]
    return {code: values[-1] for code, values in spending["categories"].items()}


def this_month_flow(response) -> dict:
    return response.context["cash"][-1]


def dashboard_spent(response) -> Decimal:
    return response.context["spending"][0]["this_month"]


@pytest.fixture
def accounts(alice, bob, home):
    """alice's checking and bob's savings and card, all shared for viewing; bob's private
    account too."""
    alice_checking = AccountFactory(item=PlaidItemFactory(user=alice), name="Alice Checking")
    bob_item = PlaidItemFactory(user=bob)
    bob_savings = AccountFactory(item=bob_item, name="Bob Savings", subtype="savings")
    bob_card = AccountFactory(item=bob_item, name="Bob Card", type="credit", subtype="credit card")
    bob_private = AccountFactory(item=bob_item, name="Bob Private")
    for owner, account in ((alice, alice_checking), (bob, bob_savings), (bob, bob_card)):
        account_share_set(user=owner, account=account, level="view")
    return {
        "alice_checking": alice_checking,
        "bob_savings": bob_savings,
        "bob_card": bob_card,
        "bob_private": bob_private,
    }


def test_household_insights_count_a_shared_row_under_its_owners_own_category(alice, bob, accounts):
    Category.objects.create(user=bob, code="custom_dog", name="Dog")
    TransactionFactory(
        account=accounts["bob_card"], amount=Decimal("30.00"), category_override="custom_dog"
    )
    TransactionFactory(account=accounts["bob_private"], amount=Decimal("77.00"))
    TransactionFactory(account=accounts["alice_checking"], amount=Decimal("12.50"))

    household = client_for(alice).get("/insights/?view=household")
    mine = client_for(alice).get("/insights/")

    assert this_month_categories(household) == {
        "custom_dog": Decimal("30.00"),
        "FOOD_AND_DRINK": Decimal("12.50"),
    }
    assert household.context["spending"]["labels"]["custom_dog"] == "Dog"
    assert this_month_categories(mine) == {"FOOD_AND_DRINK": Decimal("12.50")}
    assert 'aria-current="page">Household' in household.content.decode()


def test_someone_in_no_household_gets_their_own_insights_from_the_household_switch(carol, accounts):
    TransactionFactory(account=AccountFactory(item=PlaidItemFactory(user=carol)))

    r = client_for(carol).get("/insights/?view=household")

    assert this_month_categories(r) == {"FOOD_AND_DRINK": Decimal("12.50")}
    assert "data-switch" not in r.content.decode()


def card_payment_between_members(accounts):
    """alice pays bob's card from her checking: her spending, his card's transfer in."""
    payment = TransactionFactory(
        account=accounts["alice_checking"],
        amount=Decimal("500.00"),
        pfc_primary="LOAN_PAYMENTS",
        pfc_detailed="LOAN_PAYMENTS_CREDIT_CARD_PAYMENT",
    )
    received = TransactionFactory(
        account=accounts["bob_card"],
        amount=Decimal("-500.00"),
        date=TODAY - dt.timedelta(days=1) if TODAY.day > 1 else TODAY,
        pfc_primary="TRANSFER_IN",
        pfc_detailed="TRANSFER_IN_ACCOUNT_TRANSFER",
    )
    return payment, received


def test_money_between_members_shared_accounts_counts_nowhere_in_the_household_view(
    alice, bob, accounts
):
    card_payment_between_members(accounts)
    TransactionFactory(account=accounts["bob_card"], amount=Decimal("20.00"))

    insights = client_for(alice).get("/insights/?view=household")
    dashboard = client_for(bob).get("/?view=household")

    assert this_month_flow(insights)["spending"] == Decimal("20.00")
    assert this_month_flow(insights)["income"] == Decimal("0")
    assert dashboard_spent(dashboard) == Decimal("20.00")


def test_each_members_mine_view_still_counts_their_side_of_a_transfer_between_members(
    alice, bob, accounts
):
    card_payment_between_members(accounts)
    TransactionFactory(account=accounts["bob_card"], amount=Decimal("20.00"))

    assert this_month_flow(client_for(alice).get("/insights/"))["spending"] == Decimal("500.00")
    assert dashboard_spent(client_for(alice).get("/")) == Decimal("500.00")
    assert this_month_flow(client_for(bob).get("/insights/"))["spending"] == Decimal("20.00")


def test_a_rent_share_sent_between_members_is_neither_spending_nor_income_together(
    alice, bob, accounts
):
    # Both categorised it by hand: alice as rent she paid, bob as income he received.
    TransactionFactory(
        account=accounts["alice_checking"],
        amount=Decimal("800.00"),
        pfc_primary="TRANSFER_OUT",
        pfc_detailed="TRANSFER_OUT_ACCOUNT_TRANSFER",
        category_override="RENT_AND_UTILITIES",
    )
    TransactionFactory(
        account=accounts["bob_savings"],
        amount=Decimal("-800.00"),
        pfc_primary="TRANSFER_IN",
        pfc_detailed="TRANSFER_IN_ACCOUNT_TRANSFER",
        category_override="INCOME",
    )

    together = this_month_flow(client_for(bob).get("/insights/?view=household"))
    alice_alone = this_month_flow(client_for(alice).get("/insights/"))
    bob_alone = this_month_flow(client_for(bob).get("/insights/"))

    assert (together["spending"], together["income"]) == (Decimal("0"), Decimal("0"))
    assert alice_alone["spending"] == Decimal("800.00")
    assert bob_alone["income"] == Decimal("800.00")


def test_a_transfer_with_a_private_side_stays_in_the_household_view(alice, bob, accounts):
    TransactionFactory(
        account=accounts["alice_checking"],
        amount=Decimal("500.00"),
        pfc_primary="LOAN_PAYMENTS",
        pfc_detailed="LOAN_PAYMENTS_CREDIT_CARD_PAYMENT",
    )
    TransactionFactory(
        account=accounts["bob_private"],
        amount=Decimal("-500.00"),
        pfc_primary="TRANSFER_IN",
        pfc_detailed="TRANSFER_IN_ACCOUNT_TRANSFER",
    )

    r = client_for(alice).get("/insights/?view=household")

    assert this_month_flow(r)["spending"] == Decimal("500.00")


def test_a_split_shared_row_counts_by_its_parts_categories(alice, bob, accounts):
    Category.objects.create(user=bob, code="custom_dog", name="Dog")
    shop = TransactionFactory(
        account=accounts["bob_card"],
        amount=Decimal("100.00"),
        pfc_primary="GENERAL_MERCHANDISE",
        pfc_detailed="GENERAL_MERCHANDISE_SUPERSTORES",
    )
    splits_set(
        user=bob,
        transaction=shop,
        parts=[Part(Decimal("60.00"), "FOOD_AND_DRINK"), Part(Decimal("40.00"), "custom_dog")],
    )

    r = client_for(alice).get("/insights/?view=household")
    dashboard = client_for(alice).get("/?view=household")
    mine = client_for(bob).get("/insights/")

    # As in bob's own view (where the parent's category is left at zero).
    assert this_month_categories(r) == this_month_categories(mine)
    assert {code: v for code, v in this_month_categories(r).items() if v} == {
        "FOOD_AND_DRINK": Decimal("60.00"),
        "custom_dog": Decimal("40.00"),
    }
    top = {c["category"]: c["total"] for c in dashboard.context["top_categories"] if c["total"]}
    assert top == {"FOOD_AND_DRINK": Decimal("60.00"), "custom_dog": Decimal("40.00")}


def test_the_household_view_is_in_the_viewers_home_currency_to_the_cent(alice, bob, accounts):
    # ECB rates, euros per unit: 1 EUR = 1.1000 USD = 0.8500 GBP, so 1 USD = 0.85/1.10 GBP.
    for currency, rate in (("USD", "1.1000"), ("GBP", "0.8500")):
        ExchangeRate.objects.create(date=TODAY, currency=currency, rate=Decimal(rate))
    home_currency_set(user=bob, code="GBP")
    bob_pounds = AccountFactory(item=accounts["bob_card"].item, iso_currency_code="GBP")
    TransactionFactory(account=accounts["alice_checking"], amount=Decimal("42.10"))
    TransactionFactory(account=accounts["alice_checking"], amount=Decimal("7.33"))
    TransactionFactory(account=bob_pounds, amount=Decimal("10.00"), iso_currency_code="GBP")

    dashboard = client_for(bob).get("/?view=household")
    insights = client_for(bob).get("/insights/?view=household")

    # 49.43 USD x 0.85 / 1.10 = 38.1959... GBP -> 38.20, plus 10.00 GBP.
    assert dashboard.context["home"] == "GBP"
    assert dashboard_spent(dashboard) == Decimal("48.20")
    assert this_month_categories(insights) == {"FOOD_AND_DRINK": Decimal("48.20")}


def test_the_household_dashboards_cached_totals_follow_a_members_edit_and_an_ended_share(
    alice, bob, accounts
):
    Category.objects.create(user=alice, code="custom_dog", name="Dog")
    food = TransactionFactory(account=accounts["alice_checking"], amount=Decimal("30.00"))
    bob_client = client_for(bob)
    assert dashboard_spent(bob_client.get("/?view=household")) == Decimal("30.00")

    client_for(alice).post(f"/transactions/{food.public_id}/", {"category_override": "custom_dog"})
    top = client_for(bob).get("/?view=household").context["top_categories"]
    assert [(c["category"], c["label"]) for c in top] == [("custom_dog", "Dog")]

    account_share_set(user=alice, account=accounts["alice_checking"], level="private")
    assert bob_client.get("/?view=household").context["spending"] == []
