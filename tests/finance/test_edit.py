import json

import pytest

from banking.models import Transaction

pytestmark = pytest.mark.django_db


def url(txn):
    return f"/transactions/{txn.public_id}/"


def test_it_shows_an_edit_page_without_javascript(alice_client, money):
    r = alice_client.get(url(money["coffee"]))
    assert r.status_code == 200
    assert b'name="category_override"' in r.content
    assert b"Bank&#x27;s category (Food &amp; drink)" in r.content


def test_it_saves_category_and_notes_and_goes_back(alice_client, money):
    txn = money["coffee"]
    r = alice_client.post(
        url(txn),
        {
            "category_override": "ENTERTAINMENT",
            "notes": "with Sam",
            "next": "/transactions/?q=star",
        },
    )
    assert r.status_code == 302
    assert r["Location"] == "/transactions/?q=star"
    txn.refresh_from_db()
    assert (txn.category_override, txn.notes) == ("ENTERTAINMENT", "with Sam")
    assert txn.amount == money["coffee"].amount


def test_it_answers_json_for_inline_edits(alice_client, money):
    txn = money["coffee"]
    r = alice_client.post(
        url(txn), {"category_override": "TRAVEL", "notes": ""}, HTTP_ACCEPT="application/json"
    )
    assert r.status_code == 200
    assert json.loads(r.content) == {
        "ok": True,
        "category": "TRAVEL",
        "category_label": "Travel",
        "category_override": "TRAVEL",
        "notes": "",
    }


def test_clearing_the_override_restores_the_banks_category(alice_client, money):
    txn = money["coffee"]
    Transaction.objects.filter(pk=txn.pk).update(category_override="TRAVEL")
    r = alice_client.post(
        url(txn), {"category_override": "", "notes": ""}, HTTP_ACCEPT="application/json"
    )
    assert json.loads(r.content)["category"] == "FOOD_AND_DRINK"


def test_it_rejects_an_unknown_category(alice_client, money):
    r = alice_client.post(
        url(money["coffee"]),
        {"category_override": "BITCOIN", "notes": ""},
        HTTP_ACCEPT="application/json",
    )
    assert r.status_code == 400
    assert "category_override" in json.loads(r.content)["errors"]
    r = alice_client.post(url(money["coffee"]), {"category_override": "BITCOIN", "notes": ""})
    assert r.status_code == 400
    assert b"Select a valid choice" in r.content


def test_it_never_redirects_off_site(alice_client, money):
    r = alice_client.post(
        url(money["coffee"]),
        {"category_override": "", "notes": "", "next": "https://evil.example/"},
    )
    assert r["Location"] == "/transactions/"


def test_another_users_transaction_is_404(bob_client, money):
    txn = money["coffee"]
    assert bob_client.get(url(txn)).status_code == 404
    r = bob_client.post(url(txn), {"category_override": "TRAVEL", "notes": "mine now"})
    assert r.status_code == 404
    txn.refresh_from_db()
    assert txn.notes == ""


def test_an_unknown_id_is_404(alice_client):
    assert (
        alice_client.get("/transactions/00000000-0000-0000-0000-000000000000/").status_code == 404
    )
