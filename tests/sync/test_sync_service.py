"""The sync service against the emulator over HTTP (real plaid-python client)."""

from decimal import Decimal

import pytest
from django.db import DatabaseError, connection

from banking import sync
from banking.models import Account, SyncPage, SyncRun, Transaction

from .conftest import emulator_truth, our_rows


def snapshot(item):
    item.refresh_from_db()
    return {
        "rows": {
            t_id: rest
            for t_id, *rest in Transaction.objects.filter(account__item=item).values_list(
                "transaction_id", "amount", "pending", "category_override", "notes"
            )
        },
        "accounts": list(
            Account.objects.filter(item=item)
            .order_by("account_id")
            .values_list("account_id", "current_balance", "available_balance")
        ),
        "cursor": item.transactions_cursor,
    }


def test_it_syncs_a_two_year_item_exactly(linked_item, emulator):
    run = sync.item_sync(item=linked_item, trigger="initial")

    truth = emulator_truth(emulator, linked_item.item_id)
    assert run.outcome == SyncRun.Outcome.SUCCESS
    assert len(truth) > 500  # two years of history: several pages
    assert our_rows(linked_item) == truth
    assert run.added == len(truth)
    assert run.pages >= 2
    linked_item.refresh_from_db()
    assert linked_item.transactions_cursor
    assert linked_item.last_successful_sync_at is not None
    assert not SyncPage.objects.exists()
    assert Account.objects.filter(item=linked_item, current_balance__isnull=False).exists()


def test_it_applies_an_incremental_update_after_time_passes(linked_item, emulator, emu):
    sync.item_sync(item=linked_item, trigger="initial")
    stats = emu("POST", f"/emulator/items/{linked_item.item_id}/advance", {"days": 10})

    run = sync.item_sync(item=linked_item, trigger="webhook")

    assert stats["posted"] > 0
    assert run.added > 0 and run.removed > 0
    assert run.added < 200  # only the news, not the history again
    assert our_rows(linked_item) == emulator_truth(emulator, linked_item.item_id)


def test_it_carries_category_and_notes_from_pending_to_posted(linked_item, emulator, emu):
    sync.item_sync(item=linked_item, trigger="initial")
    pending = Transaction.objects.filter(account__item=linked_item, pending=True).first()
    assert pending is not None
    Transaction.objects.filter(pk=pending.pk).update(
        category_override="TRAVEL", notes="Team dinner, expensed"
    )

    emu("POST", f"/emulator/items/{linked_item.item_id}/advance", {"days": 1})
    sync.item_sync(item=linked_item, trigger="webhook")

    assert not Transaction.objects.filter(transaction_id=pending.transaction_id).exists()
    posted = Transaction.objects.get(pending_transaction_id=pending.transaction_id)
    assert posted.pending is False
    assert posted.category_override == "TRAVEL"
    assert posted.notes == "Team dinner, expensed"
    assert our_rows(linked_item) == emulator_truth(emulator, linked_item.item_id)


def test_it_deletes_removed_transactions(linked_item, emulator, emu):
    sync.item_sync(item=linked_item, trigger="initial")
    before = set(our_rows(linked_item))
    emu("POST", f"/emulator/items/{linked_item.item_id}/advance", {"days": 3})

    run = sync.item_sync(item=linked_item, trigger="webhook")

    gone = before - set(emulator_truth(emulator, linked_item.item_id))
    assert gone and run.removed >= len(gone)
    assert not Transaction.objects.filter(transaction_id__in=gone).exists()


def test_it_restarts_from_the_original_cursor_when_data_changes_mid_pagination(
    linked_item, emulator, emu
):
    sync.item_sync(item=linked_item, trigger="initial")
    emu("POST", f"/emulator/items/{linked_item.item_id}/transactions", {"count": 1200})
    # Plaid's answer when the data changes between our pages: on the second page, once.
    emu(
        "POST",
        "/emulator/faults",
        {
            "path": "/transactions/sync",
            "error_code": "TRANSACTIONS_SYNC_MUTATION_DURING_PAGINATION",
            "after": 1,
            "times": 1,
        },
    )

    run = sync.item_sync(item=linked_item, trigger="webhook")

    assert run.outcome == "success"
    assert run.restarts == 1
    assert run.pages == 3  # the pass after the restart fetched every page again
    truth = emulator_truth(emulator, linked_item.item_id)
    assert our_rows(linked_item) == truth
    assert Transaction.objects.filter(account__item=linked_item).count() == len(truth)


# SQLite triggers that fail the apply transaction from inside the database.
CRASH_TRIGGERS = {
    # Part of the way through the upserts of the staged pages.
    "during_apply": (
        "CREATE TRIGGER crash BEFORE INSERT ON banking_transaction "
        "WHEN (SELECT COUNT(*) FROM banking_transaction) >= {halfway} "
        "BEGIN SELECT RAISE(ABORT, 'crash during apply'); END"
    ),
    # The last statement before the commit: the run marked successful.
    "before_commit": (
        "CREATE TRIGGER crash BEFORE UPDATE OF outcome ON banking_syncrun "
        "WHEN NEW.outcome = 'success' "
        "BEGIN SELECT RAISE(ABORT, 'crash before commit'); END"
    ),
}


@pytest.mark.parametrize(
    "where",
    [
        "between_pages",
        pytest.param("during_apply", marks=pytest.mark.sqlite),
        pytest.param("before_commit", marks=pytest.mark.sqlite),
    ],
)
def test_a_crash_changes_nothing_and_the_next_run_catches_up(linked_item, emulator, emu, where):
    sync.item_sync(item=linked_item, trigger="initial")
    emu("POST", f"/emulator/items/{linked_item.item_id}/transactions", {"count": 1200})
    emu("POST", f"/emulator/items/{linked_item.item_id}/advance", {"days": 2})
    before = snapshot(linked_item)

    if where == "between_pages":
        emu(
            "POST",
            "/emulator/faults",
            {"path": "/transactions/sync", "error_code": "INTERNAL_SERVER_ERROR", "after": 2},
        )
    else:
        halfway = len(before["rows"]) + 600
        with connection.cursor() as cursor:
            cursor.execute(CRASH_TRIGGERS[where].format(halfway=halfway))

    with pytest.raises((sync.SyncFailed, DatabaseError)):
        sync.item_sync(item=linked_item, trigger="webhook")

    assert snapshot(linked_item) == before
    assert not SyncPage.objects.exists()
    assert SyncRun.objects.filter(item=linked_item).first().outcome == "failed"

    emu("DELETE", "/emulator/faults")
    if where != "between_pages":  # the crash triggers exist on SQLite only
        with connection.cursor() as cursor:
            cursor.execute("DROP TRIGGER IF EXISTS crash")
    run = sync.item_sync(item=linked_item, trigger="webhook")
    assert run.outcome == "success"
    truth = emulator_truth(emulator, linked_item.item_id)
    ours = our_rows(linked_item)
    assert sorted(ours) == sorted(truth)
    for transaction_id, amount in truth.items():
        assert ours[transaction_id] == amount.quantize(Decimal("0.01")), transaction_id


def test_it_applies_nothing_while_plaid_is_not_ready(alice, plaid_settings, emu):
    from banking import link
    from banking import plaid as plaid_api

    emu("POST", "/emulator/config", {"ready_after_seconds": 3600})
    public_token = plaid_api.sandbox_public_token_create("ins_109508")
    item = link.item_link(user=alice, public_token=public_token, metadata=None)

    run = sync.item_sync(item=item, trigger="initial")

    assert run.outcome == SyncRun.Outcome.NOT_READY
    assert not Transaction.objects.exists()
    item.refresh_from_db()
    assert item.transactions_cursor == ""
    assert item.transactions_update_status == "NOT_READY"
