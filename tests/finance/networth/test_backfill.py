"""Balance history after linking: today's snapshot from the sync, the past reconstructed from
the transactions, checked day by day against the emulator's own truth."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from banking import link, sync
from banking import plaid as plaid_api
from banking.models import Account, SyncOutbox, Transaction
from banking.outbox import outbox_deliver
from finance.models import BalanceSnapshot
from finance.networth.backfill import item_backfill
from finance.networth.snapshots import snapshots_record
from tests.emulator_client import emulator_call

pytestmark = pytest.mark.django_db


def deliver_all():
    for pk in SyncOutbox.objects.filter(delivered_at__isnull=True).values_list("pk", flat=True):
        assert outbox_deliver(outbox_id=pk) == "delivered"


def truth(emulator, account):
    answer = emulator_call(
        emulator,
        "GET",
        f"/emulator/items/{account.item.item_id}/accounts/{account.account_id}/balances-history",
    )
    return {dt.date.fromisoformat(r["date"]): Decimal(r["current"]) for r in answer["balances"]}


def history(account):
    return dict(BalanceSnapshot.objects.filter(account=account).values_list("date", "current"))


def link_and_sync(user, institution_id="ins_109508"):
    item = link.item_link(
        user=user,
        public_token=plaid_api.sandbox_public_token_create(institution_id),
        metadata=None,
    )
    sync.item_sync(item=item, trigger="initial")
    deliver_all()
    return item


@pytest.mark.parametrize("institution_id", ["ins_109508", "ins_109510"])
def test_the_backfilled_history_equals_the_banks_true_balances_on_every_day(
    alice, plaid_settings, emulator, institution_id
):
    # The credit union adds investment and loan accounts (owed balances, no transactions).
    item = link_and_sync(alice, institution_id)

    accounts = list(Account.objects.filter(item=item).exclude(type="investment"))
    assert {a.type for a in accounts} >= {"depository", "credit"}
    # A brokerage account's past is its holdings at past prices: never estimated.
    assert not BalanceSnapshot.objects.filter(
        account__item=item, account__type="investment", estimated=True
    ).exists()
    for account in accounts:
        true = truth(emulator, account)
        ours = history(account)
        assert len(ours) >= 700, account.name
        assert set(ours) <= set(true)
        wrong = {day: (ours[day], true[day]) for day in ours if ours[day] != true[day]}
        assert wrong == {}, account.name


def test_every_past_day_is_estimated_and_today_is_seen(alice, plaid_settings, emulator):
    item = link_and_sync(alice)

    today = timezone.localdate()
    rows = BalanceSnapshot.objects.filter(account__item=item)
    assert set(rows.filter(estimated=False).values_list("date", flat=True)) == {today}
    assert not rows.filter(estimated=True, date__gte=today).exists()
    assert rows.filter(estimated=True, available__isnull=False).count() == 0


def test_delivering_the_sync_again_changes_nothing(alice, plaid_settings, emulator):
    item = link_and_sync(alice)
    before = sorted(
        BalanceSnapshot.objects.filter(account__item=item).values_list(
            "account_id", "date", "current", "estimated"
        )
    )
    outbox = SyncOutbox.objects.get(item=item)
    SyncOutbox.objects.filter(pk=outbox.pk).update(delivered_at=None)

    deliver_all()

    after = sorted(
        BalanceSnapshot.objects.filter(account__item=item).values_list(
            "account_id", "date", "current", "estimated"
        )
    )
    assert after == before


def test_a_later_sync_with_only_new_activity_keeps_the_history(alice, plaid_settings, emulator):
    item = link_and_sync(alice)
    estimated = BalanceSnapshot.objects.filter(account__item=item, estimated=True).count()
    emulator_call(emulator, "POST", f"/emulator/items/{item.item_id}/advance", {"days": 1})

    sync.item_sync(item=item, trigger="webhook")
    deliver_all()

    assert BalanceSnapshot.objects.filter(account__item=item, estimated=True).count() == estimated
    assert item_backfill(item=item, transaction_ids=[]) == {}


def test_a_credit_card_purchase_raises_what_was_owed(alice, plaid_settings, emulator):
    item = link_and_sync(alice)
    card = Account.objects.get(item=item, type="credit")
    purchase = card.transactions.filter(pending=False, amount__gt=0).order_by("-date").first()
    rows = history(card)
    day = purchase.date
    spent_that_day = sum(t.amount for t in card.transactions.filter(pending=False, date=day))

    assert rows[day] - rows[day - dt.timedelta(days=1)] == spent_that_day


def test_removing_the_bank_removes_its_history(alice, plaid_settings, emulator):
    item = link_and_sync(alice)
    assert BalanceSnapshot.objects.filter(account__item=item).exists()

    item.delete()

    assert not BalanceSnapshot.objects.exists()


def test_a_hidden_account_keeps_its_history(alice, plaid_settings, emulator):
    item = link_and_sync(alice)
    account = Account.objects.filter(item=item).first()
    count = BalanceSnapshot.objects.filter(account=account).count()

    # Seen "tomorrow": a row would be new, if a hidden or closed account still got one.
    Account.objects.filter(pk=account.pk).update(
        hidden=True, revoked=True, balances_updated_at=timezone.now() + dt.timedelta(days=1)
    )
    sync.item_sync(item=item, trigger="webhook")
    deliver_all()
    snapshots_record(item=item)

    assert BalanceSnapshot.objects.filter(account=account).count() == count


def test_pending_purchases_at_the_first_sync_are_left_out_as_plaid_leaves_them_out(
    alice, plaid_settings, emulator
):
    item = link.item_link(
        user=alice,
        public_token=plaid_api.sandbox_public_token_create(
            "ins_109508", username="user_transactions_dynamic", password="any"
        ),
        metadata=None,
    )
    # Three pending purchases arrive before the first sync (and an older amount changes).
    plaid_api.transactions_refresh(item)
    sync.item_sync(item=item, trigger="initial")
    deliver_all()

    pending = {t.account_id for t in Transaction.objects.filter(account__item=item, pending=True)}
    assert pending
    for account in Account.objects.filter(pk__in=pending):
        true, ours = truth(emulator, account), history(account)
        assert len(ours) > 30
        assert {day: ours[day] for day in ours} == {day: true[day] for day in ours}, account.name
