import socket
from decimal import Decimal

import pytest
from cryptography.fernet import InvalidToken
from django.core import mail

from banking import plaid as plaid_api
from banking.models import PlaidApiCall, PlaidItem

pytestmark = pytest.mark.django_db


def fake_item(n=0, token=None):
    return PlaidItem(item_id=f"item{n}", access_token=token or f"access-sandbox-nope-{n}")


def test_it_refuses_to_send_a_token_from_another_environment(linked_item, settings):
    settings.PLAID_ENV = "production"
    before = PlaidApiCall.objects.count()
    with pytest.raises(plaid_api.PlaidError) as excinfo:
        plaid_api.item_get(linked_item)
    assert excinfo.value.error_code == "TOKEN_ENVIRONMENT_MISMATCH"
    assert excinfo.value.retryable is False
    assert PlaidApiCall.objects.count() == before


def test_it_refuses_a_production_token_in_emulator_mode(plaid_settings):
    with pytest.raises(plaid_api.PlaidError) as excinfo:
        plaid_api.item_get(fake_item(token="access-production-123"))
    assert excinfo.value.error_code == "TOKEN_ENVIRONMENT_MISMATCH"


def test_it_converts_plaid_errors(plaid_settings):
    with pytest.raises(plaid_api.PlaidError) as excinfo:
        plaid_api.item_get(fake_item())
    error = excinfo.value
    assert error.error_code == "INVALID_ACCESS_TOKEN"
    assert error.error_type == "INVALID_INPUT"
    assert error.request_id
    assert error.status == 400
    assert error.retryable is False
    call = PlaidApiCall.objects.get()
    assert call.error_code == "INVALID_ACCESS_TOKEN"
    assert call.request_id == error.request_id
    assert call.endpoint == "/item/get"


def test_it_marks_server_errors_retryable(linked_item, emulator):
    from .conftest import post_fault

    post_fault(emulator, "/accounts/get", "INTERNAL_SERVER_ERROR")
    with pytest.raises(plaid_api.PlaidError) as excinfo:
        plaid_api.accounts_get(linked_item)
    assert excinfo.value.retryable is True
    assert excinfo.value.status == 500


def test_it_turns_network_failures_into_retryable_errors(plaid_settings):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    plaid_settings.PLAID_EMULATOR_URL = f"http://127.0.0.1:{port}"
    with pytest.raises(plaid_api.PlaidError) as excinfo:
        plaid_api.institution_get("ins_109508")
    assert excinfo.value.error_code == "NETWORK_ERROR"
    assert excinfo.value.retryable is True


def test_it_returns_balances_and_amounts_as_decimals(linked_item):
    accounts = plaid_api.accounts_get(linked_item)
    assert all(isinstance(a["balances"]["current"], Decimal) for a in accounts)
    page = plaid_api.transactions_sync(linked_item, None, count=50)
    assert page["added"]
    assert all(isinstance(t["amount"], Decimal) for t in page["added"])
    assert all(Decimal(str(t["amount"])) == t["amount"] for t in page["added"])


def test_it_opens_the_circuit_on_invalid_api_keys(plaid_settings, settings):
    settings.ADMINS = [("Staff", "staff@example.com")]
    plaid_settings.PLAID_SECRET = "wrong-secret"
    with pytest.raises(plaid_api.PlaidError) as excinfo:
        plaid_api.institution_get("ins_109508")
    assert excinfo.value.error_code == "INVALID_API_KEYS"
    assert plaid_api.circuit_is_open()
    assert len(mail.outbox) == 1
    assert "wrong-secret" not in mail.outbox[0].body
    # The right keys again: still paused until staff reset it, and no call goes out.
    plaid_settings.PLAID_SECRET = "emulator-secret"
    calls = PlaidApiCall.objects.count()
    with pytest.raises(plaid_api.PlaidError) as excinfo:
        plaid_api.institution_get("ins_109508")
    assert excinfo.value.error_code == "CIRCUIT_OPEN"
    assert excinfo.value.retryable is False
    assert PlaidApiCall.objects.count() == calls
    plaid_api.circuit_reset()
    assert plaid_api.institution_get("ins_109508")["name"] == "First Platypus Bank"


def test_it_opens_the_circuit_on_a_burst_of_invalid_tokens(plaid_settings, settings):
    settings.PLAID_CIRCUIT_BAD_TOKEN_ITEMS = 3
    settings.ADMINS = [("Staff", "staff@example.com")]
    for n in range(2):
        with pytest.raises(plaid_api.PlaidError):
            plaid_api.item_get(fake_item(n))
    assert not plaid_api.circuit_is_open()
    with pytest.raises(plaid_api.PlaidError):
        plaid_api.item_get(fake_item(2))
    assert plaid_api.circuit_is_open()
    assert len(mail.outbox) == 1


def test_it_does_not_open_the_circuit_for_one_item_failing_repeatedly(plaid_settings, settings):
    settings.PLAID_CIRCUIT_BAD_TOKEN_ITEMS = 3
    for _ in range(5):
        with pytest.raises(plaid_api.PlaidError):
            plaid_api.item_get(fake_item(7))
    assert not plaid_api.circuit_is_open()


def test_it_fails_loudly_with_the_wrong_fernet_key(linked_item, settings):
    field = PlaidItem._meta.get_field("access_token")
    original = settings.FERNET_KEYS
    settings.FERNET_KEYS = ["a-completely-different-key"]
    for name in ("keys", "fernet_keys", "fernet"):
        field.__dict__.pop(name, None)
    try:
        with pytest.raises(InvalidToken):
            PlaidItem.objects.get(pk=linked_item.pk)
    finally:
        settings.FERNET_KEYS = original
        for name in ("keys", "fernet_keys", "fernet"):
            field.__dict__.pop(name, None)


def test_it_never_logs_a_token(linked_item, caplog):
    with pytest.raises(plaid_api.PlaidError):
        plaid_api.item_get(fake_item(token="access-sandbox-secret-value"))
    assert "access-sandbox-secret-value" not in caplog.text
    assert linked_item.access_token not in caplog.text


def test_every_call_goes_through_the_rate_limiter(linked_item, settings):
    # Linking the item spent more than this budget already.
    settings.PLAID_CLIENT_RATE_LIMIT_PER_MINUTE = 1
    settings.PLAID_RATE_LIMIT_MAX_WAIT_SECONDS = 0
    calls = PlaidApiCall.objects.count()
    with pytest.raises(plaid_api.RateLimited):
        plaid_api.item_get(linked_item)
    assert PlaidApiCall.objects.count() == calls  # refused before anything was sent
