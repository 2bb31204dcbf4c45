import datetime as dt
from decimal import Decimal

import pytest

from finance.models import Rule, Tag, TransactionTag
from finance.rules import rules_apply
from finance.tags import tag_names, tags_parse, transaction_tags_set
from tests.factories import AccountFactory, TransactionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def account(alice):
    return AccountFactory(item__user=alice)


def txn(account, amount="10.00", **kw):
    return TransactionFactory(account=account, amount=Decimal(amount), date=dt.date.today(), **kw)


def test_it_parses_comma_separated_tags_without_repeats():
    assert tags_parse(" trip ,Costco,, TRIP,  big   shop ") == ["trip", "Costco", "big shop"]


def test_a_transaction_takes_many_tags_and_can_drop_them(alice_client, account):
    t = txn(account)
    r = alice_client.post(f"/transactions/{t.public_id}/tags/", {"tags": "trip, costco"})
    assert r.status_code == 302
    assert tag_names(t) == ["costco", "trip"]
    alice_client.post(f"/transactions/{t.public_id}/tags/", {"tags": "Trip"})
    assert tag_names(t) == ["trip"]
    assert b'value="trip"' in alice_client.get(f"/transactions/{t.public_id}/").content


def test_it_filters_and_totals_by_tag(alice_client, account):
    tagged = txn(account, amount="30.00")
    refund = txn(account, amount="-5.00")
    txn(account, amount="99.00")
    for t in (tagged, refund):
        alice_client.post(f"/transactions/{t.public_id}/tags/", {"tags": "trip"})
    r = alice_client.get("/transactions/?tag=TRIP")
    assert {t.pk for t in r.context["page"].rows} == {tagged.pk, refund.pk}
    rows = alice_client.get("/tags/").context["rows"]
    assert [(row["name"], row["out"], row["in"]) for row in rows] == [
        ("trip", Decimal("30.00"), Decimal("5.00"))
    ]


def test_rules_add_tags_once_however_often_they_run(alice, account):
    t = txn(account, merchant_name="Costco")
    Rule.objects.create(user=alice, name="c", text_value="costco", add_tags="costco, bulk")
    rules_apply(user=alice, transaction_ids=[t.pk])
    rules_apply(user=alice, transaction_ids=[t.pk])
    assert tag_names(t) == ["bulk", "costco"]
    assert TransactionTag.objects.count() == 2


def test_tags_are_per_user(alice, bob_client, account, bob):
    t = txn(account)
    transaction_tags_set(user=alice, transaction=t, names=["trip"])
    bobs = txn(AccountFactory(item__user=bob))
    bob_client.post(f"/transactions/{bobs.public_id}/tags/", {"tags": "trip"})
    assert Tag.objects.filter(name="trip").count() == 2
    assert bob_client.get("/tags/").context["rows"][0]["out"] == Decimal("10.00")


def test_bob_gets_404_tagging_alices_transaction(bob_client, account):
    t = txn(account)
    r = bob_client.post(f"/transactions/{t.public_id}/tags/", {"tags": "mine"})
    assert r.status_code == 404
    assert not Tag.objects.exists()
