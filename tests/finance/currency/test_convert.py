import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from finance.currency import Converter, HomeTotal, convert, money_round

FRI, SAT, SUN, MON = (dt.date(2026, 10, 30) + dt.timedelta(days=i) for i in (0, 1, 2, 3))


def test_it_converts_through_the_euro_and_rounds_half_up(rates):
    # 100 USD on Friday: 100 / 1.1172 * 0.8338 = 74.6329...
    assert convert(Decimal("100.00"), "USD", "GBP", FRI) == Decimal("74.63")
    assert convert(Decimal("100.00"), "EUR", "GBP", FRI) == Decimal("83.38")
    assert convert(Decimal("83.38"), "GBP", "EUR", FRI) == Decimal("100.00")
    assert money_round(Decimal("0.125")) == Decimal("0.13")


def test_a_weekend_uses_fridays_rate(rates):
    converter = Converter({"USD", "GBP"}, SAT, MON)
    assert converter.rate("USD", SAT) == converter.rate("USD", SUN) == Decimal("1.1172")
    assert converter.rate("USD", MON) == Decimal("1.1000")


def test_a_day_after_the_last_rate_carries_it_forward(rates):
    later = dt.date(2026, 12, 2)
    assert convert(Decimal("100.00"), "USD", "GBP", later) == money_round(
        Decimal("100.00") / Decimal("1.1000") * Decimal("0.8500")
    )


def test_it_gives_none_without_a_rate(rates):
    assert convert(Decimal("1"), "USD", "JPY", FRI) is None
    assert convert(Decimal("1"), "USD", "GBP", dt.date(2020, 1, 1)) is None
    assert convert(Decimal("1"), "BTC", "GBP", FRI) is None


def test_it_refuses_days_outside_its_range(rates):
    with pytest.raises(ValueError):
        Converter({"USD"}, FRI, SAT).rate("USD", MON)


def test_a_batch_of_conversions_costs_one_query(rates):
    with CaptureQueriesContext(connection) as queries:
        converter = Converter({"USD", "GBP", "CAD"}, FRI, MON)
        results = converter.convert_many(
            [(Decimal(i), "USD", FRI + dt.timedelta(days=i % 4)) for i in range(500)], "GBP"
        )
    assert len(queries) == 1
    assert all(r is not None for r in results)


def test_a_home_total_keeps_what_it_cannot_convert_apart(rates):
    total = HomeTotal("GBP", Converter({"USD", "GBP"}, FRI, MON))
    total.add(Decimal("10.00"), "GBP", FRI)
    total.add(Decimal("100.00"), "USD", FRI)
    total.add(Decimal("100.00"), "USD", MON)
    total.add(Decimal("0.5"), "BTC", FRI, official=False)
    exact = (
        Decimal("10.00")
        + Decimal("100") * Decimal("0.8338") / Decimal("1.1172")
        + Decimal("100") * Decimal("0.8500") / Decimal("1.1000")
    )
    assert total.amount == money_round(exact) == Decimal("161.91")
    assert [(p.currency, p.original) for p in total.breakdown] == [
        ("GBP", Decimal("10.00")),
        ("BTC", Decimal("0.5")),
        ("USD", Decimal("200.00")),
    ]
    assert [(p.currency, p.missing) for p in total.unconverted] == [("BTC", Decimal("0.5"))]
