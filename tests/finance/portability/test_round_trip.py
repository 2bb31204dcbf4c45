"""The issue's proof that the export loses nothing: a user with a USD and a GBP bank from the
emulator, categories, rules, tags, splits, a transfer pair and budgets is exported and imported
into a fresh user, and every total the site shows is the same to the cent."""

import csv
import dataclasses
import datetime as dt
import io
from decimal import Decimal

import pytest

from banking.models import Transaction
from finance import access
from finance.budgets.services import budget_set
from finance.categories import category_add, category_update
from finance.models import AccountPreference, Rule, TransactionMeta
from finance.splits import Part, splits_set
from finance.tags import transaction_tags_set
from finance.transfers import transfer_link
from tests.finance.currency.conftest import two_banks  # noqa: F401  (the fixture)
from tests.finance.currency.hand import THIS_MONTH
from tests.reauth import recently_authenticated

from .conftest import export_zip, the_import, unzip, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def organised_two_currencies(alice, two_banks):  # noqa: F811
    rows = list(Transaction.objects.filter(user=alice).order_by("date", "pk"))
    usd = [t for t in rows if t.iso_currency_code == "USD" and t.amount > 0]
    gbp = [t for t in rows if t.iso_currency_code == "GBP" and t.amount > 0]
    income = [t for t in rows if t.amount < 0]
    food = access.categories_visible(alice).get(code="FOOD_AND_DRINK")
    treats = category_add(user=alice, name="=Treats; -sweet", kind="spending", parent=food)
    travel = access.categories_visible(alice).get(code="TRAVEL")
    category_update(category=travel, name="Trips", kind="spending", hidden=True)
    # A category of the user's own on a GBP row; notes and tags that look like formulas.
    gbp[0].category_override = treats.code
    gbp[0].notes = "=SUM(A1); @me"
    gbp[0].save()
    # Tag names holding the CSV's list separator, quotes and a backslash stay one name each.
    transaction_tags_set(
        user=alice, transaction=gbp[0], names=["holiday", "+uk", "bills, home", 'a "b" \\ c']
    )
    transaction_tags_set(user=alice, transaction=usd[0], names=["holiday"])
    TransactionMeta.objects.create(transaction=usd[1], display_name="'Coffee, again", excluded=True)
    big = max(usd, key=lambda t: t.amount)
    part = (big.amount / 3).quantize(Decimal("0.01"))
    splits_set(
        user=alice,
        transaction=big,
        parts=[
            Part(part, treats.code, "-one third"),
            Part(big.amount - part, "TRAVEL", "the rest"),
        ],
    )
    outflow = next(t for t in usd if t.pk not in (big.pk, usd[0].pk, usd[1].pk))
    inflow = next(t for t in income if t.account_id != outflow.account_id)
    transfer_link(user=alice, first=outflow, second=inflow)
    Rule.objects.create(
        user=alice,
        name="Trips",
        text_value="uber",
        set_category="TRAVEL",
        add_tags="holiday, +uk",
        account=outflow.account,
        amount_min=Decimal("1.50"),
    )
    budget_set(
        user=alice, category=food, currency="USD", month=THIS_MONTH, amount=Decimal("300.00")
    )
    budget_set(user=alice, category=None, currency="GBP", month=THIS_MONTH, amount=Decimal("900"))
    budget_set(
        user=alice,
        category=food,
        currency="USD",
        month=THIS_MONTH - dt.timedelta(days=40),
        amount=Decimal("250.00"),
    )
    account = access.accounts_visible(alice).filter(iso_currency_code="GBP").first()
    AccountPreference.objects.create(account=account, nickname="UK current")
    return rows


@pytest.fixture
def round_trip(
    alice,
    alice_client,
    organised_two_currencies,
    carol,
    carol_client,
    django_capture_on_commit_callbacks,
):
    upload(carol_client, export_zip(alice), django_capture_on_commit_callbacks)
    row = the_import(carol)
    assert (row.state, row.error) == ("done", "")
    return recently_authenticated(alice_client, "alice-pass-123"), carol_client


def money_of(value):
    """A Money-like value (amount + unconverted) or a plain one, as comparable data."""
    if hasattr(value, "amount"):
        return (value.amount, [str(u) for u in getattr(value, "unconverted", [])])
    return value


@pytest.mark.parametrize("home", ["USD", "GBP"])
def test_the_dashboard_totals_are_the_same_after_the_round_trip(round_trip, home):
    pages = []
    for client in round_trip:
        assert client.post("/settings/currency/", {"code": home}).status_code == 302
        context = client.get("/").context
        assert context["home"] == home
        pages.append(
            {
                "net": money_of(context["net_worth"]["net"]),
                "spending": context["spending"],
                "top": [(r["category"], r["total"]) for r in context["top_categories"]],
            }
        )
    assert pages[0] == pages[1]
    assert pages[0]["spending"] and pages[0]["top"]


def test_insights_per_category_and_month_are_the_same(round_trip):
    spending = []
    for client in round_trip:
        client.post("/settings/currency/", {"code": "GBP"})
        spending.append(client.get("/insights/?months=12").context["spending"])
        spending.append(client.get("/insights/?months=12&currency=USD").context["spending"])
    assert spending[0] == spending[2]
    assert spending[1] == spending[3]
    assert spending[0]["categories"]


def test_the_budgets_page_is_the_same(round_trip):
    pages = []
    for client in round_trip:
        context = client.get(f"/budgets/?month={THIS_MONTH:%Y-%m}").context
        pages.append((strip(context["lines"]), strip(context["totals"])))
    assert pages[0] == pages[1]
    assert len(pages[0][0]) == 2


def test_net_worth_is_the_same_from_the_manual_accounts_balances(round_trip):
    worth = [strip(client.get("/net-worth/").context["nw"]) for client in round_trip]
    assert worth[0] == worth[1]
    assert worth[0]["lines"] and worth[0]["totals"]


def test_the_transactions_csv_is_the_same_apart_from_plaid_ids(round_trip):
    bodies = []
    for client in round_trip:
        r = client.get("/transactions/export.csv")
        assert r.status_code == 200
        rows = list(csv.DictReader(io.StringIO(b"".join(r.streaming_content).decode())))
        bodies.append([{k: v for k, v in row.items() if k not in PLAID_IDS} for row in rows])
    assert bodies[0] == bodies[1]
    assert len(bodies[0]) > 10
    cells = {v for row in bodies[0] for v in row.values()}
    assert "Royal Bank of Plaid" in cells
    assert any("=SUM(A1)" in cell for cell in cells)


def tag_sets(user) -> list[tuple]:
    rows = Transaction.objects.filter(user=user).order_by("date", "name", "amount", "pk")
    return [
        (t.date, t.name, t.amount, sorted(t.tag_links.values_list("tag__name", flat=True)))
        for t in rows
    ]


def test_every_transaction_keeps_its_tags_each_name_whole(round_trip, alice, carol):
    assert tag_sets(carol) == tag_sets(alice)
    assert any("bills, home" in names and 'a "b" \\ c' in names for *_, names in tag_sets(carol))


# The transactions CSV's columns holding Plaid's transaction ids (local ones after an import).
PLAID_IDS = {"transaction_id", "split_of"}
# Keys holding ids or links made from them.
ID_KEYS = {"key", "url", "public_id", "id", "link", "href"}


def strip(value):
    """Page data without ids: dicts, lists and dataclasses walked, model objects dropped."""
    if dataclasses.is_dataclass(value):
        value = {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {
            k: strip(v) for k, v in value.items() if k not in ID_KEYS and not hasattr(v, "_meta")
        }
    if isinstance(value, list | tuple):
        return [strip(v) for v in value]
    # Helpers a page carries along (a converter) are not data.
    return value if isinstance(value, PLAIN) else None


PLAIN = (str, int, Decimal, dt.date, type(None))


@pytest.mark.parametrize("home", ["USD", "GBP"])
def test_the_exports_summary_is_the_same_after_the_round_trip(round_trip, alice, carol, home):
    summaries = []
    for client, user in zip(round_trip, (alice, carol), strict=True):
        client.post("/settings/currency/", {"code": home})
        summaries.append(unzip(export_zip(user))["summary.jsonl"])
    assert summaries[0] == summaries[1]
    assert summaries[0].count(b'"kind":"spending"') >= 2
