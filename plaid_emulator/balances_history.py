"""The control API's true past balances of an account: what a client's backfill must find.

Plaid has no balance history; the emulator knows it because an account's current balance is
its opening balance moved by every posted transaction (Item.balances). The balance at the end
of a day is the same sum over the transactions posted up to that day, in exact decimals.
Pending transactions are left out, as Plaid leaves them out of `current`.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

from . import portfolio
from .errors import PlaidError


def _cents(x: float) -> Decimal:
    return Decimal(str(x)).quantize(Decimal("0.01"))


def balances_history(item, account_id: str) -> dict:
    a = next((a for a in item.accounts if a["account_id"] == account_id), None)
    if a is None:
        raise PlaidError("INVALID_ACCOUNT_ID")
    per_day: dict[str, Decimal] = defaultdict(Decimal)
    for t in item.txns.values():
        if t.account_id == account_id and not t.pending:
            per_day[t.date] += _cents(t.amount)
    # Money out (a positive amount) lowers what a depository or investment account holds and
    # raises what is owed on a card or loan.
    sign = 1 if a["type"] in ("credit", "loan") else -1
    first = item.today - timedelta(days=item.days_requested - 1)
    if per_day:
        first = min(first, date.fromisoformat(min(per_day)))
    balance = _cents(a["start_balance"])
    days = []
    day = first
    # Rows dated before the window still count towards its first day.
    balance += sign * sum((v for d, v in per_day.items() if d < first.isoformat()), Decimal())
    while day <= item.today:
        balance += sign * per_day.get(day.isoformat(), Decimal())
        # A brokerage account is worth its holdings at the day's prices, as /accounts/get says.
        current = (
            _cents(Decimal(str(portfolio.value(a, day)))) if a["type"] == "investment" else balance
        )
        days.append({"date": day.isoformat(), "current": str(current)})
        day += timedelta(days=1)
    return {
        "item_id": item.item_id,
        "account_id": account_id,
        "type": a["type"],
        "iso_currency_code": a.get("currency", "USD"),
        "balances": days,
    }
