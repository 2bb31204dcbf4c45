"""Recording a verified delivery survives a database connection that died between requests."""

import json
import time

import pytest
from django.db import connection
from django.test import Client

from banking.models import PlaidItem, WebhookEvent

from .signing import body_for


def post(plaid_key, item_id, iat):
    body = body_for(
        {
            "webhook_type": "TRANSACTIONS",
            "webhook_code": "SYNC_UPDATES_AVAILABLE",
            "item_id": item_id,
            "environment": "sandbox",
        }
    )
    return Client().post(
        "/webhook",
        data=body,
        content_type="application/json",
        HTTP_PLAID_VERIFICATION=plaid_key.sign(body, iat=iat),
    )


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_a_delivery_on_a_connection_that_died_reconnects_and_is_stored(
    alice, plaid_key, monkeypatch
):
    # The drain is not under test here.
    monkeypatch.setattr("banking.webhooks.drain.enqueue_on_commit", lambda *a, **k: True)
    PlaidItem.objects.create(user=alice, item_id="item-record-1", access_token="access-x")
    now = int(time.time())
    assert post(plaid_key, "item-record-1", now - 1).status_code == 200
    # The server side is gone (a database restart): the persistent connection is dead.
    connection.connection.close()
    # Signed a second later: a new delivery, not a replay of the first.
    assert post(plaid_key, "item-record-1", now).status_code == 200
    assert WebhookEvent.objects.count() == 2
    assert {
        json.loads(body)["item_id"] for body in WebhookEvent.objects.values_list("body", flat=True)
    } == {"item-record-1"}
