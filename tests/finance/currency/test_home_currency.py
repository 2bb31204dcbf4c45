import datetime as dt
from decimal import Decimal

import pytest

from finance.currency import home_currency
from finance.models import HomeCurrency
from tests.factories import AccountFactory, PlaidItemFactory, TransactionFactory

from .conftest import rate

TODAY = dt.date.today()


@pytest.fixture
def usd_and_btc(alice, rates):
    """A USD checking account and a crypto wallet Plaid reports with an unofficial code."""
    rate(TODAY.isoformat(), "USD", "1.1000")
    rate(TODAY.isoformat(), "GBP", "0.8800")
    checking = AccountFactory(item__user=alice, current_balance=Decimal("1000.00"))
    wallet = AccountFactory(
        item=PlaidItemFactory(user=alice),
        iso_currency_code="",
        unofficial_currency_code="BTC",
        current_balance=Decimal("0.50"),
        name="Coin wallet",
    )
    TransactionFactory(account=checking, amount=Decimal("40.00"), date=TODAY)
    TransactionFactory(
        account=wallet,
        amount=Decimal("0.01000000"),
        date=TODAY,
        iso_currency_code="",
        unofficial_currency_code="BTC",
    )
    return checking, wallet


def test_it_defaults_to_the_first_linked_accounts_currency(alice, settings):
    assert home_currency(alice) == settings.DEFAULT_HOME_CURRENCY
    AccountFactory(item__user=alice, iso_currency_code="GBP")
    AccountFactory(item=PlaidItemFactory(user=alice), iso_currency_code="CAD")
    assert home_currency(alice) == "GBP"
    HomeCurrency.objects.create(user=alice, code="EUR")
    assert home_currency(alice) == "EUR"


def test_it_shows_the_settings_page(alice_client, rates):
    r = alice_client.get("/settings/currency/")
    assert r.status_code == 200
    assert b'<option value="GBP">GBP</option>' in r.content


def test_it_saves_the_home_currency(alice, alice_client, rates):
    r = alice_client.post("/settings/currency/", {"code": "GBP"})
    assert r.status_code == 302 and r["Location"] == "/"
    assert home_currency(alice) == "GBP"
    alice_client.post("/settings/currency/", {"code": "EUR"})
    assert HomeCurrency.objects.get(user=alice).code == "EUR"


def test_it_refuses_a_currency_without_rates_and_changes_nothing(alice, alice_client, rates):
    r = alice_client.post("/settings/currency/", {"code": "XYZ"})
    assert r.status_code == 400
    assert b"Select a valid choice" in r.content
    assert not HomeCurrency.objects.filter(user=alice).exists()


def test_it_needs_csrf(alice, client, rates):
    client.handler.enforce_csrf_checks = True
    client.force_login(alice)
    assert client.post("/settings/currency/", {"code": "GBP"}).status_code == 403
    assert not HomeCurrency.objects.exists()


def test_it_needs_a_login(client):
    r = client.get("/settings/currency/")
    assert r.status_code == 302 and "/accounts/login/" in r["Location"]


def test_one_users_choice_is_not_anothers(alice, bob, alice_client, rates):
    alice_client.post("/settings/currency/", {"code": "GBP"})
    assert home_currency(bob) != "GBP" or not HomeCurrency.objects.filter(user=bob).exists()
    assert not HomeCurrency.objects.filter(user=bob).exists()


def test_an_unofficial_currency_is_named_apart_never_counted_as_dollars(
    alice, alice_client, usd_and_btc
):
    r = alice_client.get("/")
    net = r.context["net_worth"]["net"]
    assert net.amount == Decimal("1000.00")
    assert [(p.currency, p.missing) for p in net.unconverted] == [("BTC", Decimal("0.50"))]
    assert r.context["spending"][0]["this_month"] == Decimal("40.00")
    html = r.content.decode()
    assert "Not in net worth: 0.5 BTC, BTC is not a currency with an official exchange rate" in (
        html
    )
    assert "Not in this month's spending: 0.01 BTC" in html
    assert "<li>0.01 BTC (not converted)</li>" in html


def test_a_converted_dashboard_total_shows_its_parts(alice, alice_client, usd_and_btc):
    alice_client.post("/settings/currency/", {"code": "GBP"})
    r = alice_client.get("/")
    # 1000 USD at today's rates: 1000 / 1.1 * 0.88 = 800.00 GBP.
    assert r.context["net_worth"]["net"].amount == Decimal("800.00")
    assert "$1,000.00 = £800.00" in r.content.decode()


def test_insights_name_what_they_could_not_convert(alice, alice_client, usd_and_btc):
    r = alice_client.get("/insights/")
    assert r.context["view"] == "home"
    assert r.context["currencies"] == ["BTC", "USD"]
    assert "Not in these totals: 0.01 BTC spent in BTC" in r.content.decode()
    btc = alice_client.get("/insights/?currency=BTC").context["spending"]
    assert sum(sum(v) for v in btc["categories"].values()) == Decimal("0.01")
