"""Every code of the error table, through every entry point, does what the table says.

Faults come from the emulator's fault API. Codes our own wrapper raises (an open circuit, a token
of another environment, an unreachable host) are produced for real through settings and the
circuit's cache key. A few codes the emulator cannot inject yet (EMULATOR_CANNOT_INJECT) are
walked through the webhook entry point, which needs no call to Plaid, and the table itself.
"""

import hashlib
import json
import uuid

import pytest
from django.core.cache import cache

from banking import link, sync
from banking import plaid as plaid_api
from banking.health import check as health_check
from banking.health.errors import TABLE, Entry, decide
from banking.models import PlaidItem, WebhookEvent
from banking.plaid import circuit
from banking.webhooks import drain
from plaid_emulator.errors import CATALOGUE
from tests.emulator_client import add_fault

pytestmark = pytest.mark.django_db

OURS_MADE_FOR_REAL = {"CIRCUIT_OPEN", "TOKEN_ENVIRONMENT_MISMATCH", "NETWORK_ERROR"}
EMULATOR_CANNOT_INJECT = {
    "ADDITIONAL_CONSENT_REQUIRED",
    "USER_SETUP_REQUIRED",
    "INSTITUTION_NOT_AVAILABLE",
    "PRODUCT_NOT_READY",
    "RATE_LIMITED_LOCALLY",
    "INVALID_RESPONSE",
}
CALLED_CODES = sorted(set(TABLE) - EMULATOR_CANNOT_INJECT)
# A new item's token comes from the exchange, in the environment that minted it.
LINK_CANNOT_MEET = {"TOKEN_ENVIRONMENT_MISMATCH"}


def make_fail(code, path, *, emulator, settings):
    """Make the next calls to `path` fail with `code`, the way that code really happens."""
    if code == "CIRCUIT_OPEN":
        cache.set(circuit.CIRCUIT_KEY, "a test opened it", 60)
    elif code == "TOKEN_ENVIRONMENT_MISMATCH":
        settings.PLAID_ENV = "production"
    elif code == "NETWORK_ERROR":
        settings.PLAID_EMULATOR_URL = "http://127.0.0.1:1"
    else:
        add_fault(emulator, path, code)


def expected_status(code, entry, before):
    return decide(code, entry).status or before


def test_the_table_has_no_webhook_codes():
    # PENDING_EXPIRATION is what Plaid's ITEM webhook says, never an error code.
    assert "PENDING_EXPIRATION" not in TABLE
    assert set(EMULATOR_CANNOT_INJECT) | set(CALLED_CODES) == set(TABLE)


def test_a_failed_call_is_retryable_exactly_when_the_table_says_the_code_is_transient():
    for code, rule in TABLE.items():
        assert plaid_api.PlaidError(code).retryable is rule.transient, code


@pytest.mark.parametrize("code", CALLED_CODES)
def test_sync(code, linked_item, emulator, settings):
    make_fail(code, "/transactions/sync", emulator=emulator, settings=settings)

    with pytest.raises(sync.SyncFailed) as failed:
        sync.item_sync(item=linked_item, trigger="webhook")

    decision = decide(code, Entry.SYNC)
    assert failed.value.error_code == code
    assert failed.value.retryable is decision.retry
    linked_item.refresh_from_db()
    assert linked_item.status == expected_status(code, Entry.SYNC, PlaidItem.Status.HEALTHY)


@pytest.mark.parametrize("code", CALLED_CODES)
def test_health_check(code, linked_item, emulator, settings):
    make_fail(code, "/item/get", emulator=emulator, settings=settings)

    state = health_check.check_item_health(item=linked_item)

    linked_item.refresh_from_db()
    status = expected_status(code, Entry.HEALTH, PlaidItem.Status.HEALTHY)
    assert linked_item.status == status
    if decide(code, Entry.HEALTH).status is None:
        assert state == "skipped"
        assert linked_item.error_code == ""
    else:
        assert linked_item.error_code == code


@pytest.mark.parametrize("code", sorted(set(CALLED_CODES) - LINK_CANNOT_MEET))
def test_link(code, alice, plaid_settings, emulator, settings):
    public_token = plaid_api.sandbox_public_token_create("ins_109508")
    make_fail(code, "/item/get", emulator=emulator, settings=settings)

    with pytest.raises(link.LinkError) as failed:
        link.item_link(user=alice, public_token=public_token, metadata=None)

    decision = decide(code, Entry.LINK)
    plaids_words = CATALOGUE.get(code, (None, None, None, None))[3]
    assert failed.value.message == (plaids_words or decision.message)
    assert not PlaidItem.objects.exists()


@pytest.mark.parametrize("code", sorted(TABLE))
def test_webhook(code, alice):
    item = PlaidItem.objects.create(user=alice, item_id="item-table", access_token="access-x")
    body = json.dumps(
        {
            "webhook_type": "ITEM",
            "webhook_code": "ERROR",
            "item_id": item.item_id,
            "error": {"error_code": code, "display_message": None},
        }
    )
    event = WebhookEvent.objects.create(
        webhook_type="ITEM",
        webhook_code="ERROR",
        plaid_item_id=item.item_id,
        item=item,
        body=body,
        body_sha256=hashlib.sha256(body.encode()).hexdigest(),
        token_sha256=uuid.uuid4().hex,
    )

    assert drain.webhook_event_process(event_id=event.pk) == "processed"

    item.refresh_from_db()
    assert item.status == decide(code, Entry.WEBHOOK).status
    assert item.error_code == code
