"""The emulator fires real signed webhooks over HTTP at a live server, end to end to the DB."""

import json
import time
import urllib.error
import urllib.request

import pytest

from banking import webhooks
from banking.models import WebhookEvent
from tests.emulator_client import emulator_call, fire_webhook

from .conftest import wait_for
from .signing import FORGERIES, KeyPair, alg_none_token, body_for, hs256_with_public_key, sign

pytestmark = pytest.mark.django_db(transaction=True)


def post(url, body, headers):
    request = urllib.request.Request(url, data=body, method="POST", headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def processed(item, code, count=1):
    def check():
        events = list(
            WebhookEvent.objects.filter(item=item, webhook_code=code, processed_at__isnull=False)
        )
        return events if len(events) >= count else None

    return wait_for(check, what=f"{count} processed {code} webhook(s)")


def sync_body(item):
    return body_for(
        {
            "webhook_type": "TRANSACTIONS",
            "webhook_code": "SYNC_UPDATES_AVAILABLE",
            "item_id": item.item_id,
            "initial_update_complete": True,
            "historical_update_complete": True,
            "environment": "sandbox",
        }
    )


def current_key(emulator):
    ring = emulator.emu.keyring
    return ring.current, ring.keys[ring.current]["private"]


def forged_request(kind, emulator, item):
    body = sync_body(item)
    kid, private = current_key(emulator)
    now = int(time.time())
    if kind == "no header":
        return body, {}
    if kind == "malformed jwt":
        return body, {"Plaid-Verification": "eyJhbGciOi.broken"}
    if kind == "alg none":
        return body, {"Plaid-Verification": alg_none_token(body, kid)}
    if kind == "hs256 with the public key":
        return body, {"Plaid-Verification": hs256_with_public_key(body, kid, private.public_key())}
    if kind == "unknown kid":
        return body, {"Plaid-Verification": KeyPair().sign(body)}
    if kind == "expired key":
        emulator.emu.keyring.rotate()  # the old key is still published, with expired_at set
        return body, {"Plaid-Verification": sign(body, private, kid)}
    if kind == "wrong signature":
        return body, {"Plaid-Verification": sign(body, KeyPair().private, kid)}
    if kind == "body changed by one byte":
        return body.replace(b'"sandbox"', b'"sandbex"'), {
            "Plaid-Verification": sign(body, private, kid)
        }
    if kind == "same json other whitespace":
        token = sign(body, private, kid)
        return json.dumps(json.loads(body)).encode(), {"Plaid-Verification": token}
    if kind == "iat six minutes old":
        return body, {"Plaid-Verification": sign(body, private, kid, iat=now - 360)}
    if kind == "iat in the future":
        return body, {"Plaid-Verification": sign(body, private, kid, iat=now + 300)}
    raise AssertionError(kind)


@pytest.mark.parametrize("kind", FORGERIES)
def test_it_rejects_a_forgery_over_http_and_stores_nothing(
    kind, emulator, linked_item, live_server
):
    # linked_item has no webhook URL, so the emulator sends nothing of its own meanwhile.
    body, headers = forged_request(kind, emulator, linked_item)
    status = post(
        live_server.url + "/webhook", body, {"Content-Type": "application/json", **headers}
    )
    assert status in (400, 401)
    assert WebhookEvent.objects.count() == 0
    assert webhooks.webhook_rejection_count() == 1


def test_it_accepts_a_real_delivery_with_a_lowercase_header(emulator, linked_item, live_server):
    body = sync_body(linked_item)
    kid, private = current_key(emulator)
    headers = {"content-type": "application/json", "plaid-verification": sign(body, private, kid)}
    assert post(live_server.url + "/webhook", body, headers) == 200
    assert WebhookEvent.objects.get().item == linked_item


def test_it_stores_and_processes_a_replayed_delivery_once(
    emulator, linked_item, live_server, webhook_receiver
):
    # Capture a genuine emulator delivery (raw bytes and headers), then deliver it twice.
    emulator.emu.store.items[linked_item.item_id].webhook = webhook_receiver.url
    fire_webhook(emulator, linked_item.item_id, "NEW_ACCOUNTS_AVAILABLE")
    delivery = webhook_receiver.wait_for()[0]
    headers = {
        "Content-Type": "application/json",
        "Plaid-Verification": delivery["headers"]["Plaid-Verification"],
    }
    assert post(live_server.url + "/webhook", delivery["body"], headers) == 200
    assert post(live_server.url + "/webhook", delivery["body"], headers) == 200
    event = processed(linked_item, "NEW_ACCOUNTS_AVAILABLE")[0]
    assert WebhookEvent.objects.count() == 1
    assert event.attempts == 1


def test_it_processes_the_same_body_signed_again_as_a_new_delivery(
    emulator, hooked_item, live_server
):
    fire_webhook(emulator, hooked_item.item_id, "NEW_ACCOUNTS_AVAILABLE")
    processed(hooked_item, "NEW_ACCOUNTS_AVAILABLE")
    time.sleep(1.1)  # a later second: a new iat, so a new signed token
    fire_webhook(emulator, hooked_item.item_id, "NEW_ACCOUNTS_AVAILABLE")
    first, second = processed(hooked_item, "NEW_ACCOUNTS_AVAILABLE", count=2)
    assert first.body == second.body
    assert first.token_sha256 != second.token_sha256


def test_it_records_and_flags_a_webhook_for_an_item_we_do_not_have(
    emulator, hooked_item, live_server
):
    hooked_item.delete()  # gone here, still alive (and billed) at Plaid
    fire_webhook(emulator, hooked_item.item_id, "NEW_ACCOUNTS_AVAILABLE")
    event = wait_for(
        lambda: WebhookEvent.objects.filter(processed_at__isnull=False).first(),
        what="the unknown item's event",
    )
    assert event.flagged is True
    assert event.outcome == WebhookEvent.Outcome.UNKNOWN_ITEM
    log = emulator_call(emulator, "GET", "/emulator/webhooks")
    ours = [e["status"] for e in log["webhooks"] if e["url"].startswith(live_server.url)]
    assert ours == [200]  # answered 200 at once: Plaid does not retry
