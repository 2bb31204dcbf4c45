from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection

from banking import plaid as plaid_api
from banking.models import PlaidItem

from .conftest import emulator_items

pytestmark = pytest.mark.django_db

FERNET_FIELDS = ("keys", "fernet_keys", "fernet")


def _use_keys(settings, keys):
    settings.FERNET_KEYS = keys
    field = PlaidItem._meta.get_field("access_token")
    for name in FERNET_FIELDS:
        field.__dict__.pop(name, None)


def _raw_token(item):
    with connection.cursor() as cursor:
        cursor.execute("SELECT access_token FROM banking_plaiditem WHERE id = %s", [item.pk])
        return bytes(cursor.fetchone()[0])


def test_it_reencrypts_tokens_with_the_first_key(linked_item, settings):
    token = linked_item.access_token
    original = list(settings.FERNET_KEYS)
    try:
        _use_keys(settings, ["new-key", *original])
        out = StringIO()
        call_command("rotate_fernet_keys", stdout=out)
        assert "Re-encrypted 1" in out.getvalue()
        _use_keys(settings, ["new-key"])  # the old key is dropped
        assert PlaidItem.objects.get(pk=linked_item.pk).access_token == token
        assert b"access-" not in _raw_token(linked_item)
    finally:
        _use_keys(settings, original)


def test_it_rotates_access_tokens_at_plaid(linked_item):
    old = linked_item.access_token
    out = StringIO()
    call_command("rotate_plaid_access_tokens", stdout=out)
    assert "Rotated 1" in out.getvalue()
    new = PlaidItem.objects.get(pk=linked_item.pk)
    assert new.access_token != old
    assert new.access_token.startswith("access-sandbox-")
    assert plaid_api.item_get(new)["item"]["item_id"] == linked_item.item_id
    with pytest.raises(plaid_api.PlaidError):
        plaid_api.item_get(linked_item)  # the old token is dead


def test_plaid_check_runs_the_whole_sandbox_flow(plaid_settings, emulator):
    out = StringIO()
    call_command("plaid_check", stdout=out, stderr=StringIO())
    text = out.getvalue()
    assert "OK  look up an institution: First Platypus Bank" in text
    assert "item removed" in text
    assert "configured correctly" in text
    assert emulator_items(emulator)["items"] == []


def test_plaid_check_explains_wrong_keys(plaid_settings):
    plaid_settings.PLAID_SECRET = "wrong"
    err = StringIO()
    with pytest.raises(SystemExit):
        call_command("plaid_check", stdout=StringIO(), stderr=err)
    assert "rejected PLAID_CLIENT_ID / PLAID_SECRET" in err.getvalue()


def test_plaid_check_explains_an_unreachable_emulator(plaid_settings):
    plaid_settings.PLAID_EMULATOR_URL = "http://127.0.0.1:9"
    err = StringIO()
    with pytest.raises(SystemExit):
        call_command("plaid_check", stdout=StringIO(), stderr=err)
    assert "Cannot reach http://127.0.0.1:9" in err.getvalue()
