"""A USD bank and a GBP bank linked through the emulator over HTTP: every total on the
dashboard and in insights, checked to the cent against sums done by hand (hand.py)."""

import datetime as dt
from collections import defaultdict
from decimal import Decimal

import pytest

from banking.models import Account, Transaction
from finance.templatetags.money import format_money

from .hand import (
    LAST_MONTH,
    THIS_MONTH,
    TODAY,
    cents,
    counted_rows,
    expected_net_worth,
    expected_spending,
    to_home,
)


def test_the_emulator_banks_report_their_own_currencies(alice, two_banks):
    currencies = set(
        Transaction.objects.filter(user=alice).values_list("iso_currency_code", flat=True)
    )
    assert currencies == {"USD", "GBP"}
    assert set(
        Account.objects.filter(item__user=alice).values_list("iso_currency_code", flat=True)
    ) == {"USD", "GBP"}


@pytest.mark.parametrize("home", ["USD", "GBP", "EUR"])
def test_every_dashboard_total_matches_a_hand_sum(alice, alice_client, two_banks, home):
    if home != "USD":  # USD is the default: the first bank linked is the USD one
        assert alice_client.post("/settings/currency/", {"code": home}).status_code == 302
    r = alice_client.get("/")
    context = r.context
    assert context["home"] == home
    assert context["net_worth"]["net"].amount == expected_net_worth(alice, home)
    assert context["net_worth"]["net"].unconverted == []

    this_total, this_categories = expected_spending(alice, home, THIS_MONTH, TODAY)
    last_total, _ = expected_spending(alice, home, LAST_MONTH, THIS_MONTH - dt.timedelta(days=1))
    spending = context["spending"][0]
    assert (spending["this_month"], spending["last_month"]) == (this_total, last_total)
    shown = {row["category"]: row["total"] for row in context["top_categories"]}
    assert shown == {code: this_categories[code] for code in shown}
    assert len(shown) == min(5, len(this_categories))
    html = r.content.decode()
    assert format_money(this_total, home) in html
    assert "By currency" in html


def test_insights_category_totals_match_a_hand_sum(alice, alice_client, two_banks):
    alice_client.post("/settings/currency/", {"code": "GBP"})
    r = alice_client.get("/insights/?months=12")
    spending = r.context["spending"]
    first = spending["months"][0]
    _, by_category = expected_spending(alice, "GBP", first, TODAY)
    # Per month per category, rounded per cell; the year's sum per category by hand:
    for code, values in spending["categories"].items():
        months = defaultdict(Decimal)
        for t, root in counted_rows(alice, amount__gt=0, date__gte=first, date__lte=TODAY):
            if root == code:
                months[t.date.replace(day=1)] += to_home(
                    t.amount, t.iso_currency_code, "GBP", t.date
                )
        assert values == [cents(months[m]) for m in spending["months"]], code
    assert set(spending["categories"]) == set(by_category)
    # Each currency as spent is one click away, unconverted.
    usd = alice_client.get("/insights/?months=12&currency=USD").context["spending"]
    usd_sum = sum(
        (
            t.amount
            for t, _ in counted_rows(
                alice, amount__gt=0, date__gte=first, date__lte=TODAY, iso_currency_code="USD"
            )
        ),
        Decimal(0),
    )
    assert sum(sum(v) for v in usd["categories"].values()) == usd_sum
