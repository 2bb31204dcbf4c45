"""/net-worth/, the dashboard's sparkline and the manual assets and liabilities pages."""

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from finance.models import (
    AccountPreference,
    BalanceSnapshot,
    ExchangeRate,
    ManualAsset,
    ManualValue,
)
from finance.networth.manual import manual_asset_create
from tests.factories import AccountFactory, PlaidItemFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def books(alice):
    """alice's checking (1,000 today, 900 a week ago, estimated before), a card owing 200 and
    a savings account in euros."""
    today = timezone.localdate()
    item = PlaidItemFactory(user=alice)
    checking = AccountFactory(item=item, name="Checking", current_balance=Decimal("1000.00"))
    card = AccountFactory(
        item=item,
        name="Card",
        type="credit",
        subtype="credit card",
        current_balance=Decimal("200.00"),
    )
    euros = AccountFactory(
        item=item, name="Euro savings", iso_currency_code="EUR", current_balance=Decimal("50.00")
    )
    for n in range(1, 40):
        day = today - dt.timedelta(days=n)
        BalanceSnapshot.objects.create(
            account=checking,
            date=day,
            current=Decimal("900.00") if n >= 7 else Decimal("950.00"),
            currency="USD",
            estimated=n >= 20,
        )
        BalanceSnapshot.objects.create(
            account=card, date=day, current=Decimal("100.00"), currency="USD"
        )
    return {"today": today, "checking": checking, "card": card, "euros": euros}


def block(response):
    return response.context["nw"]


def euro_rates(today, usd_per_euro="1.25"):
    """USD per euro on a day before the period and today (the ECB quotes per euro)."""
    for day in (today - dt.timedelta(days=400), today):
        ExchangeRate.objects.create(date=day, currency="USD", rate=Decimal(usd_per_euro))


def test_it_shows_one_net_worth_over_the_period_in_the_home_currency(alice_client, books):
    euro_rates(books["today"])

    r = alice_client.get("/net-worth/?range=1m")

    assert r.status_code == 200
    points = block(r)["points"]
    assert block(r)["currency"] == "USD"
    assert len(points) == 30
    assert points[0]["net"] == Decimal("800.00")  # 900 - 100 (no euro row yet)
    assert points[-2]["net"] == Decimal("850.00")
    assert points[-1]["net"] == Decimal("862.50")  # 1000 - 200 + 50 EUR at 1.25 today
    assert block(r)["change"]["change"] == Decimal("62.50")
    html = r.content.decode()
    assert "By currency" in html and "€50.00 = $62.50" in html


def test_a_balance_without_a_rate_is_named_apart_and_in_no_total(alice_client, books):
    r = alice_client.get("/net-worth/?range=1m")

    assert block(r)["points"][-1]["net"] == Decimal("800.00")
    assert block(r)["points"][0]["net"] == Decimal("800.00")
    net = block(r)["totals"]["net"]
    assert [(p.currency, p.missing) for p in net.unconverted] == [("EUR", Decimal("50.00"))]
    html = r.content.decode()
    assert "Not in net worth: €50.00, no exchange rate to USD for that day." in html
    euros = next(ln for ln in block(r)["lines"] if ln["label"] == "Euro savings")
    assert (euros["end"], euros["converted"]) == (None, False)


def test_it_marks_estimated_days(alice_client, books):
    points = block(alice_client.get("/net-worth/?range=1m"))["points"]

    assert points[0]["estimated"] is True
    assert points[-1]["estimated"] is False
    assert points[-10]["estimated"] is False


def test_it_shows_the_change_in_money_and_percent(alice_client, books):
    BalanceSnapshot.objects.filter(
        account=books["checking"], date=books["today"] - dt.timedelta(days=29)
    ).update(current=Decimal("500.00"))

    change = block(alice_client.get("/net-worth/?range=1m"))["change"]

    assert change["change"] == Decimal("400.00")
    assert change["pct"] == Decimal("100.0")


def test_it_groups_by_type_and_by_account(alice_client, books):
    euro_rates(books["today"], "2")
    r = alice_client.get("/net-worth/?range=3m")
    groups = {g["label"]: g for g in block(r)["groups"]}
    lines = {ln["label"]: ln for ln in block(r)["lines"]}

    assert groups["Cash"]["end"] == Decimal("1100.00")  # 1000 USD + 50 EUR at 2 USD
    assert groups["Credit cards"]["is_liability"] is True
    assert lines["Checking"]["start"] == Decimal("900.00")
    assert lines["Card"]["change"] == Decimal("100.00")
    assert (lines["Euro savings"]["end"], lines["Euro savings"]["original"]) == (
        Decimal("100.00"),
        Decimal("50.00"),
    )


def test_an_account_left_out_of_totals_or_hidden_is_left_out(alice_client, books):
    AccountPreference.objects.create(account=books["card"], excluded_from_totals=True)
    books["euros"].hidden = True
    books["euros"].save()

    r = alice_client.get("/net-worth/?range=1m")

    assert [ln["label"] for ln in block(r)["lines"]] == ["Checking"]
    assert block(r)["points"][-1]["net"] == Decimal("1000.00")
    assert block(r)["totals"]["net"].unconverted == []


def test_every_range_and_a_bad_one_answer(alice_client, books):
    for key in ("1m", "3m", "1y", "all"):
        assert alice_client.get(f"/net-worth/?range={key}").status_code == 200
    r = alice_client.get("/net-worth/?range=forever")
    assert r.status_code == 200 and r.context["range_key"] == "1y"
    assert len(block(alice_client.get("/net-worth/?range=all"))["points"]) == 40


def test_the_dashboard_the_sparkline_and_the_chart_show_one_net_worth(alice_client, books):
    """Home currency, manual assets in, hidden accounts out, other currencies converted."""
    euro_rates(books["today"])
    hidden = AccountFactory(item=books["checking"].item, current_balance=Decimal("99.00"))
    hidden.hidden = True
    hidden.save()
    manual_asset_create(
        user=books["checking"].item.user,
        name="Car",
        kind="asset",
        category="vehicle",
        currency="EUR",
        value=Decimal("4000.00"),
        on=books["today"] - dt.timedelta(days=3),
    )
    r = alice_client.get("/")

    headline = r.context["net_worth"]["net"].amount
    assert headline == Decimal("5862.50")  # 1000 - 200 + (50 + 4000) EUR at 1.25
    spark = r.context["net_worth_spark"]
    assert (spark["currency"], spark["last"]) == ("USD", headline)
    assert spark["first"] == Decimal("800.00")
    html = r.content.decode()
    assert f'data-net="{headline}"' in html and f'data-last="{headline}"' in html
    page = alice_client.get("/net-worth/?range=1m")
    assert block(page)["points"][-1]["net"] == headline
    assert block(page)["chart"]["net"][-1] == str(headline)
    assert f'data-net-today="{headline}"' in page.content.decode()


def test_the_page_needs_a_login(client):
    assert client.get("/net-worth/").status_code == 302


def test_a_new_user_sees_how_to_start(alice_client):
    r = alice_client.get("/net-worth/")
    assert r.status_code == 200 and b"Link a bank" in r.content


def test_bob_sees_none_of_alices_net_worth(bob_client, books):
    assert bob_client.get("/net-worth/").context["nw"] is None
    assert bob_client.get("/").context.get("net_worth_spark") is None


def test_its_query_count_does_not_grow_with_history(
    alice_client, books, django_assert_max_num_queries
):
    alice_client.get("/net-worth/")
    for n in range(40, 400):
        BalanceSnapshot.objects.create(
            account=books["card"],
            date=books["today"] - dt.timedelta(days=n),
            current=Decimal("1.00"),
            currency="USD",
        )
    with django_assert_max_num_queries(14):
        alice_client.get("/net-worth/")


# ---- Manual assets and liabilities ---------------------------------------------------------


def test_alice_adds_a_house_and_it_counts_in_net_worth(alice_client, alice):
    r = alice_client.post(
        "/net-worth/manual/",
        {
            "name": "House",
            "kind": "asset",
            "category": "property",
            "currency": "usd",
            "value": "350000",
        },
    )

    assert r.status_code == 302
    house = ManualAsset.objects.get(user=alice)
    assert (house.currency, house.value) == ("USD", Decimal("350000.00"))
    assert ManualValue.objects.filter(asset=house).count() == 1
    r = alice_client.get("/net-worth/?range=1m")
    assert block(r)["points"][-1]["net"] == Decimal("350000.00")


def test_a_private_loan_is_owed(alice_client, alice):
    alice_client.post(
        "/net-worth/manual/",
        {
            "name": "Loan from Mum",
            "kind": "liability",
            "category": "loan",
            "currency": "USD",
            "value": "1200",
        },
    )
    assert block(alice_client.get("/net-worth/"))["today"]["liabilities"] == Decimal("1200.00")


def test_bad_input_is_refused_and_changes_nothing(alice_client, alice):
    r = alice_client.post(
        "/net-worth/manual/",
        {"name": "", "kind": "asset", "category": "property", "currency": "dollars", "value": "-5"},
    )

    assert r.status_code == 400
    assert set(r.context["form"].errors) == {"name", "currency", "value"}
    assert not ManualAsset.objects.exists()


def test_updating_the_value_keeps_the_history(alice_client, alice):
    today = timezone.localdate()
    car = manual_asset_create(
        user=alice,
        name="Car",
        kind="asset",
        category="vehicle",
        currency="USD",
        value=Decimal("9000.00"),
        on=today - dt.timedelta(days=10),
    )

    r = alice_client.post(
        f"/net-worth/manual/{car.public_id}/",
        {"action": "value", "value": "8000", "date": (today - dt.timedelta(days=2)).isoformat()},
    )

    assert r.status_code == 302
    car.refresh_from_db()
    assert car.value == Decimal("8000.00")
    points = block(alice_client.get("/net-worth/?range=1m"))["points"]
    assert [p["net"] for p in points[-12:-9]] == [0, Decimal("9000.00"), Decimal("9000.00")]
    assert points[-3]["net"] == Decimal("8000.00")


def test_a_value_in_the_future_is_refused(alice_client, alice):
    car = manual_asset_create(
        user=alice,
        name="Car",
        kind="asset",
        category="vehicle",
        currency="USD",
        value=Decimal("9000.00"),
        on=timezone.localdate(),
    )
    tomorrow = timezone.localdate() + dt.timedelta(days=1)

    r = alice_client.post(
        f"/net-worth/manual/{car.public_id}/",
        {"action": "value", "value": "1", "date": tomorrow.isoformat()},
    )

    assert r.status_code == 400
    car.refresh_from_db()
    assert car.value == Decimal("9000.00")


def test_renaming_and_removing(alice_client, alice):
    car = manual_asset_create(
        user=alice,
        name="Car",
        kind="asset",
        category="vehicle",
        currency="USD",
        value=Decimal("9000.00"),
        on=timezone.localdate(),
    )
    alice_client.post(
        f"/net-worth/manual/{car.public_id}/",
        {"action": "rename", "name": "Old car", "category": "vehicle"},
    )
    car.refresh_from_db()
    assert car.name == "Old car"
    assert alice_client.get(f"/net-worth/manual/{car.public_id}/delete/").status_code == 405

    alice_client.post(f"/net-worth/manual/{car.public_id}/delete/")

    assert not ManualAsset.objects.exists()
    assert not ManualValue.objects.exists()


def test_bob_gets_404_for_alices_asset(bob_client, alice):
    car = manual_asset_create(
        user=alice,
        name="Car",
        kind="asset",
        category="vehicle",
        currency="USD",
        value=Decimal("9000.00"),
        on=timezone.localdate(),
    )
    url = f"/net-worth/manual/{car.public_id}/"

    assert bob_client.get(url).status_code == 404
    rename = {"action": "rename", "name": "Mine", "category": "other"}
    assert bob_client.post(url, rename).status_code == 404
    assert bob_client.post(url + "delete/").status_code == 404
    assert b"Car" not in bob_client.get("/net-worth/manual/").content
    assert ManualAsset.objects.get(pk=car.pk).name == "Car"


def test_the_forms_need_csrf(alice):
    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(alice)
    r = csrf_client.post(
        "/net-worth/manual/",
        {"name": "House", "kind": "asset", "category": "property", "currency": "USD", "value": "1"},
    )
    assert r.status_code == 403
    assert not ManualAsset.objects.exists()
