"""What the recurring pages and the dashboard card show."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import QuerySet
from django.utils import timezone

from ..access import accounts_visible, recurring_streams_visible
from ..currency import Converter, HomeTotal, home_currency
from ..models import RecurringStream
from ..wealth.selectors import PaymentDue, payments_due

State = RecurringStream.State
UPCOMING_DAYS = 30
# A recurring outflow and a card's or loan's payment due are one bill when they are this close.
SAME_BILL_DAYS = 4
SAME_BILL_AMOUNT_SHARE = Decimal("0.05")
CARD_PAYMENT_PFC = "LOAN_PAYMENTS"


@dataclass(frozen=True)
class UpcomingBill:
    """One line of the upcoming list: a recurring outflow, or a card's or loan's payment due
    (which stands for the recurring payment to it when both exist)."""

    date: date
    name: str
    amount: Decimal | None
    currency: str
    price_up: bool = False
    is_overdue: bool = False
    is_payment_due: bool = False


@dataclass
class RecurringPage:
    outflows: list[RecurringStream] = field(default_factory=list)
    inflows: list[RecurringStream] = field(default_factory=list)
    hidden: list[RecurringStream] = field(default_factory=list)
    # currency -> monthly cost of the tracked, live outflows, each in its own currency.
    monthly_totals: dict[str, Decimal] = field(default_factory=dict)
    # The same, converted to the user's home currency at today's rate; what has no rate is
    # kept apart in it (shown by name, never in the figure).
    monthly_home: HomeTotal | None = None


def streams_for_user(*, user, household: bool = False) -> QuerySet[RecurringStream]:
    """The user's streams; with `household`, those of the accounts members share too (under
    their owner's names for them)."""
    return (
        recurring_streams_visible(user, household=household)
        .select_related("account")
        .order_by("-is_active", "predicted_next_date", "description", "pk")
    )


def recurring_page(*, user, today: date | None = None, household: bool = False) -> RecurringPage:
    today = today or timezone.localdate()
    page = RecurringPage()
    for s in streams_for_user(user=user, household=household):
        if s.state != State.TRACKED:
            page.hidden.append(s)
        elif s.is_inflow:
            page.inflows.append(s)
        else:
            page.outflows.append(s)
            if s.is_active:
                cur = s.iso_currency_code
                page.monthly_totals[cur] = page.monthly_totals.get(cur, Decimal(0)) + s.monthly_cost
    home = home_currency(user)
    # One currency, the home one: no rates to read.
    others = set(page.monthly_totals) - {home}
    page.monthly_home = HomeTotal(home, Converter(others | {home} if others else (), today, today))
    for cur, amount in page.monthly_totals.items():
        page.monthly_home.add(amount, cur, today, official=bool(cur))
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


def _same_bill(stream: RecurringStream, due: PaymentDue, due_item: int | None) -> bool:
    """The stream is the payment the card or loan asks for: on the liability's account or
    its bank, expected within a few days, and about the same amount (a card's autopay pays
    whatever was charged, so a credit-card payment stream matches on date alone)."""
    if due_item is None or stream.account.item_id != due_item:
        return False
    if abs((stream.predicted_next_date - due.due_date).days) > SAME_BILL_DAYS:
        return False
    if (
        stream.pfc_primary == CARD_PAYMENT_PFC
        or str(stream.account.public_id) == due.account_public_id
    ):
        return True
    if due.amount is None or stream.iso_currency_code != due.currency:
        return False
    return abs(abs(stream.last_amount) - due.amount) <= due.amount * SAME_BILL_AMOUNT_SHARE


def upcoming_list(*, user, today: date, days: int = UPCOMING_DAYS) -> list[UpcomingBill]:
    """Recurring outflows and payments due in the next `days` (and overdue ones), soonest
    first; a payment that is both appears once, as the payment due."""
    streams = upcoming_bills(user=user, today=today, days=days)
    dues = payments_due(user, days=days, today=today)
    items = {
        str(public_id): item_id
        for public_id, item_id in accounts_visible(user)
        .filter(public_id__in=[d.account_public_id for d in dues])
        .values_list("public_id", "item_id")
    }
    out: list[UpcomingBill] = []
    for due in dues:
        twin = next(
            (s for s in streams if _same_bill(s, due, items.get(due.account_public_id))), None
        )
        if twin is not None:
            streams.remove(twin)
        amount = due.amount if due.amount is not None else (twin.last_amount if twin else None)
        out.append(
            UpcomingBill(
                date=due.due_date,
                name=f"{due.kind}: {due.name}",
                amount=amount,
                currency=due.currency,
                is_overdue=due.is_overdue,
                is_payment_due=True,
            )
        )
    for s in streams:
        out.append(
            UpcomingBill(
                date=s.predicted_next_date,
                name=s.label,
                amount=s.last_amount,
                currency=s.iso_currency_code,
                price_up=bool(s.price_change and s.price_change > 0),
            )
        )
    out.sort(key=lambda b: (not b.is_overdue, b.date, b.name))
    return out


def dashboard_recurring(user, today: date) -> dict:
    """The dashboard card's context."""
    bills = upcoming_list(user=user, today=today)
    totals: dict[str, Decimal] = {}
    for b in bills:
        if b.amount is not None:
            totals[b.currency] = totals.get(b.currency, Decimal(0)) + b.amount
    return {
        "upcoming_bills": bills[:8],
        "upcoming_more": max(0, len(bills) - 8),
        "upcoming_totals": totals,
    }
