"""Plaid's product endpoints beyond transactions (Recurring, Liabilities, Investments). They
go through the client's one call path (`client.call`: the limiter, the circuit breaker, the
audit row, errors) and read the answers as JSON, so this module never imports plaid-python."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.conf import settings

from ..models import PlaidItem
from .client import call, require_keys, to_decimal


def transactions_recurring_get(item: PlaidItem) -> dict[str, Any]:
    """Plaid's Recurring add-on: the item's inflow and outflow streams, amounts as Decimal."""
    body = {"options": {"personal_finance_category_version": settings.PLAID_PFC_VERSION}}
    data = call("/transactions/recurring/get", body, item=item)
    require_keys(
        data, ("inflow_streams", "outflow_streams"), "/transactions/recurring/get response"
    )
    for stream in data["inflow_streams"] + data["outflow_streams"]:
        require_keys(
            stream,
            ("stream_id", "account_id", "frequency", "transaction_ids", "last_amount"),
            "stream",
        )
        for key in ("average_amount", "last_amount"):
            amount = dict(stream.get(key) or {})
            amount["amount"] = to_decimal(amount.get("amount"))
            stream[key] = amount
    return data


def liabilities_get(item: PlaidItem) -> dict[str, Any]:
    data = call("/liabilities/get", {}, item=item)
    require_keys(data, ("accounts", "liabilities"), "/liabilities/get response")
    return data


def investments_holdings_get(item: PlaidItem) -> dict[str, Any]:
    data = call("/investments/holdings/get", {}, item=item)
    require_keys(data, ("accounts", "holdings", "securities"), "/investments/holdings/get response")
    return data


def investments_transactions_get(
    item: PlaidItem, start: date, end: date, *, offset: int = 0, count: int = 500
) -> dict[str, Any]:
    body = {"start_date": start.isoformat(), "end_date": end.isoformat()}
    data = call(
        "/investments/transactions/get",
        {**body, "options": {"offset": offset, "count": count}},
        item=item,
    )
    require_keys(
        data,
        ("investment_transactions", "securities", "total_investment_transactions"),
        "/investments/transactions/get response",
    )
    return data
