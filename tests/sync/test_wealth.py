"""Liabilities and investments: fetched through our Plaid client from the emulator's credit
union, refreshed incrementally, driven by syncs and webhooks, gone with the bank."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from celery import current_app

from banking import link, outbox, removal, sync, wealth
from banking import plaid as plaid_api
from banking.models import (
    Holding,
    InvestmentTransaction,
    Liability,
    PlaidItem,
    SyncOutbox,
    WebhookEvent,
)
from banking.webhooks.handle import webhook_event_dispatch
from tests.emulator_client import add_fault, emulator_call

pytestmark = pytest.mark.django_db

CU = "ins_109510"


@pytest.fixture
def wealth_item(alice, plaid_settings):
    plaid_settings.PLAID_PRODUCTS = ["transactions", "investments", "liabilities"]
    public_token = plaid_api.sandbox_public_token_create(CU)
    return link.item_link(user=alice, public_token=public_token, metadata=None)


@pytest.fixture
def recorded_calls(emulator):
    """Each call returns the Plaid calls the emulator saw since the last one."""
    emulator_call(emulator, "POST", "/emulator/recording", {"enabled": True})
    yield lambda: emulator_call(emulator, "GET", "/emulator/recording")["calls"]
    emulator_call(emulator, "DELETE", "/emulator/recording")


def _advance(emu, item, days):
    emu("POST", f"/emulator/items/{item.item_id}/advance", {"days": days})


def test_it_stores_cards_loans_holdings_and_investment_transactions(wealth_item):
    done = wealth.item_wealth_refresh(wealth_item)
    assert done["liabilities"] == 3 and done["holdings"] == 7
    card = Liability.objects.get(kind="credit")
    assert card.account.subtype == "credit card"
    assert card.purchase_apr == "12.5" and card.minimum_payment > 0 and card.next_payment_due_date
    assert isinstance(card.last_statement_balance, Decimal)
    mortgage = Liability.objects.get(kind="mortgage")
    assert mortgage.interest_rate == Decimal("3.99") and mortgage.payoff_date > date.today()
    assert Liability.objects.get(kind="student").next_payment_amount == Decimal("185.00")
    for account in {h.account for h in Holding.objects.all()}:
        total = sum(h.value for h in account.holdings.all())
        assert abs(total - account.current_balance) <= Decimal("0.05")
    dividends = InvestmentTransaction.objects.filter(type="cash", subtype="dividend")
    assert dividends.exists() and all(d.amount < 0 for d in dividends)
    oldest = InvestmentTransaction.objects.order_by("date").first().date
    assert oldest >= date.today() - timedelta(days=730)


def test_a_second_refresh_changes_nothing(wealth_item):
    wealth.item_wealth_refresh(wealth_item)
    before = (
        list(Holding.objects.values_list("pk", "value").order_by("pk")),
        InvestmentTransaction.objects.count(),
        Liability.objects.count(),
    )
    wealth.item_wealth_refresh(wealth_item)
    after = (
        list(Holding.objects.values_list("pk", "value").order_by("pk")),
        InvestmentTransaction.objects.count(),
        Liability.objects.count(),
    )
    assert before == after


def test_it_fetches_only_the_recent_window_once_it_has_history(
    wealth_item, emulator, emu, recorded_calls
):
    wealth.item_wealth_refresh(wealth_item)
    count = InvestmentTransaction.objects.count()
    stored_newest = InvestmentTransaction.objects.order_by("-date").first().date
    _advance(emu, wealth_item, 30)
    recorded_calls()
    wealth.item_wealth_refresh(wealth_item, [wealth.HOLDINGS, wealth.INVESTMENT_TRANSACTIONS])
    asked = [c for c in recorded_calls() if c["path"] == "/investments/transactions/get"]
    start = date.fromisoformat(asked[0]["request"]["start_date"])
    # From a little before the newest stored row (whatever day of the month that fell on), not
    # Plaid's 24 months again.
    assert start == stored_newest - timedelta(days=wealth.OVERLAP_DAYS)
    assert start >= date.today() - timedelta(days=wealth.OVERLAP_DAYS + 31)
    assert InvestmentTransaction.objects.count() > count
    newest = InvestmentTransaction.objects.order_by("-date").first()
    assert newest.date > date.today()  # the institution's clock ran ahead 30 days


def test_advancing_moves_prices_pays_a_dividend_and_lowers_the_loans(wealth_item, emu):
    sync.item_sync(item=wealth_item, trigger="initial")
    wealth.item_wealth_refresh(wealth_item)
    prices = dict(Holding.objects.values_list("pk", "price"))
    owed = {
        lb.account_id: lb.account.current_balance for lb in Liability.objects.exclude(kind="credit")
    }
    last = InvestmentTransaction.objects.order_by("-date").first().date
    _advance(emu, wealth_item, 30)
    sync.item_sync(item=wealth_item, trigger="webhook")
    wealth.item_wealth_refresh(wealth_item)
    assert dict(Holding.objects.values_list("pk", "price")) != prices
    assert InvestmentTransaction.objects.filter(date__gt=last, subtype="dividend").exists()
    for lb in Liability.objects.exclude(kind="credit").select_related("account"):
        assert lb.account.current_balance < owed[lb.account_id]


def test_a_brokerage_accounts_balance_follows_its_holdings_without_a_sync(wealth_item, emu):
    sync.item_sync(item=wealth_item, trigger="initial")
    wealth.item_wealth_refresh(wealth_item)
    _advance(emu, wealth_item, 30)

    wealth.item_wealth_refresh(wealth_item, [wealth.HOLDINGS])  # prices moved; no sync ran

    accounts = {h.account for h in Holding.objects.select_related("account")}
    assert accounts
    for account in accounts:
        account.refresh_from_db()
        total = sum(h.value for h in account.holdings.all())
        assert abs(total - account.current_balance) <= Decimal("0.05")


def test_a_committed_sync_queues_the_refresh_for_an_item_with_the_products(wealth_item):
    sync.item_sync(item=wealth_item, trigger="initial")
    outbox.outbox_deliver(outbox_id=SyncOutbox.objects.get().pk)
    assert Holding.objects.exists() and Liability.objects.exists()


def test_an_item_without_the_products_asks_plaid_for_nothing(linked_item, recorded_calls):
    assert wealth.wealth_parts(linked_item) == []
    assert wealth.item_wealth_refresh(linked_item) == {}
    assert not [c for c in recorded_calls() if "investments" in c["path"]]


def _event(item, webhook_type, error=None):
    body = (
        f'{{"webhook_type": "{webhook_type}", "webhook_code": "DEFAULT_UPDATE", '
        f'"item_id": "{item.item_id}", "error": {error or "null"}}}'
    )
    return WebhookEvent.objects.create(
        item=item,
        plaid_item_id=item.item_id,
        webhook_type=webhook_type,
        webhook_code="DEFAULT_UPDATE",
        body=body,
    )


@pytest.mark.parametrize(
    "webhook_type,model",
    [("LIABILITIES", Liability), ("HOLDINGS", Holding), ("INVESTMENTS_TRANSACTIONS", None)],
)
def test_each_wealth_webhook_refreshes_its_part(wealth_item, webhook_type, model):
    assert webhook_event_dispatch(_event(wealth_item, webhook_type)) == "processed"
    model = model or InvestmentTransaction
    assert model.objects.exists()


def test_a_wealth_webhook_reporting_an_error_sets_the_status_from_the_error_table(wealth_item):
    error = '{"error_code": "ITEM_LOGIN_REQUIRED", "error_type": "ITEM_ERROR"}'
    webhook_event_dispatch(_event(wealth_item, "HOLDINGS", error))
    wealth_item.refresh_from_db()
    assert wealth_item.status == PlaidItem.Status.LOGIN_REQUIRED


def test_a_login_error_while_fetching_sets_the_status_and_stops(wealth_item, emulator):
    add_fault(emulator, "/liabilities/get", "ITEM_LOGIN_REQUIRED", times=1)
    done = wealth.item_wealth_refresh(wealth_item)
    assert done == {"liabilities": "ITEM_LOGIN_REQUIRED"}
    wealth_item.refresh_from_db()
    assert wealth_item.status == PlaidItem.Status.LOGIN_REQUIRED


def test_a_transient_error_leaves_the_item_alone_and_the_other_parts_run(wealth_item, emulator):
    add_fault(emulator, "/liabilities/get", "INTERNAL_SERVER_ERROR", times=1)
    done = wealth.item_wealth_refresh(wealth_item)
    assert done["liabilities"] == "INTERNAL_SERVER_ERROR" and done["holdings"] == 7
    wealth_item.refresh_from_db()
    assert wealth_item.status == PlaidItem.Status.HEALTHY


def test_removing_the_bank_deletes_its_liabilities_and_investments(wealth_item):
    wealth.item_wealth_refresh(wealth_item)
    assert removal.item_remove(item=wealth_item)
    assert not Liability.objects.exists()
    assert not Holding.objects.exists() and not InvestmentTransaction.objects.exists()


def test_the_refresh_task_is_registered_under_its_pinned_name():
    assert "banking.tasks.wealth_refresh" in current_app.tasks
