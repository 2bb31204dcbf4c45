import datetime as dt
from decimal import Decimal

import pytest

from banking.models import PlaidItem
from tests.factories import AccountFactory, PlaidItemFactory, TransactionFactory


def add_transactions(account, n, *, start=None, **kwargs):
    """n transactions on `account`, one a day going back from `start` (default today)."""
    start = start or dt.date.today()
    return [
        TransactionFactory(account=account, date=start - dt.timedelta(days=i), **kwargs)
        for i in range(n)
    ]


@pytest.fixture
def money(alice):
    """alice's two banks: checking + credit card at a healthy bank, savings at one that needs
    her to sign in again."""
    good = PlaidItemFactory(user=alice)
    bad = PlaidItemFactory(
        user=alice,
        status=PlaidItem.Status.LOGIN_REQUIRED,
        institution__institution_id="ins_109509",
        institution__name="First Gingham Credit Union",
    )
    checking = AccountFactory(item=good, name="Everyday Checking", mask="1111")
    card = AccountFactory(
        item=good,
        name="Rewards Card",
        mask="2222",
        type="credit",
        subtype="credit card",
        current_balance=Decimal("410.25"),
    )
    savings = AccountFactory(
        item=bad,
        name="Rainy Day Savings",
        mask="3333",
        subtype="savings",
        current_balance=Decimal("5000.00"),
    )
    today = dt.date.today()
    txns = {
        "coffee": TransactionFactory(
            account=checking,
            date=today,
            amount=Decimal("4.75"),
            name="STARBUCKS 123",
            merchant_name="Starbucks",
        ),
        "salary": TransactionFactory(
            account=checking,
            date=today,
            amount=Decimal("-2500.00"),
            name="ACME PAYROLL",
            merchant_name="",
            pfc_primary="INCOME",
            pfc_detailed="INCOME_WAGES",
        ),
        "groceries": TransactionFactory(
            account=card,
            date=today - dt.timedelta(days=1),
            amount=Decimal("86.40"),
            name="WHOLEFDS MKT",
            merchant_name="Whole Foods",
            pending=True,
        ),
        "flight": TransactionFactory(
            account=card,
            date=today - dt.timedelta(days=40),
            amount=Decimal("389.99"),
            name="UNITED AIRLINES",
            merchant_name="United",
            pfc_primary="TRAVEL",
            pfc_detailed="TRAVEL_FLIGHTS",
        ),
        "to_savings": TransactionFactory(
            account=checking,
            date=today - dt.timedelta(days=2),
            amount=Decimal("200.00"),
            name="TRANSFER TO SAVINGS",
            merchant_name="",
            pfc_primary="TRANSFER_OUT",
            pfc_detailed="TRANSFER_OUT_SAVINGS",
        ),
    }
    return {
        "good": good,
        "bad": bad,
        "checking": checking,
        "card": card,
        "savings": savings,
        **txns,
    }


MERCHANTS = [
    ("Starbucks", "STARBUCKS STORE 08812", "FOOD_AND_DRINK", "FOOD_AND_DRINK_COFFEE", 4, 9),
    ("Whole Foods", "WHOLEFDS MKT 10234", "FOOD_AND_DRINK", "FOOD_AND_DRINK_GROCERIES", 30, 140),
    ("Amazon", "AMAZON MKTPL*2K4", "GENERAL_MERCHANDISE", "GENERAL_MERCHANDISE_ONLINE", 12, 90),
    ("Uber", "UBER *TRIP", "TRANSPORTATION", "TRANSPORTATION_TAXIS_AND_RIDE_SHARES", 9, 35),
    ("Netflix", "NETFLIX.COM", "ENTERTAINMENT", "ENTERTAINMENT_TV_AND_MOVIES", 15, 16),
    (
        "PG&E",
        "PGANDE WEB ONLINE",
        "RENT_AND_UTILITIES",
        "RENT_AND_UTILITIES_GAS_AND_ELECTRICITY",
        60,
        120,
    ),
    ("Delta", "DELTA AIR 0062", "TRAVEL", "TRAVEL_FLIGHTS", 180, 420),
]


@pytest.fixture
def rich_money(money):
    """Six months of varied, deterministic spending on top of `money` (for pages that chart)."""
    import random

    rnd = random.Random(7)
    today = dt.date.today()
    for day in range(0, 180, 2):
        merchant, name, primary, detailed, lo, hi = rnd.choice(MERCHANTS)
        TransactionFactory(
            account=rnd.choice([money["checking"], money["card"]]),
            date=today - dt.timedelta(days=day + 1),
            amount=Decimal(rnd.randint(lo * 100, hi * 100)) / 100,
            name=name,
            merchant_name=merchant,
            pfc_primary=primary,
            pfc_detailed=detailed,
        )
    for month in range(1, 6):
        TransactionFactory(
            account=money["checking"],
            date=(today.replace(day=1) - dt.timedelta(days=30 * month)),
            amount=Decimal("-2500.00"),
            name="ACME PAYROLL",
            merchant_name="",
            pfc_primary="INCOME",
            pfc_detailed="INCOME_WAGES",
        )
    return money
