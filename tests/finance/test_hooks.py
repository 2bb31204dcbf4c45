"""finance's reaction to banking's sync announcements, delivered through banking.outbox."""

from decimal import Decimal

import pytest
from django.core.cache import cache

from banking.models import SyncOutbox
from banking.outbox import outbox_deliver
from finance.hooks import spending_cache_retire
from finance.selectors import synced_version_key
from tests.factories import SyncRunFactory, TransactionFactory

pytestmark = pytest.mark.django_db


def this_month(client) -> Decimal:
    return client.get("/").context["spending"][0]["this_month"]


def announce(item, **ids) -> SyncOutbox:
    return SyncOutbox.objects.create(item=item, run=SyncRunFactory(item=item), **ids)


def test_an_announced_sync_retires_the_cached_month_totals(alice_client, money):
    before = this_month(alice_client)
    new = TransactionFactory(account=money["checking"], amount=Decimal("100.00"))
    assert this_month(alice_client) == before  # cached: nothing said the data changed

    row = announce(money["good"], added=[new.pk])
    assert outbox_deliver(outbox_id=row.pk) == "delivered"

    assert this_month(alice_client) == before + Decimal("100.00")


def test_running_the_hook_twice_changes_nothing_more(alice, money):
    row = announce(money["good"], modified=[money["coffee"].pk])

    spending_cache_retire(row)
    version = cache.get(synced_version_key(alice.pk))
    spending_cache_retire(row)

    assert version == row.pk
    assert cache.get(synced_version_key(alice.pk)) == version


def test_a_sync_that_changed_no_transactions_keeps_the_cache(alice, money):
    spending_cache_retire(announce(money["good"]))

    assert cache.get(synced_version_key(alice.pk)) is None
