"""Budgets in the home currency: a USD + GBP user, every figure worked out by hand.

Rates (units per euro), as the ECB publishes them: none at weekends.
  Tue 2026-12-01  USD 1.1000  GBP 0.8500   GBP -> USD factor 1.1000 / 0.8500 = 1.29411764...
  Fri 2026-12-04  USD 1.0500  GBP 0.9000   GBP -> USD factor 1.0500 / 0.9000 = 1.16666666...
  Mon 2026-11-02  USD 1.2000  GBP 0.8000   GBP -> USD factor 1.5
"""

import datetime as dt
from decimal import Decimal

import pytest

from finance.alerts.digest import digest_words
from finance.alerts.evaluate import budgets_check
from finance.budgets.report import budget_card_context, budget_lines
from finance.budgets.services import budget_set, budgets_from_average
from finance.categories import category_book
from finance.currency.home import home_currency_set
from finance.models import AlertKind, Budget, BudgetMonth, ExchangeRate, Occurrence
from tests.factories import AccountFactory, TransactionFactory

pytestmark = pytest.mark.django_db

DEC = dt.date(2026, 12, 1)
MID_DEC = dt.date(2026, 12, 10)


def rate(day: dt.date, usd: str, gbp: str) -> None:
    ExchangeRate.objects.create(date=day, currency="USD", rate=Decimal(usd))
    ExchangeRate.objects.create(date=day, currency="GBP", rate=Decimal(gbp))


@pytest.fixture
def rates(db):
    rate(dt.date(2026, 11, 2), "1.2000", "0.8000")
    rate(dt.date(2026, 12, 1), "1.1000", "0.8500")
    rate(dt.date(2026, 12, 4), "1.0500", "0.9000")


@pytest.fixture
def banks(alice, rates):
    """alice's home currency is USD; she has a dollar and a sterling account."""
    home_currency_set(user=alice, code="USD")
    dollars = AccountFactory(item__user=alice, iso_currency_code="USD")
    pounds = AccountFactory(item__user=alice, iso_currency_code="GBP")
    return dollars, pounds


@pytest.fixture
def food(alice):
    return category_book(user=alice).by_code["FOOD_AND_DRINK"]


def spend(account, amount: str, day: dt.date, currency: str | None = None, **kw):
    return TransactionFactory(
        account=account,
        amount=Decimal(amount),
        date=day,
        iso_currency_code=account.iso_currency_code if currency is None else currency,
        pfc_primary="FOOD_AND_DRINK",
        pfc_detailed="FOOD_AND_DRINK_GROCERIES",
        **kw,
    )


def test_spending_in_pounds_counts_in_a_dollar_budget_at_each_days_rate(alice, banks, food):
    dollars, pounds = banks
    budget_set(user=alice, category=food, currency="USD", month=DEC, amount=Decimal("100"))
    spend(dollars, "10.00", MID_DEC)
    spend(pounds, "20.00", dt.date(2026, 12, 2))  # 20 * 1.1 / 0.85 = 25.88235294...
    spend(pounds, "15.00", dt.date(2026, 12, 6))  # a Sunday: Friday's 15 * 1.05 / 0.9 = 17.50
    [line] = budget_lines(user=alice, month=DEC, today=MID_DEC)
    # 10 + 25.88235294 + 17.50 = 53.38235294, rounded once: 53.38.
    assert line.currency == "USD"
    assert (line.spent, line.left) == (Decimal("53.38"), Decimal("46.62"))
    assert line.percent == 53
    assert line.unconverted == []


def test_spending_that_cannot_be_converted_is_kept_apart_and_named_on_the_page(
    alice, alice_client, banks, food
):
    dollars, pounds = banks
    budget_set(user=alice, category=food, currency="USD", month=DEC, amount=Decimal("100"))
    spend(pounds, "20.00", dt.date(2026, 12, 2))
    yen = AccountFactory(item=dollars.item, iso_currency_code="JPY")
    spend(yen, "500", MID_DEC)  # no JPY rate at all
    spend(dollars, "0.25", MID_DEC, currency="", unofficial_currency_code="BTC")
    [line] = budget_lines(user=alice, month=DEC, today=MID_DEC)
    assert line.spent == Decimal("25.88")
    assert {(p.currency, p.missing) for p in line.unconverted} == {
        ("JPY", Decimal("500")),
        ("BTC", Decimal("0.25")),
    }
    page = alice_client.get("/budgets/?month=2026-12").content.decode()
    assert "$25.88" in page
    assert 'data-unconverted="JPY"' in page and "Not in Food &amp; drink: ¥500.00" in page
    assert 'data-unconverted="BTC"' in page and "0.25 BTC" in page
    assert 'data-home-currency="USD"' in page


def test_a_budget_alert_and_the_digest_count_converted_spending(alice, banks, food):
    """60 dollars planned; 40 pounds spent on the 1st = 51.76 dollars, 86%: the 80% alert (in
    pounds alone, 40 of 60 would be 67%: no alert)."""
    _, pounds = banks
    this_month = dt.date.today().replace(day=1)
    rate(this_month - dt.timedelta(days=3), "1.1000", "0.8500")
    budget_set(user=alice, category=food, currency="USD", month=this_month, amount=Decimal("60"))
    spend(pounds, "40.00", this_month)
    assert budgets_check(user=alice) == 1
    alert = Occurrence.objects.get(user=alice, kind=AlertKind.BUDGET)
    assert alert.key.endswith(":80")
    assert "$51.76 spent of $60.00" in alert.body
    words = digest_words(user=alice, now=dt.datetime.now(dt.UTC))
    assert "$51.76 of $60.00 (86%)" in words["body"]
    [line] = budget_card_context(alice)["budgets_closest"]
    assert (line.spent, line.percent) == (Decimal("51.76"), 86)


def test_the_three_month_average_converts_each_month_at_its_rates(alice, banks, food):
    """October 12 dollars, November 30 pounds on the 2nd (x 1.5 = 45 dollars), September
    nothing: (12 + 45) / 3 = 19. Counted as if pounds were dollars it would be 14."""
    dollars, pounds = banks
    budget_set(user=alice, category=food, currency="USD", month=DEC, amount=Decimal("1"))
    spend(dollars, "12.00", dt.date(2026, 10, 15))
    spend(pounds, "30.00", dt.date(2026, 11, 2))
    assert budgets_from_average(user=alice, month=DEC) == 1
    month = BudgetMonth.objects.get(budget__user=alice, month=DEC)
    assert month.amount == Decimal("19.00")


def test_a_new_budget_is_planned_in_the_home_currency(alice, alice_client, banks, food):
    home_currency_set(user=alice, code="GBP")
    r = alice_client.post(
        "/budgets/add/", {"category": str(food.public_id), "amount": "80", "month": "2026-12"}
    )
    assert r.status_code == 302
    assert Budget.objects.get(user=alice).currency == "GBP"
    page = alice_client.get("/budgets/?month=2026-12").content.decode()
    assert "Budgets are in GBP" in page


def test_after_the_home_currency_changes_a_second_budget_for_a_category_is_refused(
    alice, alice_client, banks, food
):
    budget_set(user=alice, category=food, currency="USD", month=DEC, amount=Decimal("100"))
    budget_set(user=alice, category=None, currency="USD", month=DEC, amount=Decimal("900"))
    home_currency_set(user=alice, code="GBP")
    refused = {}
    for category in (str(food.public_id), "__total__"):
        r = alice_client.post(
            "/budgets/add/", {"category": category, "amount": "80", "month": "2026-12"}
        )
        assert r.status_code == 400
        refused[category] = r.content.decode()
    assert (
        "You already have a budget for Food &amp; drink; edit it." in refused[str(food.public_id)]
    )
    assert "You already have a total budget; edit it." in refused["__total__"]
    assert sorted(Budget.objects.values_list("currency", flat=True)) == ["USD", "USD"]
    assert sorted(BudgetMonth.objects.values_list("amount", flat=True)) == [
        Decimal("100.00"),
        Decimal("900.00"),
    ]
