"""What the recurring pages and the dashboard card show."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import QuerySet

from ..access import recurring_streams_visible
from ..models import RecurringStream

State = RecurringStream.State
UPCOMING_DAYS = 30


@dataclass
class RecurringPage:
    outflows: list[RecurringStream] = field(default_factory=list)
    inflows: list[RecurringStream] = field(default_factory=list)
    hidden: list[RecurringStream] = field(default_factory=list)
    # currency -> monthly cost of the tracked, live outflows; never summed across currencies.
    monthly_totals: dict[str, Decimal] = field(default_factory=dict)


def streams_for_user(*, user) -> QuerySet[RecurringStream]:
    return (
        recurring_streams_visible(user)
        .select_related("account")
        .order_by("-is_active", "predicted_next_date", "description", "pk")
    )


def recurring_page(*, user) -> RecurringPage:
    page = RecurringPage()
    for s in streams_for_user(user=user):
        if s.state != State.TRACKED:
            page.hidden.append(s)
        elif s.is_inflow:
            page.inflows.append(s)
        else:
            page.outflows.append(s)
            if s.is_active:
                cur = s.iso_currency_code
                page.monthly_totals[cur] = page.monthly_totals.get(cur, Decimal(0)) + s.monthly_cost
    return page


def upcoming_bills(*, user, today: date, days: int = UPCOMING_DAYS) -> list[RecurringStream]:
    """Tracked outflows expected from today to `days` ahead, soonest first."""
    return list(
        recurring_streams_visible(user)
        .filter(
            state=State.TRACKED,
            is_active=True,
            last_amount__gt=0,
            predicted_next_date__gte=today,
            predicted_next_date__lte=today + timedelta(days=days),
        )
        .select_related("account")
        .order_by("predicted_next_date", "description", "pk")
    )


def dashboard_recurring(user, today: date) -> dict:
    """The dashboard card's context."""
    bills = upcoming_bills(user=user, today=today)
    totals: dict[str, Decimal] = {}
    for b in bills:
        totals[b.iso_currency_code] = totals.get(b.iso_currency_code, Decimal(0)) + b.last_amount
    return {
        "upcoming_bills": bills[:8],
        "upcoming_more": max(0, len(bills) - 8),
        "upcoming_totals": totals,
    }
