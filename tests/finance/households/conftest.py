"""The household cast: alice owns a household and the money; bob is her member; carol is in
no household; dave was a member and left. Only alice owns anything with an id."""

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from finance.households.services import account_share_set, household_create, household_leave
from finance.models import (
    Budget,
    BudgetMonth,
    Category,
    DataExport,
    ManualAsset,
    Membership,
    RecurringStream,
    Rule,
    Tag,
    TransferLink,
)
from tests.factories import AccountFactory, PlaidItemFactory, TransactionFactory


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def carol(django_user_model):
    return django_user_model.objects.create_user(email="carol@example.com", password="carol-pw-1")


@pytest.fixture
def dave(django_user_model):
    return django_user_model.objects.create_user(email="dave@example.com", password="dave-pw-12")


@pytest.fixture
def home(alice, bob, dave):
    """alice's household with bob in it; dave joined and left."""
    household = household_create(user=alice, name="Maple Street")
    Membership.objects.create(household=household, user=bob)
    Membership.objects.create(household=household, user=dave)
    household_leave(user=dave)
    return household


@pytest.fixture
def banks(alice, bob, home):
    """alice's checking (shared for viewing), card (private) and savings (private unless a
    test shares it), each with transactions, plus her own rule, category, tag, budget,
    transfer, recurring stream and manual asset: one object behind every kind of id."""
    today = dt.date.today()
    item = PlaidItemFactory(user=alice)
    checking = AccountFactory(item=item, name="Joint Checking", mask="1111")
    card = AccountFactory(
        item=item, name="Secret Card", mask="2222", type="credit", subtype="credit card"
    )
    savings = AccountFactory(item=item, name="Holiday Savings", mask="3333", subtype="savings")
    account_share_set(user=alice, account=checking, level="view")
    groceries = TransactionFactory(
        account=checking, date=today, amount=Decimal("42.10"), name="GROCER", merchant_name="Grocer"
    )
    gift = TransactionFactory(
        account=card, date=today, amount=Decimal("99.00"), name="SECRET GIFT", merchant_name=""
    )
    out = TransactionFactory(account=checking, date=today, amount=Decimal("200.00"), name="TO SAV")
    into = TransactionFactory(
        account=savings, date=today, amount=Decimal("-200.00"), name="FROM CHK"
    )
    category = Category.objects.create(user=alice, code="custom_pets", name="Pets")
    budget = Budget.objects.create(user=alice, category=category, start_month=today.replace(day=1))
    BudgetMonth.objects.create(budget=budget, month=today.replace(day=1), amount=Decimal("50"))
    rule = Rule.objects.create(
        user=alice, name="Grocer", text_value="grocer", set_category="custom_pets"
    )
    tag = Tag.objects.create(user=alice, name="holiday")
    transfer = TransferLink.objects.create(user=alice, outflow=out, inflow=into)
    asset = ManualAsset.objects.create(
        user=alice, name="Car", kind="asset", currency="USD", value=Decimal("9000")
    )
    stream = RecurringStream.objects.create(
        user=alice,
        account=checking,
        key="grocer",
        source="detected",
        description="GROCER",
        frequency=RecurringStream.Frequency.MONTHLY,
        status=RecurringStream.Status.MATURE,
        first_date=today - dt.timedelta(days=90),
        last_date=today,
        average_amount=Decimal("42.10"),
        last_amount=Decimal("42.10"),
    )
    export = DataExport.objects.create(
        user=alice, state="ready", expires_at=timezone.now() + dt.timedelta(hours=24)
    )
    objects = [item, checking, card, savings, groceries, gift, out, category, budget, rule, tag]
    objects += [transfer, asset, stream, export, home, alice, bob]
    return {
        # Every id alice's URLs could take (bob's is for removing him from her household).
        "ids": [str(o.public_id) for o in objects],
        "item": item,
        "checking": checking,
        "card": card,
        "savings": savings,
        "groceries": groceries,
        "gift": gift,
        "export": export,
    }
