from decimal import Decimal

import pytest
from django.db import connection

from banking import link
from banking import plaid as plaid_api
from banking.models import Account, Institution, PlaidApiCall, PlaidItem

pytestmark = pytest.mark.django_db


def test_it_links_an_item_with_institution_and_accounts(linked_item, alice):
    assert linked_item.user == alice
    assert linked_item.status == PlaidItem.Status.HEALTHY
    assert linked_item.institution.institution_id == "ins_109508"
    assert linked_item.institution.name == "First Platypus Bank"
    accounts = list(Account.objects.for_user(alice))
    assert accounts
    checking = next(a for a in accounts if a.subtype == "checking")
    assert isinstance(checking.current_balance, Decimal)
    assert checking.iso_currency_code == "USD"


def test_it_stores_no_plaintext_token_in_the_database(linked_item):
    with connection.cursor() as cursor:
        cursor.execute("SELECT access_token FROM banking_plaiditem WHERE id = %s", [linked_item.pk])
        (raw,) = cursor.fetchone()
    raw = bytes(raw)
    assert b"access-" not in raw
    assert linked_item.access_token.encode() not in raw
    assert PlaidItem.objects.get(pk=linked_item.pk).access_token.startswith("access-sandbox-")


def test_it_records_every_call_without_tokens(linked_item):
    calls = list(PlaidApiCall.objects.order_by("created_at", "id"))
    endpoints = [c.endpoint for c in calls]
    assert "/item/public_token/exchange" in endpoints
    assert "/accounts/get" in endpoints
    assert all(c.request_id for c in calls)
    for call in calls:
        for value in (call.endpoint, call.request_id, call.error_code, call.plaid_item_id):
            assert "access-" not in value


def test_it_refuses_a_duplicate_and_removes_it_at_plaid(linked_item, alice, emulator):
    public_token = plaid_api.sandbox_public_token_create("ins_109508")
    with pytest.raises(link.LinkError) as excinfo:
        link.item_link(user=alice, public_token=public_token, metadata=None)
    assert excinfo.value.status == 409
    assert "already connected" in excinfo.value.message
    assert PlaidItem.objects.count() == 1
    assert PlaidApiCall.objects.filter(endpoint="/item/remove").count() == 1


def test_it_lets_another_user_link_the_same_bank(linked_item, bob):
    public_token = plaid_api.sandbox_public_token_create("ins_109508")
    item = link.item_link(user=bob, public_token=public_token, metadata=None)
    assert item.user == bob
    assert Institution.objects.count() == 1


def test_it_rejects_a_forged_public_token(alice, plaid_settings):
    with pytest.raises(link.LinkError) as excinfo:
        link.item_link(user=alice, public_token="public-sandbox-forged", metadata=None)
    assert excinfo.value.status == 400
    assert PlaidItem.objects.count() == 0


def test_it_rejects_a_reused_public_token(linked_item, alice, bob):
    public_token = plaid_api.sandbox_public_token_create("ins_109509")
    link.item_link(user=bob, public_token=public_token, metadata=None)
    with pytest.raises(link.LinkError):
        link.item_link(user=alice, public_token=public_token, metadata=None)
    assert PlaidItem.objects.filter(user=alice).count() == 1
