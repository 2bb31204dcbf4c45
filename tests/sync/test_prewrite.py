"""Rules applied while the sync writes (finance.rule_prewrite through banking.sync.prewrite):
new rows arrive categorised, and the outbox hook is the idempotent safety net behind it."""

from decimal import Decimal

import pytest

from banking import sync
from banking.models import SyncOutbox, Transaction
from banking.outbox import outbox_deliver
from banking.sync.prewrite import prewrite_hook_register
from finance.models import Rule, TransactionMeta, TransactionTag
from finance.rule_prewrite import PREPARER, rules_after_sync
from finance.rules import rules_apply
from finance.transaction_edits import transaction_annotate

pytestmark = pytest.mark.django_db

NOTING = "tests.noting_preparer"


@pytest.fixture
def noting_preparer():
    """A preparer that notes every row it sees and records the pks it is told about."""
    told: dict[str, int] = {}

    class Noting:
        stamp = "v1"

        def prepare(self, rows):
            return {r["transaction_id"]: ("", "noted") for r in rows}

        def inserted(self, pks):
            told.update(pks)

        def finish(self):
            pass

    prewrite_hook_register(NOTING, lambda user_id: Noting())
    yield told
    # The registry has no removal: the name stays, preparing nothing, for the rest of the run.
    prewrite_hook_register(NOTING, lambda user_id: None)


@pytest.fixture
def spending_rule(alice):
    return Rule.objects.create(
        user=alice,
        name="all spending",
        sign=Rule.Sign.OUT,
        set_category="TRAVEL",
        set_display_name="Spent",
        add_tags="ruled",
    )


def state(item):
    """Everything rules write, for every row of the item."""
    rows = Transaction.objects.filter(account__item=item)
    metas = TransactionMeta.objects.filter(transaction__account__item=item)
    tags = TransactionTag.objects.filter(transaction__account__item=item)
    return (
        sorted(rows.values_list("pk", "category_override", "notes")),
        sorted(metas.values_list("transaction_id", "display_name", "excluded", "rule_fields")),
        sorted(tags.values_list("transaction_id", "tag__name")),
    )


def spending(item):
    return Transaction.objects.filter(account__item=item, amount__gt=0)


def test_new_rows_arrive_categorised_by_the_sync_itself(linked_item, spending_rule):
    sync.item_sync(item=linked_item, trigger="initial")

    # No outbox delivery yet: the sync wrote these values as it inserted the rows.
    prepared = spending(linked_item).filter(pending_transaction_id="")
    assert prepared.exists()
    assert set(prepared.values_list("category_override", flat=True)) == {"TRAVEL"}
    meta = TransactionMeta.objects.get(transaction=prepared.first())
    assert (meta.display_name, meta.rule_fields) == ("Spent", ["category", "display_name"])
    assert (
        TransactionTag.objects.filter(transaction__in=prepared, tag__name="ruled").count()
        == prepared.count()
    )
    assert (
        not Transaction.objects.filter(account__item=linked_item, amount__lte=0)
        .exclude(category_override="")
        .exists()
    )
    done = SyncOutbox.objects.get().prepared[PREPARER]
    assert done["stamp"]
    successors = Transaction.objects.exclude(pending_transaction_id="")
    assert set(done["unprepared"]) == set(successors.values_list("pk", flat=True))


def test_the_hook_finds_nothing_left_to_do_on_prepared_rows(linked_item, spending_rule):
    sync.item_sync(item=linked_item, trigger="initial")
    outbox_deliver(outbox_id=SyncOutbox.objects.get().pk)
    after_hook = state(linked_item)

    # A full pass over every row, as the hook did before rows were prepared, agrees.
    everything = Transaction.objects.filter(account__item=linked_item)
    rules_apply(user=linked_item.user, transaction_ids=everything.values_list("pk", flat=True))

    assert state(linked_item) == after_hook
    assert set(spending(linked_item).values_list("category_override", flat=True)) == {"TRAVEL"}


def test_rules_of_every_kind_prepare_what_a_full_pass_would(linked_item):
    user = linked_item.user
    for position, fields in enumerate(
        [
            {"text_value": "a", "add_tags": "ruled, Seen", "set_display_name": "A"},
            {"sign": Rule.Sign.OUT, "amount_min": Decimal("5"), "set_category": "TRAVEL"},
            {"sign": Rule.Sign.IN, "set_notes": "in", "add_tags": "RULED"},
            {"plaid_category": "FOOD_AND_DRINK", "exclude": True, "stop_here": True},
            {"text_field": "name", "text_op": "regex", "text_value": r"^\w", "mark_transfer": True},
            {"text_field": "merchant", "text_value": "e", "stop_here": True},
            {"set_notes": "after", "set_category": "ENTERTAINMENT"},
        ]
    ):
        Rule.objects.create(user=user, name=f"rule {position}", position=position, **fields)
    sync.item_sync(item=linked_item, trigger="initial")
    outbox_deliver(outbox_id=SyncOutbox.objects.get().pk)
    prepared = state(linked_item)

    everything = Transaction.objects.filter(account__item=linked_item)
    rules_apply(user=user, transaction_ids=everything.values_list("pk", flat=True))

    assert state(linked_item) == prepared
    rows, metas, tags = prepared
    assert len({(category, notes) for _, category, notes in rows}) >= 3
    assert {name for _, name in tags} == {"ruled", "Seen"}


def test_delivering_the_announcement_twice_changes_nothing_more(linked_item, spending_rule):
    sync.item_sync(item=linked_item, trigger="initial")
    row = SyncOutbox.objects.get()
    outbox_deliver(outbox_id=row.pk)
    once = state(linked_item)

    rules_after_sync(row)

    assert state(linked_item) == once


def test_a_rule_edited_between_the_write_and_the_hook_is_still_applied(linked_item, spending_rule):
    sync.item_sync(item=linked_item, trigger="initial")
    spending_rule.set_category = "ENTERTAINMENT"
    spending_rule.save()

    outbox_deliver(outbox_id=SyncOutbox.objects.get().pk)

    assert set(spending(linked_item).values_list("category_override", flat=True)) == {
        "ENTERTAINMENT"
    }


def test_a_rule_added_between_the_write_and_the_hook_is_applied(linked_item, spending_rule):
    sync.item_sync(item=linked_item, trigger="initial")
    Rule.objects.create(user=linked_item.user, name="notes", position=5, set_notes="seen")

    outbox_deliver(outbox_id=SyncOutbox.objects.get().pk)

    assert set(Transaction.objects.values_list("notes", flat=True)) == {"seen"}


def test_fields_the_user_set_by_hand_are_left_alone(linked_item, spending_rule, emu):
    sync.item_sync(item=linked_item, trigger="initial")
    outbox_deliver(outbox_id=SyncOutbox.objects.get().pk)
    pending = spending(linked_item).filter(pending=True).first()
    settled = spending(linked_item).filter(pending=False).first()
    assert pending is not None and settled is not None
    transaction_annotate(transaction=pending, category_override="GENERAL_SERVICES", notes="")
    transaction_annotate(transaction=settled, category_override="GENERAL_SERVICES", notes="")

    emu("POST", f"/emulator/items/{linked_item.item_id}/advance", {"days": 1})
    run = sync.item_sync(item=linked_item, trigger="webhook")
    outbox_deliver(outbox_id=SyncOutbox.objects.get(run=run).pk)

    posted = Transaction.objects.get(pending_transaction_id=pending.transaction_id)
    assert posted.category_override == "GENERAL_SERVICES"
    settled.refresh_from_db()
    assert settled.category_override == "GENERAL_SERVICES"


def test_a_sync_for_a_user_without_rules_records_no_preparation(linked_item):
    sync.item_sync(item=linked_item, trigger="initial")

    assert SyncOutbox.objects.get().prepared == {}
    assert not Transaction.objects.exclude(category_override="").exists()


def test_a_preparers_values_go_into_the_rows_the_sync_inserts(linked_item, noting_preparer):
    sync.item_sync(item=linked_item, trigger="initial")

    rows = Transaction.objects.filter(account__item=linked_item)
    fresh = rows.filter(pending_transaction_id="")
    assert noting_preparer == dict(fresh.values_list("transaction_id", "pk"))
    assert set(fresh.values_list("notes", flat=True)) == {"noted"}
    successors = rows.exclude(pending_transaction_id="")
    assert not successors.filter(notes="noted").exists()
    assert SyncOutbox.objects.get().prepared[NOTING] == {
        "stamp": "v1",
        "unprepared": sorted(successors.values_list("pk", flat=True)),
    }


def test_a_preparer_never_rewrites_a_row_that_already_exists(linked_item, noting_preparer, emu):
    sync.item_sync(item=linked_item, trigger="initial")
    kept = Transaction.objects.filter(account__item=linked_item, pending=False).first()
    transaction_annotate(transaction=kept, category_override="", notes="mine")
    noting_preparer.clear()
    emu("POST", f"/emulator/items/{linked_item.item_id}/advance", {"days": 3})

    run = sync.item_sync(item=linked_item, trigger="webhook")

    kept.refresh_from_db()
    assert kept.notes == "mine"
    announced = SyncOutbox.objects.get(run=run)
    assert not set(noting_preparer.values()) & set(announced.modified)
    assert set(noting_preparer.values()) <= set(announced.added)
