import datetime as dt
from decimal import Decimal

import pytest

from finance.models import ExchangeRate


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
