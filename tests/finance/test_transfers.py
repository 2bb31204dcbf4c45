import datetime as dt
from decimal import Decimal

import pytest

from banking.models import SyncOutbox
from banking.outbox import outbox_deliver
from finance import selectors
from finance.insights import cash_flow
from finance.models import TransferLink
from finance.transfers import transfers_match
from tests.factories import AccountFactory, SyncRunFactory, TransactionFactory

pytestmark = pytest.mark.django_db
TODAY = dt.date.today()


@pytest.fixture
def accounts(alice):
    checking = AccountFactory(item__user=alice)
    card = AccountFactory(item=checking.item, type="credit", subtype="credit card")
    return checking, card


def pay(
    account, amount, primary="LOAN_PAYMENTS", detailed="LOAN_PAYMENTS_CREDIT_CARD_PAYMENT", **kw
):
    return TransactionFactory(
        account=account,
        amount=Decimal(amount),
        date=kw.pop("date", TODAY),
        pfc_primary=primary,
        pfc_detailed=detailed,
        **kw,
    )


def received(card, amount="-300.00", **kw):
    return pay(card, amount, "TRANSFER_IN", "TRANSFER_IN_ACCOUNT_TRANSFER", **kw)


def spending(user):
    rows, _ = selectors.spending_summary(user=user, today=TODAY)
    return rows[0]["this_month"] if rows else Decimal("0")


def test_it_links_a_card_payment_with_its_arrival_and_leaves_both_out(alice, accounts):
    checking, card = accounts
    out = pay(checking, "300.00")
    into = received(card, date=TODAY - dt.timedelta(days=2))
    pay(checking, "12.00", "FOOD_AND_DRINK", "FOOD_AND_DRINK_COFFEE")
    assert spending(alice) == Decimal("312.00")
    assert transfers_match(user=alice, transaction_ids=[out.pk, into.pk]) == 1
    link = TransferLink.objects.get()
    assert (link.outflow, link.inflow, link.status) == (out, into, "matched")
    assert spending(alice) == Decimal("12.00")
    assert cash_flow(user=alice, today=TODAY, months=1)["USD"][0]["income"] == 0


def test_matching_twice_links_once(alice, accounts):
    checking, card = accounts
    ids = [pay(checking, "300.00").pk, received(card).pk]
    transfers_match(user=alice, transaction_ids=ids)
    assert transfers_match(user=alice, transaction_ids=ids) == 0
    assert TransferLink.objects.count() == 1


def test_it_pairs_only_the_transactions_it_is_given_among_their_neighbours(alice, accounts):
    checking, card = accounts
    out = pay(checking, "300.00")
    # Between them, a pair the call is not about: it stays for its own announcement.
    pay(checking, "80.00")
    received(card, "-80.00")
    into = received(card)
    assert transfers_match(user=alice, transaction_ids=[out.pk, into.pk]) == 1
    link = TransferLink.objects.get()
    assert (link.outflow, link.inflow) == (out, into)


def test_it_pairs_transactions_whose_ids_lie_far_apart(alice, bob, accounts):
    checking, card = accounts
    out = pay(checking, "300.00")
    for _ in range(4):
        TransactionFactory(account=AccountFactory(item__user=bob), pfc_primary="TRANSFER_IN")
    into = received(card)
    assert transfers_match(user=alice, transaction_ids=[out.pk, into.pk]) == 1
    assert TransferLink.objects.get().inflow == into


@pytest.mark.parametrize(
    "other",
    [
        {"amount": "-299.99"},
        {"date": TODAY - dt.timedelta(days=9)},
        {"amount": "300.00"},
    ],
)
def test_it_does_not_link_what_does_not_mirror(alice, accounts, other):
    checking, card = accounts
    out = pay(checking, "300.00")
    into = received(card, **other)
    assert transfers_match(user=alice, transaction_ids=[out.pk, into.pk]) == 0


def test_it_needs_a_plaid_hint_on_one_side(alice, accounts):
    checking, card = accounts
    out = pay(checking, "40.00", "GENERAL_MERCHANDISE", "")
    into = pay(card, "-40.00", "GENERAL_MERCHANDISE", "")
    assert transfers_match(user=alice, transaction_ids=[out.pk, into.pk]) == 0


def test_it_never_links_two_users_transactions(alice, bob, accounts):
    checking, _ = accounts
    out = pay(checking, "300.00")
    bobs = received(AccountFactory(item__user=bob))
    assert transfers_match(user=alice, transaction_ids=[out.pk, bobs.pk]) == 0


def test_the_user_confirms_or_undoes_and_an_undone_pair_stays_undone(alice, alice_client, accounts):
    checking, card = accounts
    ids = [pay(checking, "300.00").pk, received(card).pk]
    transfers_match(user=alice, transaction_ids=ids)
    link = TransferLink.objects.get()
    assert alice_client.post(f"/transfers/{link.public_id}/confirm/").status_code == 302
    assert TransferLink.objects.get().status == "confirmed"
    assert b"Confirmed" in alice_client.get("/transfers/").content
    alice_client.post(f"/transfers/{link.public_id}/undo/")
    assert spending(alice) == Decimal("300.00")
    assert transfers_match(user=alice, transaction_ids=ids) == 0


def test_the_user_links_two_transactions_by_hand(alice, alice_client, accounts):
    checking, card = accounts
    out = pay(checking, "50.00", "GENERAL_MERCHANDISE", "")
    into = pay(card, "-50.00", "GENERAL_MERCHANDISE", "")
    page = alice_client.get(f"/transactions/{out.public_id}/")
    assert str(into.public_id).encode() in page.content
    r = alice_client.post(
        f"/transactions/{out.public_id}/transfer/", {"other": str(into.public_id)}
    )
    assert r.status_code == 302
    assert TransferLink.objects.get().status == "confirmed"
    assert spending(alice) == Decimal("0")


def test_the_outbox_hook_matches_new_transactions(alice, accounts):
    checking, card = accounts
    ids = [pay(checking, "300.00").pk, received(card).pk]
    row = SyncOutbox.objects.create(
        item=checking.item, run=SyncRunFactory(item=checking.item), added=ids
    )
    assert outbox_deliver(outbox_id=row.pk) == "delivered"
    assert TransferLink.objects.count() == 1


@pytest.mark.parametrize("suffix", ["confirm/", "undo/"])
def test_bob_gets_404_for_alices_transfer(alice, bob_client, accounts, suffix):
    checking, card = accounts
    transfers_match(user=alice, transaction_ids=[pay(checking, "300.00").pk, received(card).pk])
    link = TransferLink.objects.get()
    assert bob_client.post(f"/transfers/{link.public_id}/{suffix}").status_code == 404
    assert TransferLink.objects.get().status == "matched"


def test_bob_cannot_link_alices_transactions(alice, bob, bob_client, accounts):
    checking, card = accounts
    out, into = pay(checking, "300.00"), received(card)
    r = bob_client.post(f"/transactions/{out.public_id}/transfer/", {"other": str(into.public_id)})
    assert r.status_code == 404
    mine = pay(AccountFactory(item__user=bob), "300.00")
    r = bob_client.post(f"/transactions/{mine.public_id}/transfer/", {"other": str(into.public_id)})
    assert r.status_code == 302
    assert not TransferLink.objects.exists()
