"""The export's summary.csv / summary.jsonl: per month, income, spending and net in the home
currency, equal to what the insights page shows, with the amounts per currency as spent and
what could not be converted named apart."""

import csv
import io
import json
from decimal import Decimal

import pytest

from finance.models import ExchangeRate
from tests.factories import AccountFactory, PlaidItemFactory, TransactionFactory
from tests.finance.currency.conftest import two_banks  # noqa: F401  (the fixture)
from tests.finance.currency.hand import THIS_MONTH, TODAY, cents, counted_rows, to_home

from .conftest import unzip
from .test_import import export_zip

pytestmark = pytest.mark.django_db


@pytest.fixture
def with_yen(alice, two_banks):  # noqa: F811
    """alice's USD and GBP banks plus a yen card this month, and no yen rate anywhere."""
    ExchangeRate.objects.filter(currency="JPY").delete()
    card = AccountFactory(item=PlaidItemFactory(user=alice), iso_currency_code="JPY")
    TransactionFactory(account=card, iso_currency_code="JPY", amount=Decimal("5000.00"), date=TODAY)
    return two_banks


def summary_of(user) -> list[dict]:
    files = unzip(export_zip(user))
    lines = [json.loads(line) for line in files["summary.jsonl"].decode().splitlines()]
    rows = list(csv.DictReader(io.StringIO(files["summary.csv"].decode())))
    assert [r["total"] for r in rows] == [line["total"] for line in lines]
    return lines


@pytest.mark.parametrize("home", ["USD", "GBP"])
def test_the_summary_equals_the_insights_monthly_totals_to_the_cent(
    alice, alice_client, with_yen, home
):
    assert alice_client.post("/settings/currency/", {"code": home}).status_code == 302
    shown = alice_client.get("/insights/?months=24").context
    assert shown["home"] == home
    per_currency = {
        code: alice_client.get(f"/insights/?months=24&currency={code}").context["cash"]
        for code in ("USD", "GBP", "JPY")
    }
    rows = {(r["month"], r["kind"]): r for r in summary_of(alice)}
    compared = 0
    for index, slot in enumerate(shown["cash"]):
        for kind in ("income", "spending", "net"):
            row = rows.get((slot["month"].isoformat(), kind))
            if row is None:
                # A month before the first transaction: nothing to sum.
                assert not slot["income"] and not slot["spending"]
                continue
            assert row["currency"] == home
            assert Decimal(row["total"]) == slot[kind]
            as_spent = {
                code: f"{cash[index][kind]:.2f}"
                for code, cash in per_currency.items()
                if cash[index]["income"] or cash[index]["spending"]
            }
            assert row["by_currency"] == as_spent
            compared += 1
    assert compared >= 6


@pytest.mark.parametrize("home", ["USD", "GBP"])
def test_this_months_spending_matches_the_hand_sum_and_names_the_yen_apart(
    alice, alice_client, with_yen, home
):
    alice_client.post("/settings/currency/", {"code": home})
    rows = {(r["month"], r["kind"]): r for r in summary_of(alice)}
    spending = rows[(THIS_MONTH.isoformat(), "spending")]
    by_hand = cents(
        sum(
            to_home(t.amount, t.iso_currency_code, home, t.date)
            for t, _ in counted_rows(
                alice,
                amount__gt=0,
                date__gte=THIS_MONTH,
                date__lte=TODAY,
                iso_currency_code__in=("USD", "GBP"),
            )
        )
    )
    assert Decimal(spending["total"]) == by_hand
    # The yen had no rate: not in the total, named apart, in yen.
    assert spending["unconverted"] == {"JPY": "5000.00"}
    assert spending["by_currency"]["JPY"] == "5000.00"
    net = rows[(THIS_MONTH.isoformat(), "net")]
    assert net["unconverted"] == {"JPY": "-5000.00"}
    assert rows[(THIS_MONTH.isoformat(), "income")]["unconverted"] == {}


def test_the_csv_holds_the_amounts_per_currency_as_a_json_object(alice, with_yen):
    files = unzip(export_zip(alice))
    rows = list(csv.DictReader(io.StringIO(files["summary.csv"].decode())))
    [spent] = [r for r in rows if (r["month"], r["kind"]) == (THIS_MONTH.isoformat(), "spending")]
    assert json.loads(spent["unconverted"]) == {"JPY": "5000.00"}
    assert set(json.loads(spent["by_currency"])) == {"GBP", "JPY", "USD"}
    # Every month has its three rows, in order.
    assert [r["kind"] for r in rows[:3]] == ["income", "spending", "net"]
    assert len(rows) % 3 == 0


def test_a_user_without_transactions_gets_a_summary_with_only_its_header(alice):
    files = unzip(export_zip(alice))
    assert files["summary.csv"].decode().splitlines() == [
        '"month","kind","currency","total","by_currency","unconverted"'
    ]
    assert files["summary.jsonl"] == b""
    readme = files["README.txt"].decode()
    assert "summary.csv / summary.jsonl" in readme
    assert "an import reads the other files and skips them" in readme
