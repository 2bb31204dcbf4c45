"""An investment account's value is what its holdings are worth.

Plaid's /transactions/sync only reports the balances of accounts its page has transactions
for, so a brokerage account's `current_balance` stays as it was at link while its prices move;
the holdings (refreshed after every sync and on HOLDINGS webhooks) carry today's prices. The
net-worth lines and the daily snapshots take the holdings' total where an account has
holdings, all in its own currency; otherwise Plaid's balance."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from django.db.models import Count, F, Q, QuerySet, Sum

from banking.models import Account, Holding


def holdings_values(holdings: QuerySet[Holding], accounts: Iterable[Account]) -> dict[int, Decimal]:
    """{account pk: its holdings' value} for the investment accounts among `accounts` (one
    query). `holdings` is where to look: a user's visible ones, or every one for beat."""
    ids = [a.pk for a in accounts if a.type == "investment"]
    if not ids:
        return {}
    foreign = ~Q(iso_currency_code="") & ~Q(iso_currency_code=F("account__iso_currency_code"))
    rows = (
        holdings.filter(account_id__in=ids)
        .values("account_id")
        .annotate(total=Sum("value"), foreign=Count("pk", filter=foreign))
        .order_by()
    )
    # A holding in another currency than its account's cannot be added to it here: such an
    # account keeps Plaid's balance.
    return {r["account_id"]: r["total"] for r in rows if not r["foreign"]}
