"""Pending -> posted through the real sync: finance's own data moves to the posted row."""

import pytest
from django.db.models import Q

from banking import sync
from banking.models import SyncOutbox, Transaction
from banking.outbox import outbox_deliver
from finance.meta import meta_user_fields_add
from finance.models import PendingCarry, SplitPart, TransactionMeta, TransferLink
from finance.splits import Part, splits_set
from finance.tags import tag_names, transaction_tags_set
from finance.transfers import transfer_link
from tests.emulator_client import emulator_call

pytestmark = pytest.mark.django_db


def deliver_all():
    for pk in SyncOutbox.objects.filter(delivered_at__isnull=True).values_list("pk", flat=True):
        outbox_deliver(outbox_id=pk)


def test_tags_splits_links_and_user_fields_follow_the_posted_row(alice, linked_item, emulator):
    sync.item_sync(item=linked_item, trigger="initial")
    deliver_all()
    pending = Transaction.objects.filter(account__item=linked_item, pending=True).first()
    assert pending is not None
    opposite = {"amount__lt": 0} if pending.amount > 0 else {"amount__gt": 0}
    other = (
        Transaction.objects.filter(account__item=linked_item, pending=False, **opposite)
        .exclude(account=pending.account)
        .filter(Q(meta__isnull=True) | Q(meta__linked=False))
        .first()
    )
    transaction_tags_set(user=alice, transaction=pending, names=["trip"])
    half = (pending.amount / 2).quantize(pending.amount)
    splits_set(
        user=alice,
        transaction=pending,
        parts=[Part(half, "TRAVEL"), Part(pending.amount - half)],
    )
    meta_user_fields_add(transaction=pending, fields={"category"})
    if other is not None:
        transfer_link(user=alice, first=pending, second=other)

    emulator_call(emulator, "POST", f"/emulator/items/{linked_item.item_id}/advance", {"days": 1})
    sync.item_sync(item=linked_item, trigger="webhook")
    deliver_all()

    assert not Transaction.objects.filter(pk=pending.pk).exists()
    posted = Transaction.objects.get(pending_transaction_id=pending.transaction_id)
    assert tag_names(posted) == ["trip"]
    meta = TransactionMeta.objects.get(pk=posted.pk)
    assert "category" in meta.user_fields
    assert [p.category for p in SplitPart.objects.filter(parent=posted)] == ["TRAVEL", ""]
    assert meta.split is True
    assert meta.split_review is (posted.amount != pending.amount)
    if other is not None:
        assert TransferLink.objects.filter(status="confirmed").count() == 1
    assert not PendingCarry.objects.exists()

    SyncOutbox.objects.update(delivered_at=None)
    deliver_all()  # delivered again: nothing more changes
    assert tag_names(posted) == ["trip"]
    assert SplitPart.objects.filter(parent=posted).count() == 2
