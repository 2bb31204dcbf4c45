"""Writing the daily balance snapshots: after every sync (the outbox hook) and, for accounts
that did not sync that day, from beat. A row per account and day, upserted, so running either
again changes nothing more."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.utils import timezone

from banking.models import Account, Holding, PlaidItem

from ..models import BalanceSnapshot
from .holdings import holdings_values


def _day_of(account: Account, fallback: dt.date) -> dt.date:
    # The day the balance was seen: an announcement delivered late (after midnight, by the
    # sweeper) still describes the day its sync ran.
    if account.balances_updated_at is None:
        return fallback
    return timezone.localdate(account.balances_updated_at)


def snapshots_record(*, item: PlaidItem, today: dt.date | None = None) -> list[BalanceSnapshot]:
    """Today's row for each of the item's accounts with a balance: what the sync just saw.
    Replaces a row beat carried forward or an estimate for the same day. Hidden and closed
    accounts are skipped: the bank no longer reports them, their history ends where it was."""
    today = today or timezone.localdate()
    accounts = list(
        Account.objects.filter(
            item=item, current_balance__isnull=False, hidden=False, revoked=False
        )
    )
    worth = holdings_values(Holding.objects.all(), accounts)
    rows = [
        BalanceSnapshot(
            account=account,
            date=_day_of(account, today),
            current=worth.get(account.pk, account.current_balance),
            available=account.available_balance,
            currency=account.currency or "USD",
            estimated=False,
        )
        for account in accounts
    ]
    return BalanceSnapshot.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["account", "date"],
        update_fields=["current", "available", "currency", "estimated"],
    )


def snapshots_carry_forward(*, today: dt.date | None = None) -> int:
    """A row for every account that has none today, from the last balance seen: the chart has
    a point each day even for a bank that did not sync. Closed (revoked), hidden and
    being-removed accounts get none; their history stays as it is. The number written."""
    today = today or timezone.localdate()
    accounts = (
        Account.objects.filter(current_balance__isnull=False, hidden=False, revoked=False)
        .exclude(item__status=PlaidItem.Status.REMOVING)
        .exclude(Q(snapshots__date=today))
        .only(
            "pk",
            "current_balance",
            "available_balance",
            "iso_currency_code",
            "unofficial_currency_code",
            "type",
        )
    )
    written = 0
    chunk: list[Account] = []
    for account in accounts.iterator(chunk_size=1000):
        chunk.append(account)
        if len(chunk) >= 1000:
            written += _carry(chunk, today)
            chunk = []
    if chunk:
        written += _carry(chunk, today)
    return written


def _carry(accounts: list[Account], today: dt.date) -> int:
    # One holdings query per thousand accounts: investment accounts are worth their holdings.
    worth = holdings_values(Holding.objects.all(), accounts)
    rows = [
        BalanceSnapshot(
            account_id=account.pk,
            date=today,
            current=worth.get(account.pk, account.current_balance),
            available=account.available_balance,
            currency=account.currency or "USD",
        )
        for account in accounts
    ]
    return len(BalanceSnapshot.objects.bulk_create(rows, ignore_conflicts=True))
