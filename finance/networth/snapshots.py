"""Writing the daily balance snapshots: after every sync (the outbox hook) and, for accounts
that did not sync that day, from beat. A row per account and day, upserted, so running either
again changes nothing more."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.utils import timezone

from banking.models import Account, PlaidItem

from ..models import BalanceSnapshot


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
    rows = [
        BalanceSnapshot(
            account=account,
            date=_day_of(account, today),
            current=account.current_balance,
            available=account.available_balance,
            currency=account.currency or "USD",
            estimated=False,
        )
        for account in Account.objects.filter(
            item=item, current_balance__isnull=False, hidden=False, revoked=False
        )
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
        )
    )
    written = 0
    batch: list[BalanceSnapshot] = []
    for account in accounts.iterator(chunk_size=1000):
        batch.append(
            BalanceSnapshot(
                account_id=account.pk,
                date=today,
                current=account.current_balance,
                available=account.available_balance,
                currency=account.currency or "USD",
            )
        )
        if len(batch) >= 1000:
            written += len(BalanceSnapshot.objects.bulk_create(batch, ignore_conflicts=True))
            batch = []
    if batch:
        written += len(BalanceSnapshot.objects.bulk_create(batch, ignore_conflicts=True))
    return written
