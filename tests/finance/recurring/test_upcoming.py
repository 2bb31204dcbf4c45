"""The dashboard's upcoming bills: recurring outflows and cards' and loans' payments due, a bill
that is both listed once."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from banking.models import Liability
from finance.models import RecurringStream
from finance.recurring.selectors import upcoming_list
from tests.factories import AccountFactory, PlaidItemFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def bank(alice):
    """alice's bank: a checking account and a credit card with a payment due in 10 days."""
    item = PlaidItemFactory(user=alice)
    checking = AccountFactory(item=item, name="Checking", type="depository")
    card = AccountFactory(item=item, name="Plaid Credit Card", mask="3333", type="credit")
    Liability.objects.create(
        account=card,
        kind="credit",
        last_statement_balance=Decimal("540.10"),
        minimum_payment=Decimal("35.00"),
        next_payment_amount=Decimal("35.00"),
        next_payment_due_date=timezone.localdate() + timedelta(days=10),
    )
    return checking, card


def _stream(user, account, key, name, amount, days, pfc=""):
    today = timezone.localdate()
    return RecurringStream.objects.create(
        user=user,
        account=account,
        key=key,
        source="detector",
        description=name,
        merchant_name="",
        pfc_primary=pfc,
        frequency="MONTHLY",
        status="MATURE",
        first_date=today - timedelta(days=300),
        last_date=today - timedelta(days=20),
        predicted_next_date=today + timedelta(days=days),
        average_amount=Decimal(amount),
        last_amount=Decimal(amount),
        iso_currency_code="USD",
    )


def test_a_card_payment_that_is_both_a_recurring_outflow_and_a_payment_due_appears_once(
    alice, alice_client, bank, today
):
    checking, _ = bank
    _stream(alice, checking, "autopay", "CREDIT CARD AUTOPAY", "512.77", 12, "LOAN_PAYMENTS")
    _stream(alice, checking, "hulu", "HULU", "17.99", 5)
    bills = upcoming_list(user=alice, today=today)
    assert [(b.name, b.date, b.amount) for b in bills] == [
        ("HULU", today + timedelta(days=5), Decimal("17.99")),
        ("Credit card: Plaid Credit Card ··3333", today + timedelta(days=10), Decimal("35.00")),
    ]
    page = alice_client.get("/").content.decode()
    assert "Plaid Credit Card ··3333" in page and "CREDIT CARD AUTOPAY" not in page


def test_a_payment_of_about_the_amount_due_is_the_same_bill(alice, bank, today):
    checking, _ = bank
    _stream(alice, checking, "pay", "ONLINE PAYMENT PLAID CARD", "35.50", 9)
    assert [b.name for b in upcoming_list(user=alice, today=today)] == [
        "Credit card: Plaid Credit Card ··3333"
    ]


@pytest.mark.parametrize(
    ("amount", "days", "pfc"),
    [
        ("80.00", 10, ""),  # another bill on the same day
        ("35.00", 20, ""),  # the same amount, ten days later
        ("512.77", 25, "LOAN_PAYMENTS"),  # next month's card payment
    ],
)
def test_a_different_bill_near_a_payment_due_is_listed_too(alice, bank, today, amount, days, pfc):
    checking, _ = bank
    _stream(alice, checking, "other", "OTHER BILL", amount, days, pfc)
    assert len(upcoming_list(user=alice, today=today)) == 2


def test_a_card_payment_from_another_bank_is_not_merged_with_this_cards_due(alice, bank, today):
    elsewhere = AccountFactory(item=PlaidItemFactory(user=alice), name="Other checking")
    _stream(alice, elsewhere, "autopay", "OTHER CARD AUTOPAY", "200.00", 10, "LOAN_PAYMENTS")
    assert len(upcoming_list(user=alice, today=today)) == 2


def test_bobs_dues_and_streams_never_reach_alices_list(alice, bob, bank, today):
    bob_checking, bob_card = (
        AccountFactory(item=PlaidItemFactory(user=bob)),
        AccountFactory(item=PlaidItemFactory(user=bob), type="credit"),
    )
    Liability.objects.create(
        account=bob_card,
        kind="credit",
        minimum_payment=Decimal("10.00"),
        next_payment_due_date=today + timedelta(days=3),
    )
    _stream(bob, bob_checking, "b", "BOB BILL", "10.00", 3)
    assert [b.name for b in upcoming_list(user=alice, today=today)] == [
        "Credit card: Plaid Credit Card ··3333"
    ]
