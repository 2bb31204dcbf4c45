"""/recurring/'s total per month in the user's home currency: each stream converted at today's
rate, what has no rate shown apart and named."""

from decimal import Decimal

import pytest
from django.utils import timezone

from finance.models import ExchangeRate
from finance.recurring.selectors import recurring_page
from tests.factories import AccountFactory, PlaidItemFactory

from .test_views import _stream

pytestmark = pytest.mark.django_db


@pytest.fixture
def streams(alice):
    today = timezone.localdate()
    ExchangeRate.objects.create(date=today, currency="USD", rate=Decimal("1.1000"))
    ExchangeRate.objects.create(date=today, currency="GBP", rate=Decimal("0.8500"))
    usd = AccountFactory(item=PlaidItemFactory(user=alice), iso_currency_code="USD")
    gbp = AccountFactory(item=PlaidItemFactory(user=alice), iso_currency_code="GBP")
    _stream(alice, account=usd)  # Hulu, $19.99 a month
    _stream(
        alice,
        account=gbp,
        key="netflix-uk",
        merchant_name="Netflix UK",
        last_amount=Decimal("10.00"),
        previous_amount=None,
        iso_currency_code="GBP",
    )
    return usd, gbp


def test_the_total_per_month_converts_a_usd_and_a_gbp_stream_to_the_home_currency(
    alice, alice_client, streams
):
    total = recurring_page(user=alice).monthly_home
    # £10.00 at 1.10 USD / 0.85 GBP per euro is $12.94.
    assert (total.home, total.amount, total.unconverted) == ("USD", Decimal("32.93"), [])
    page = alice_client.get("/recurring/").content.decode()
    assert "$32.93" in page and "£10.00" in page and "= $12.94" in page


def test_a_stream_in_a_currency_without_a_rate_is_shown_apart_by_name(alice, alice_client, streams):
    _stream(
        alice,
        account=streams[0],
        key="sek",
        merchant_name="Spotify SE",
        last_amount=Decimal("99.00"),
        previous_amount=None,
        iso_currency_code="SEK",
    )
    total = recurring_page(user=alice).monthly_home
    assert total.amount == Decimal("32.93")
    assert [(p.currency, p.missing) for p in total.unconverted] == [("SEK", Decimal("99.00"))]
    page = alice_client.get("/recurring/").content.decode()
    assert 'data-unconverted="SEK"' in page and "no exchange rate to USD" in page
