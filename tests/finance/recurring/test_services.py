"""Streams stored per user from either source, refreshed after each sync and on the webhook."""

from datetime import date
from decimal import Decimal

import pytest

from banking.webhooks.handle import HANDLERS
from finance.models import RecurringStream
from finance.recurring.services import recurring_refresh, stream_rename, stream_set_state

pytestmark = pytest.mark.django_db


def _truth(emu, item):
    return emu("GET", f"/emulator/items/{item.item_id}/recurring-truth")["streams"]


def _snapshot(user):
    return sorted(
        (
            s.key,
            s.frequency,
            s.predicted_next_date,
            s.last_amount,
            tuple(sorted(s.transactions.values_list("pk", flat=True))),
        )
        for s in RecurringStream.objects.filter(user=user)
    )


def test_it_finds_the_streams_of_a_linked_bank_after_the_first_sync(synced, alice, emu):
    item = synced()
    streams = RecurringStream.objects.filter(user=alice)
    truth = _truth(emu, item)
    assert streams.count() >= len(truth) - 1
    rent = streams.get(description="RENT PAYMENT - SUNSET APARTMENTS")
    assert rent.frequency == "MONTHLY" and rent.source == "detector" and rent.is_active
    assert rent.transactions.count() >= 20 and rent.monthly_cost == rent.last_amount
    salary = streams.get(description__startswith="ACME CORP PAYROLL")
    assert salary.is_inflow and salary.frequency == "BIWEEKLY"


def test_a_second_refresh_changes_nothing(synced, alice):
    synced()
    before = _snapshot(alice)
    recurring_refresh(user=alice)
    assert _snapshot(alice) == before


def test_it_keeps_the_users_name_and_choice_across_refreshes(synced, alice):
    synced()
    rent = RecurringStream.objects.get(user=alice, description="RENT PAYMENT - SUNSET APARTMENTS")
    stream_rename(stream=rent, name="  Flat  ")
    stream_set_state(stream=rent, state="not_recurring")
    recurring_refresh(user=alice)
    rent.refresh_from_db()
    assert (rent.label, rent.state) == ("Flat", "not_recurring")


def test_it_shows_a_price_increase_once_the_new_charge_is_synced(synced, alice, emu):
    item = synced()
    sub = next(
        s
        for s in _truth(emu, item)
        if s["merchant_name"]
        in ("Hulu", "Disney+", "Apple", "The New York Times", "Audible", "Adobe")
    )
    emu(
        "POST",
        f"/emulator/items/{item.item_id}/streams/{sub['stream_id']}",
        {"amount": round(sub["amount"] + 3, 2)},
    )
    truth = emu("GET", f"/emulator/items/{item.item_id}/recurring-truth")
    days = (
        date.fromisoformat(sub["predicted_next_date"]) - date.fromisoformat(truth["today"])
    ).days
    emu("POST", f"/emulator/items/{item.item_id}/advance", {"days": days + 1})
    synced("webhook")
    stream = RecurringStream.objects.get(user=alice, merchant_name=sub["merchant_name"])
    assert stream.last_amount == Decimal(str(round(sub["amount"] + 3, 2)))
    assert stream.price_change == Decimal("3.00")


def test_it_reads_plaids_streams_through_our_client_when_the_setting_says_so(
    synced, alice, emu, settings
):
    item = synced()
    settings.RECURRING_SOURCE = "plaid"
    recurring_refresh(user=alice, item=item)
    plaid = RecurringStream.objects.filter(user=alice, source="plaid")
    truth = {s["stream_id"]: s for s in _truth(emu, item)}
    assert {s.key.removeprefix("p:") for s in plaid} <= set(truth)
    rent = plaid.get(description="RENT PAYMENT - SUNSET APARTMENTS")
    assert rent.status == "MATURE" and rent.average_amount == Decimal(
        str(truth[rent.key[2:]]["amount"])
    )
    assert rent.transactions.count() == len(truth[rent.key[2:]]["transaction_ids"])
    # The detector's rows for the same accounts are gone: one source per deployment.
    assert not RecurringStream.objects.filter(user=alice, source="detector").exists()


def test_the_recurring_webhook_refreshes_streams_through_bankings_hook_registry(
    synced, alice, settings
):
    item = synced()
    settings.RECURRING_SOURCE = "plaid"
    handler = HANDLERS[("TRANSACTIONS", "RECURRING_TRANSACTIONS_UPDATE")]
    assert handler(item, {"account_ids": []}) == "processed"
    assert RecurringStream.objects.filter(user=alice, source="plaid").exists()


def test_a_plaid_error_leaves_the_streams_as_they_were(synced, alice, emu, settings):
    item = synced()
    before = _snapshot(alice)
    settings.RECURRING_SOURCE = "plaid"
    emu(
        "POST",
        "/emulator/faults",
        {"path": "/transactions/recurring/get", "error_code": "INTERNAL_SERVER_ERROR"},
    )
    assert recurring_refresh(user=alice, item=item) == 0
    assert _snapshot(alice) == before


def test_bobs_refresh_never_touches_alices_streams(synced, alice, bob):
    synced()
    before = _snapshot(alice)
    recurring_refresh(user=bob)
    assert _snapshot(alice) == before and not RecurringStream.objects.filter(user=bob).exists()
