"""factory_boy factories for volume data. The fixed cast (alice, bob) lives in conftest.py.

Transaction -> account -> item -> user; pass user= to Transaction and the chain follows it.
"""

import datetime as dt
import uuid
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from banking.models import (
    Account,
    Institution,
    PlaidApiCall,
    PlaidItem,
    SyncRun,
    Transaction,
    WebhookEvent,
)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("email",)

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    password = factory.PostGenerationMethodCall("set_password", "a-good-password-1")


class InstitutionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Institution
        django_get_or_create = ("institution_id",)

    institution_id = "ins_109508"
    name = "First Platypus Bank"


class PlaidItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PlaidItem

    user = factory.SubFactory(UserFactory)
    item_id = factory.Sequence(lambda n: f"item-test-{n:06d}")
    access_token = factory.Sequence(lambda n: f"access-sandbox-test-{n:06d}")
    institution = factory.SubFactory(InstitutionFactory)
    status = PlaidItem.Status.HEALTHY
    last_successful_sync_at = factory.LazyFunction(
        lambda: dt.datetime.now(dt.UTC) - dt.timedelta(hours=3)
    )


class AccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Account

    item = factory.SubFactory(PlaidItemFactory)
    account_id = factory.Sequence(lambda n: f"acc-test-{n:06d}")
    name = "Plaid Checking"
    mask = "0000"
    type = "depository"
    subtype = "checking"
    current_balance = Decimal("1250.00")
    available_balance = Decimal("1200.00")
    iso_currency_code = "USD"


class TransactionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Transaction

    # Pass account=account_for(alice); the owner always follows the account.
    account = factory.SubFactory(AccountFactory)
    user = factory.LazyAttribute(lambda o: o.account.item.user)
    transaction_id = factory.Sequence(lambda n: f"txn-test-{n:08d}")
    amount = Decimal("12.50")
    iso_currency_code = "USD"
    date = factory.LazyFunction(dt.date.today)
    name = factory.Sequence(lambda n: f"COFFEE SHOP {n}")
    merchant_name = "Coffee Shop"
    pfc_primary = "FOOD_AND_DRINK"
    pfc_detailed = "FOOD_AND_DRINK_COFFEE"


class SyncRunFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SyncRun

    item = factory.SubFactory(PlaidItemFactory)
    trigger = SyncRun.Trigger.MANUAL
    outcome = SyncRun.Outcome.SUCCESS
    finished_at = factory.LazyFunction(timezone.now)
    added = 3
    pages = 1


class WebhookEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WebhookEvent

    webhook_type = "TRANSACTIONS"
    webhook_code = "SYNC_UPDATES_AVAILABLE"
    item = factory.SubFactory(PlaidItemFactory)
    plaid_item_id = factory.LazyAttribute(lambda o: o.item.item_id if o.item else "")
    environment = "sandbox"
    body = factory.LazyAttribute(
        lambda o: (
            '{"webhook_type": "TRANSACTIONS", "webhook_code": "SYNC_UPDATES_AVAILABLE", '
            f'"item_id": "{o.plaid_item_id}", "public_token": "public-sandbox-secretish"}}'
        )
    )
    body_sha256 = "0" * 64
    token_sha256 = factory.LazyFunction(lambda: uuid.uuid4().hex * 2)
    outcome = WebhookEvent.Outcome.PROCESSED


class PlaidApiCallFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PlaidApiCall

    endpoint = "/transactions/sync"
    request_id = factory.LazyFunction(lambda: uuid.uuid4().hex[:16])
    status_code = 200
    duration_ms = 120


def account_for(user, **kwargs) -> Account:
    """An account in a fresh item owned by `user`."""
    return AccountFactory(item=PlaidItemFactory(user=user), **kwargs)


def grocery(account, amount, **kw):
    """A grocery purchase dated today: what the budget and alert tests spend."""
    kw.setdefault("pfc_primary", "FOOD_AND_DRINK")
    kw.setdefault("pfc_detailed", "FOOD_AND_DRINK_GROCERIES")
    kw.setdefault("date", dt.date.today())
    return TransactionFactory(account=account, amount=Decimal(amount), **kw)
