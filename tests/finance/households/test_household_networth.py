"""Net worth in the household view: the viewer's accounts and those shared with them, in the
viewer's home currency; manual assets stay their owner's."""

import datetime as dt
from decimal import Decimal

from finance.currency.home import home_currency_set
from finance.households.services import account_share_set
from finance.models import ExchangeRate, ManualAsset
from tests.factories import AccountFactory, PlaidItemFactory

from .conftest import client_for


def net_today(response) -> Decimal:
    return response.context["nw"]["today"]["net"]


def test_household_net_worth_adds_the_accounts_shared_with_the_viewer_in_their_currency(
    alice, bob, home
):
    today = dt.date.today()
    for currency, rate in (("USD", "1.1000"), ("GBP", "0.8500")):
        ExchangeRate.objects.create(date=today, currency=currency, rate=Decimal(rate))
    home_currency_set(user=bob, code="GBP")
    alice_item = PlaidItemFactory(user=alice)
    shared = AccountFactory(item=alice_item, current_balance=Decimal("1000.00"))
    card = AccountFactory(
        item=alice_item, type="credit", subtype="credit card", current_balance=Decimal("210.00")
    )
    AccountFactory(item=alice_item, current_balance=Decimal("99999.00"))  # private
    for account in (shared, card):
        account_share_set(user=alice, account=account, level="view")
    AccountFactory(
        item=PlaidItemFactory(user=bob), current_balance=Decimal("500.00"), iso_currency_code="GBP"
    )
    ManualAsset.objects.create(
        user=alice, name="Car", kind="asset", currency="USD", value=Decimal("9000")
    )

    together = client_for(bob).get("/net-worth/?view=household")
    alone = client_for(bob).get("/net-worth/")
    dashboard = client_for(bob).get("/?view=household")

    # (1000.00 - 210.00) USD x 0.85 / 1.10 = 610.4545... GBP -> 610.45, plus 500.00 GBP.
    assert net_today(together) == Decimal("1110.45")
    assert net_today(alone) == Decimal("500.00")
    assert dashboard.context["net_worth"]["net"].amount == Decimal("1110.45")
    assert "Car" not in together.content.decode()
    assert 'aria-current="page">Household' in together.content.decode()


def test_the_net_worth_switch_is_only_for_household_members(carol):
    AccountFactory(item=PlaidItemFactory(user=carol), current_balance=Decimal("40.00"))

    r = client_for(carol).get("/net-worth/?view=household")

    assert net_today(r) == Decimal("40.00")
    assert "data-switch" not in r.content.decode()


def test_a_share_ended_leaves_the_household_net_worth_at_once(alice, bob, home):
    shared = AccountFactory(item=PlaidItemFactory(user=alice), current_balance=Decimal("300.00"))
    account_share_set(user=alice, account=shared, level="view")
    AccountFactory(item=PlaidItemFactory(user=bob), current_balance=Decimal("20.00"))
    bob_client = client_for(bob)
    assert net_today(bob_client.get("/net-worth/?view=household")) == Decimal("320.00")

    account_share_set(user=alice, account=shared, level="private")

    assert net_today(bob_client.get("/net-worth/?view=household")) == Decimal("20.00")
