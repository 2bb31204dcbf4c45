"""Factories for the admin tests (tests/factories.py, the shared set, may replace these)."""

import datetime as dt
import uuid
from decimal import Decimal

import factory
from django.utils import timezone

from accounts.models import User
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
        model = User
        django_get_or_create = ("email",)

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    password = factory.django.Password("a-long-password-123")


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
    institution = factory.SubFactory(InstitutionFactory)
    item_id = factory.LazyFunction(lambda: f"item-{uuid.uuid4().hex[:20]}")
    access_token = factory.LazyFunction(lambda: f"access-sandbox-{uuid.uuid4()}")
    transactions_cursor = "cursor-abc"
    last_successful_sync_at = factory.LazyFunction(timezone.now)


class AccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Account

    item = factory.SubFactory(PlaidItemFactory)
    account_id = factory.LazyFunction(lambda: f"acc-{uuid.uuid4().hex[:20]}")
    name = "Plaid Checking"
    mask = "0000"
    type = "depository"
    subtype = "checking"
    current_balance = Decimal("110.00")
    available_balance = Decimal("100.00")
    iso_currency_code = "USD"


class TransactionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Transaction

    account = factory.SubFactory(AccountFactory)
    user = factory.LazyAttribute(lambda o: o.account.item.user)
    transaction_id = factory.LazyFunction(lambda: f"txn-{uuid.uuid4().hex[:20]}")
    amount = Decimal("12.34")
    iso_currency_code = "USD"
    date = factory.Sequence(lambda n: dt.date(2025, 1, 1) + dt.timedelta(days=n % 300))
    name = factory.Sequence(lambda n: f"Coffee shop {n}")
    merchant_name = "Starbucks"
    pfc_primary = "FOOD_AND_DRINK"


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
