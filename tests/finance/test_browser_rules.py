"""Rules, splits, transfers and category merges in real Chromium, on data the emulator sends
through the real sync and outbox."""

import datetime as dt
import re
from collections import Counter
from decimal import Decimal

import pytest
from django.test import Client

from banking import sync
from banking.models import SyncOutbox, Transaction
from banking.outbox import outbox_deliver
from finance import selectors
from finance.insights import cash_flow
from finance.models import Category, SplitPart, TransferLink
from tests.browser import launch_chromium
from tests.emulator_client import emulator_call
from tests.factories import AccountFactory, SyncRunFactory, TransactionFactory
from tests.finance.test_browser import DESKTOP, _context

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="module")
def browser():
    with launch_chromium() as browser:
        yield browser


@pytest.fixture
def page(browser, live_server, alice):
    context = _context(browser, live_server, alice, DESKTOP)
    yield context.new_page()
    context.close()


@pytest.fixture
def emu(emulator):
    return lambda method, path, body=None: emulator_call(emulator, method, path, body)


def deliver_all():
    for pk in SyncOutbox.objects.filter(delivered_at__isnull=True).values_list("pk", flat=True):
        outbox_deliver(outbox_id=pk)


def test_a_rule_made_from_a_transaction_categorises_old_and_new_rows_but_not_edited_ones(
    page, live_server, alice, linked_item, emu
):
    sync.item_sync(item=linked_item, trigger="initial")
    deliver_all()
    mine = Transaction.objects.filter(user=alice).exclude(merchant_name="")
    merchant, _ = Counter(mine.values_list("merchant_name", flat=True)).most_common(1)[0]
    rows = list(mine.filter(merchant_name=merchant).order_by("-date"))
    source, edited = rows[0], rows[1]
    client = Client()
    client.force_login(alice)
    client.post(f"/transactions/{edited.public_id}/", {"category_override": "MEDICAL"})

    page.goto(f"{live_server.url}/transactions/{source.public_id}/")
    page.get_by_role("link", name="Create a rule from this").click()
    page.wait_for_url(re.compile(r"/rules/new/"))
    assert page.get_by_label("Text").input_value() == merchant
    page.get_by_label("Set category to").select_option("TRAVEL")
    page.get_by_role("button", name="Preview").click()
    count = page.locator(".js-preview-count").inner_text()
    assert count == f"This rule matches {len(rows)} existing transactions."
    page.get_by_role("button", name="Save rule").click()
    page.get_by_role("button", name="Apply to existing transactions").click()
    page.wait_for_url(re.compile(r"/rules/[0-9a-f-]+/$"))
    categories = dict(mine.filter(merchant_name=merchant).values_list("pk", "category_override"))
    assert categories.pop(edited.pk) == "MEDICAL"
    assert set(categories.values()) == {"TRAVEL"}

    before = set(mine.values_list("pk", flat=True))
    for _ in range(6):
        emu("POST", f"/emulator/items/{linked_item.item_id}/advance", {"days": 15})
        sync.item_sync(item=linked_item, trigger="webhook")
        deliver_all()
        new = mine.filter(merchant_name=merchant).exclude(pk__in=before)
        if new.exists():
            break
    assert new.exists()
    assert set(new.values_list("category_override", flat=True)) == {"TRAVEL"}
    assert Transaction.objects.get(pk=edited.pk).category_override == "MEDICAL"


def test_a_transaction_is_split_in_the_browser(page, live_server, alice):
    txn = TransactionFactory(
        account=AccountFactory(item__user=alice), amount=Decimal("150.00"), name="COSTCO"
    )
    page.goto(f"{live_server.url}/transactions/{txn.public_id}/")
    page.get_by_role("link", name="Split").click()
    parts = page.locator(".js-split-part")
    parts.nth(0).get_by_label("Amount").fill("100.00")
    parts.nth(0).get_by_label("Category").select_option("FOOD_AND_DRINK")
    parts.nth(1).get_by_label("Amount").fill("50.00")
    page.get_by_role("button", name="Save split").click()
    page.wait_for_url(re.compile(rf"/transactions/{txn.public_id}/$"))
    assert [p.amount for p in SplitPart.objects.order_by("position")] == [
        Decimal("100.00"),
        Decimal("50.00"),
    ]


def test_a_card_payment_is_matched_as_a_transfer_and_leaves_the_dashboard(page, live_server, alice):
    checking = AccountFactory(item__user=alice)
    card = AccountFactory(item=checking.item, type="credit", subtype="credit card")
    today = dt.date.today()
    TransactionFactory(account=checking, amount=Decimal("20.00"), date=today)
    payment = TransactionFactory(
        account=checking,
        amount=Decimal("300.00"),
        date=today,
        pfc_primary="LOAN_PAYMENTS",
        pfc_detailed="LOAN_PAYMENTS_CREDIT_CARD_PAYMENT",
    )
    arrival = TransactionFactory(
        account=card,
        amount=Decimal("-300.00"),
        date=today,
        pfc_primary="TRANSFER_IN",
        pfc_detailed="TRANSFER_IN_ACCOUNT_TRANSFER",
    )
    SyncOutbox.objects.create(
        item=checking.item, run=SyncRunFactory(item=checking.item), added=[payment.pk, arrival.pk]
    )
    deliver_all()
    assert TransferLink.objects.get().status == "matched"
    page.goto(f"{live_server.url}/")
    # Only the $20 purchase: neither half of the $300 card payment is spending.
    assert page.locator('[data-total="spent-this-month"]').inner_text() == "$20.00"
    page.goto(f"{live_server.url}/transfers/")
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_url(re.compile(r"/transfers/$"))
    assert TransferLink.objects.get().status == "confirmed"


def test_merging_two_categories_keeps_every_total(page, live_server, alice):
    account = AccountFactory(item__user=alice)
    today = dt.date.today()
    for amount, primary in (("20.00", "ENTERTAINMENT"), ("35.00", "FOOD_AND_DRINK")):
        TransactionFactory(account=account, amount=Decimal(amount), date=today, pfc_primary=primary)
    TransactionFactory(account=account, amount=Decimal("-900"), date=today, pfc_primary="INCOME")

    def totals():
        spending, _ = selectors.spending_summary(user=alice, today=today)
        return spending, cash_flow(user=alice, today=today, months=12)

    def shown():
        page.goto(f"{live_server.url}/")
        return page.locator('[data-total="spent-this-month"]').inner_text()

    before, shown_before = totals(), shown()
    assert shown_before == "$55.00"
    source = Category.objects.get(user=alice, code="ENTERTAINMENT")
    target = Category.objects.get(user=alice, code="FOOD_AND_DRINK")
    page.goto(f"{live_server.url}/categories/{source.public_id}/")
    page.get_by_label("Merge into").select_option(str(target.public_id))
    page.get_by_role("button", name="Merge").click()
    page.wait_for_url(re.compile(r"/categories/$"))
    assert Category.objects.get(pk=source.pk).merged_into_id == target.pk
    assert totals() == before
    assert shown() == shown_before
