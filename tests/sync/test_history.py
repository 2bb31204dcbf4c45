"""A bank's page tells its history in plain sentences; Plaid's codes stay in the admin."""

import pytest

from banking.models import SyncRun
from tests.factories import PlaidItemFactory, WebhookEventFactory

pytestmark = pytest.mark.django_db


def test_it_tells_the_updates_in_words(alice_client, alice):
    item = PlaidItemFactory(user=alice)
    SyncRun.objects.create(item=item, trigger="initial", outcome="success", added=1618)
    SyncRun.objects.create(item=item, trigger="daily", outcome="success")
    SyncRun.objects.create(item=item, trigger="manual", outcome="success", added=1, modified=2)
    SyncRun.objects.create(item=item, trigger="webhook", outcome="failed", error_code="X_Y")

    page = alice_client.get(f"/banks/{item.public_id}/").content.decode()

    assert "Synced 1,618 new transactions." in page
    assert "Checked for new transactions: nothing new." in page
    assert "Synced 1 new transaction, 2 changed." in page
    assert "The update didn&#x27;t finish; we&#x27;ll try again." in page
    assert "first import" in page and "you asked" in page
    assert "X_Y" not in page


def test_it_tells_plaids_news_in_words_without_codes(alice_client, alice):
    item = PlaidItemFactory(user=alice)
    WebhookEventFactory(item=item, webhook_code="HISTORICAL_UPDATE", outcome="ignored")
    WebhookEventFactory(item=item, webhook_type="ITEM", webhook_code="MADE_UP", outcome="processed")

    page = alice_client.get(f"/banks/{item.public_id}/").content.decode()

    assert "Plaid said your older transactions were ready." in page
    assert "Plaid sent news about this bank." in page
    for jargon in ("HISTORICAL_UPDATE", "MADE_UP", "TRANSACTIONS ·", "Ignored"):
        assert jargon not in page
