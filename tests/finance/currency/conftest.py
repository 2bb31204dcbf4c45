import datetime as dt
from decimal import Decimal

import pytest

from banking import link
from banking import plaid as plaid_api
from banking.sync.service import item_sync
from finance.currency.rates import rates_load_embedded
from finance.models import ExchangeRate

from .hand import LAST_MONTH, THIS_MONTH, TODAY


def rate(day: str, currency: str, value: str) -> ExchangeRate:
    return ExchangeRate.objects.create(
        date=dt.date.fromisoformat(day), currency=currency, rate=Decimal(value)
    )


@pytest.fixture
def rates(db):
    """A small hand-made table: Friday and Monday rates, no weekend (as the ECB publishes)."""
    for day, usd, gbp in (
        ("2026-10-30", "1.1172", "0.8338"),
        ("2026-11-02", "1.1000", "0.8500"),
    ):
        rate(day, "USD", usd)
        rate(day, "GBP", gbp)


@pytest.fixture
def two_banks(alice, plaid_settings):
    """alice links a USD bank (first) and a GBP bank through the emulator over HTTP."""
    rates_load_embedded(since=TODAY - dt.timedelta(days=800))
    # Rates of days the shipped history does not reach yet, as a refresh would add them, so
    # this month's and last month's rows convert at more than one rate.
    for day, usd, gbp in (
        (LAST_MONTH + dt.timedelta(days=9), "1.2000", "0.8000"),
        (THIS_MONTH, "1.0500", "0.9000"),
    ):
        if day > ExchangeRate.objects.latest("date").date:
            ExchangeRate.objects.create(date=day, currency="USD", rate=Decimal(usd))
            ExchangeRate.objects.create(date=day, currency="GBP", rate=Decimal(gbp))
    items = []
    for institution in ("ins_109508", "ins_117650"):
        token = plaid_api.sandbox_public_token_create(institution)
        item = link.item_link(user=alice, public_token=token, metadata=None)
        item_sync(item=item, trigger="initial")
        items.append(item)
    return items
