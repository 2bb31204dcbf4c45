"""A USD bank and a GBP bank linked through the emulator over HTTP: every total on the
dashboard and in insights, checked to the cent against sums done here by hand from the rates
table (the last rate on or before each day, a factor of target/source per euro, rounded once
at the end, half up)."""

import datetime as dt
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

import pytest

from banking import link
from banking import plaid as plaid_api
from banking.models import Account, Transaction
from banking.sync.service import item_sync
from finance.categories import category_book
from finance.currency.rates import rates_load_embedded
from finance.meta import COUNTED
from finance.models import ExchangeRate
from finance.templatetags.money import format_money

TODAY = dt.date.today()
THIS_MONTH = TODAY.replace(day=1)
LAST_MONTH = (THIS_MONTH - dt.timedelta(days=1)).replace(day=1)


def cents(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def rate_on(currency: str, day: dt.date) -> Decimal:
    if currency == "EUR":
        return Decimal(1)
    return (
        ExchangeRate.objects.filter(currency=currency, date__lte=day).order_by("-date").first().rate
    )


def to_home(amount: Decimal, currency: str, home: str, day: dt.date) -> Decimal:
    if currency == home:
        return amount
    return amount * (rate_on(home, day) / rate_on(currency, day))


@pytest.fixture
def two_banks(alice, plaid_settings):
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


def counted_rows(user, **filters):
    book = category_book(user=user)
    for t in Transaction.objects.filter(COUNTED, user=user, **filters):
        category = book.resolve(t.category_override, t.pfc_detailed, t.pfc_primary)
        if book.counts(category):
            yield t, (book.root(category).code if category else "")


def expected_net_worth(user, home: str) -> Decimal:
    total = Decimal(0)
    for a in Account.objects.filter(item__user=user, current_balance__isnull=False):
        sign = -1 if a.is_liability else 1
        total += sign * to_home(a.current_balance, a.iso_currency_code, home, TODAY)
    return cents(total)


def expected_spending(user, home: str, start: dt.date, end: dt.date) -> tuple[Decimal, dict]:
    total, categories = Decimal(0), defaultdict(Decimal)
    for t, root in counted_rows(user, amount__gt=0, date__gte=start, date__lte=end):
        converted = to_home(t.amount, t.iso_currency_code, home, t.date)
        total += converted
        categories[root] += converted
    return cents(total), {code: cents(v) for code, v in categories.items()}


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
