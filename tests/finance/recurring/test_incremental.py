"""After a sync the detector re-reads only the groups the sync's rows touch, and the streams
are exactly what a full run over every transaction gives."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from banking.models import Transaction
from finance.models import RecurringStream
from finance.recurring.services import recurring_refresh
from tests.factories import AccountFactory, PlaidItemFactory, TransactionFactory

pytestmark = pytest.mark.django_db


def _state(user):
    return sorted(
        (
            s.key,
            s.frequency,
            s.status,
            s.is_active,
            s.first_date,
            s.last_date,
            s.predicted_next_date,
            s.average_amount,
            s.last_amount,
            s.previous_amount,
            s.description,
            tuple(sorted(s.transactions.values_list("pk", flat=True))),
        )
        for s in RecurringStream.objects.filter(user=user)
    )


def _full(user, today=None):
    """What a full run gives, from nothing."""
    RecurringStream.objects.filter(user=user).delete()
    recurring_refresh(user=user, today=today)
    return _state(user)


def test_the_streams_after_a_synced_month_equal_a_full_run(synced, alice, emu):
    item = synced()
    sub = next(
        s
        for s in emu("GET", f"/emulator/items/{item.item_id}/recurring-truth")["streams"]
        if s["merchant_name"] in ("Hulu", "Disney+", "Apple", "Audible", "Adobe")
    )
    emu(
        "POST",
        f"/emulator/items/{item.item_id}/streams/{sub['stream_id']}",
        {"amount": round(sub["amount"] + 2, 2)},
    )
    emu("POST", f"/emulator/items/{item.item_id}/advance", {"days": 35})
    synced("webhook")  # the post-sync hook refreshes the touched groups only
    assert _state(alice) == _full(alice)


def _charge(account, day, amount, name="HULU 877-8244858", merchant="Hulu"):
    return TransactionFactory(
        account=account, date=day, amount=Decimal(amount), name=name, merchant_name=merchant
    )


def test_a_new_charge_a_renamed_one_and_a_passed_date_give_what_a_full_run_gives(alice):
    today = timezone.localdate()
    account = AccountFactory(item=PlaidItemFactory(user=alice))
    month = [today - timedelta(days=30 * n) for n in range(8, 0, -1)]
    spotify = []
    for day in month:
        _charge(account, day, "17.99")
        spotify.append(_charge(account, day + timedelta(days=3), "9.99", "SPOTIFY P0A1B2", ""))
        _charge(account, day + timedelta(days=12), "55.00", "GYM MEMBERSHIP 42", "")
    recurring_refresh(user=alice, today=today)
    before = {s.key: s.updated_at for s in RecurringStream.objects.filter(user=alice)}
    assert len(before) == 3

    new = _charge(account, today, "19.99")
    # The bank renames one of Spotify's charges: it leaves that stream's group.
    moved = spotify[4]
    Transaction.objects.filter(pk=moved.pk).update(name="CONCERT TICKETS")
    later = today + timedelta(days=20)  # the gym's next date has passed by then
    recurring_refresh(user=alice, today=later, changed=([new.pk], [moved.pk], []))

    incremental = _state(alice)
    hulu = RecurringStream.objects.get(user=alice, merchant_name="Hulu")
    assert (hulu.last_amount, hulu.previous_amount) == (Decimal("19.99"), Decimal("17.99"))
    spotify_stream = RecurringStream.objects.get(user=alice, description="SPOTIFY P0A1B2")
    assert not spotify_stream.transactions.filter(pk=moved.pk).exists()
    assert incremental == _full(alice, later)


def test_a_sync_that_removed_rows_reads_everything(alice):
    today = timezone.localdate()
    account = AccountFactory(item=PlaidItemFactory(user=alice))
    charges = [_charge(account, today - timedelta(days=30 * n), "17.99") for n in range(6, 0, -1)]
    recurring_refresh(user=alice, today=today)
    last = charges[-1]
    last.delete()
    recurring_refresh(user=alice, today=today, changed=([], [], ["plaid-id-of-the-last"]))
    assert _state(alice) == _full(alice, today)
    assert RecurringStream.objects.get(user=alice).last_date == today - timedelta(days=60)


def test_a_sync_at_a_merchant_bought_from_every_day_gives_what_a_full_run_gives(alice):
    today = timezone.localdate()
    account = AccountFactory(item=PlaidItemFactory(user=alice))
    for n in range(60, 0, -1):
        day = today - timedelta(days=n)
        _charge(account, day, "4.50", f"STARBUCKS STORE {n:05d}", "Starbucks")
        if n % 7 == 0:
            _charge(account, day, "5.99", "STARBUCKS REWARDS WEEKLY", "")
        if n % 30 == 0:
            # No merchant name, and a reference that changes: one group, two descriptors.
            _charge(account, day, "12.00", f"SQ *CORNER BAKERY {n}", "")
    recurring_refresh(user=alice, today=today)
    assert {s.description for s in RecurringStream.objects.filter(user=alice)} == {
        "STARBUCKS REWARDS WEEKLY",
        "SQ *CORNER BAKERY 60",
    }
    # The sync brings a coffee, this week's charge and the bakery's third month.
    new = [
        _charge(account, today, "4.50", "STARBUCKS STORE 00000", "Starbucks"),
        _charge(account, today, "5.99", "STARBUCKS REWARDS WEEKLY", ""),
        _charge(account, today, "12.00", "SQ *CORNER BAKERY 0", ""),
    ]
    recurring_refresh(user=alice, today=today, changed=([t.pk for t in new], [], []))
    incremental = _state(alice)
    assert [s[0] for s in incremental] == [
        f"d:{account.pk}:out:sq corner bakery",
        f"d:{account.pk}:out:starbucks rewards weekly",
    ]
    assert incremental == _full(alice, today)


def test_a_stream_whose_merchant_turns_daily_ends_as_in_a_full_run(alice):
    today = timezone.localdate()
    account = AccountFactory(item=PlaidItemFactory(user=alice))
    for n in range(8, 0, -1):
        _charge(account, today - timedelta(days=7 * n), "9.99", "GYM CLASS", "")
    recurring_refresh(user=alice, today=today)
    assert RecurringStream.objects.filter(user=alice, frequency="WEEKLY").exists()
    daily = [
        _charge(account, today - timedelta(days=n), "9.99", "GYM CLASS", "") for n in range(50)
    ]
    recurring_refresh(user=alice, today=today, changed=([t.pk for t in daily], [], []))
    assert _state(alice) == [] == _full(alice, today)
