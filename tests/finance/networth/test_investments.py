"""Holdings' value in the net-worth history: an investment account's daily value is what its
holdings are worth (Plaid's current balance for it), never estimated from transactions."""

import datetime as dt

import pytest
from django.db.models import Sum
from django.utils import timezone

from banking import sync, wealth
from banking.models import Account, Holding
from finance.models import BalanceSnapshot
from finance.networth.snapshots import snapshots_carry_forward, snapshots_record
from tests.emulator_client import emulator_call

from .test_backfill import deliver_all, link_and_sync

pytestmark = pytest.mark.django_db


def holdings_value(account):
    return Holding.objects.filter(account=account).aggregate(v=Sum("value"))["v"]


def line(response, account):
    return next(
        ln for ln in response.context["nw"]["lines"] if ln["key"].endswith(str(account.public_id))
    )


def test_the_history_holds_the_holdings_value_and_moves_with_prices(
    alice, alice_client, plaid_settings, emulator
):
    plaid_settings.PLAID_PRODUCTS = ["transactions", "investments", "liabilities"]
    item = link_and_sync(alice, "ins_109510")
    wealth.item_wealth_refresh(item)
    investments = list(Account.objects.filter(item=item, type="investment"))
    assert investments
    before = {}
    for account in investments:
        before[account.pk] = holdings_value(account)
        assert account.current_balance == before[account.pk]
        # One seen row, today's: no estimate from transactions for a brokerage account.
        rows = BalanceSnapshot.objects.filter(account=account)
        assert list(rows.values_list("current", "estimated")) == [(before[account.pk], False)]
    page = alice_client.get("/net-worth/?range=1m")
    for account in investments:
        assert line(page, account)["end"] == before[account.pk]

    emulator_call(emulator, "POST", f"/emulator/items/{item.item_id}/advance", {"days": 30})
    sync.item_sync(item=item, trigger="manual")
    deliver_all()
    wealth.item_wealth_refresh(item)
    # Plaid's sync reports no balance for an account without bank transactions: the
    # brokerage account's balance is the one seen at link, its holdings carry today's prices.
    page = alice_client.get("/net-worth/?range=1m")
    dashboard = alice_client.get("/").context["net_worth"]["net"].amount
    assert page.context["nw"]["points"][-1]["net"] == dashboard
    snapshots_carry_forward(today=timezone.localdate() + dt.timedelta(days=1))
    snapshots_record(item=item)
    for account in investments:
        now = holdings_value(account)
        assert now != before[account.pk]  # prices moved
        assert line(page, account)["end"] == now
        assert not BalanceSnapshot.objects.filter(account=account, estimated=True).exists()
        rows = BalanceSnapshot.objects.filter(account=account).order_by("date")
        # The sync's row for today, and beat's for tomorrow: the holdings' value both times.
        assert [r.current for r in rows] == [now, now]
