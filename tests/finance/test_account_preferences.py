"""Accounts the user controls (/dashboard/accounts/): rename, leave out of totals, order."""

import pytest

from finance.models import AccountPreference

pytestmark = pytest.mark.django_db


def form_data(money, **changes):
    """Every account of alice's as the page posts it, with `changes` by account key."""
    data = {}
    for position, key in enumerate(("checking", "card", "savings")):
        prefix = money[key].public_id
        data[f"{prefix}-nickname"] = ""
        data[f"{prefix}-in_totals"] = "on"
        data[f"{prefix}-position"] = str(position)
        for field, value in changes.get(key, {}).items():
            if value is None:
                data.pop(f"{prefix}-{field}")
            else:
                data[f"{prefix}-{field}"] = value
    return data


def test_it_lists_her_accounts_with_their_banks(alice_client, money):
    body = alice_client.get("/dashboard/accounts/").content.decode()

    assert "Everyday Checking" in body and "First Gingham Credit Union" in body


def test_a_new_name_shows_on_the_dashboard_and_the_bank_name_stays(alice_client, money):
    r = alice_client.post("/dashboard/accounts/", form_data(money, checking={"nickname": "Bills"}))

    assert r.status_code == 302
    body = alice_client.get("/").content.decode()
    assert "Bills" in body
    money["checking"].refresh_from_db()
    assert money["checking"].name == "Everyday Checking"


def test_an_account_left_out_of_totals_leaves_net_worth(alice_client, money):
    before = alice_client.get("/").context["net_worth"]["net"].amount

    alice_client.post("/dashboard/accounts/", form_data(money, savings={"in_totals": None}))

    r = alice_client.get("/")
    assert r.context["net_worth"]["net"].amount == before - money["savings"].current_balance
    assert "not in totals" in r.content.decode()


def test_the_dashboard_follows_her_order(alice_client, money):
    alice_client.post(
        "/dashboard/accounts/",
        form_data(money, checking={"position": "5"}, card={"position": "9"}),
    )

    names = [a.name for g in alice_client.get("/").context["balance_groups"] for a in g["accounts"]]
    assert names.index("Everyday Checking") < names.index("Rewards Card")
    assert names.index("Rainy Day Savings") < names.index("Everyday Checking")


def test_a_bad_order_is_refused_and_nothing_is_saved(alice_client, money):
    r = alice_client.post("/dashboard/accounts/", form_data(money, card={"position": "-1"}))

    assert r.status_code == 400
    assert not AccountPreference.objects.exists()


def test_bob_cannot_rename_alices_account(bob_client, money):
    r = bob_client.post("/dashboard/accounts/", form_data(money, checking={"nickname": "Mine"}))

    assert r.status_code == 302  # his own (no) accounts were saved
    assert not AccountPreference.objects.exists()
    assert "Everyday Checking" not in bob_client.get("/dashboard/accounts/").content.decode()
