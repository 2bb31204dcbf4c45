"""The weekly digest: once per user per week of their own calendar, sent by beat
(finance.tasks.alerts_beat), claimed like every other occurrence (key digest:<ISO week>).

Upcoming bills are the next seven days' tracked recurring outflows (finance.recurring) and the
cards' and loans' payments due (finance.wealth), each bill once: a recurring loan payment due
within SAME_BILL_DAYS of a liability's due date is that liability's payment."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.utils import timezone

from accounts.time_zone import user_today, user_week

from .. import access
from ..budgets.report import budget_lines
from ..meta import COUNTED
from ..models import AlertKind, AlertSetting, Category
from ..recurring.selectors import upcoming_bills
from ..selectors import month_start
from ..templatetags.currency import part_money
from ..templatetags.money import format_money
from ..wealth.selectors import payments_due
from .occurrences import occurrence_claim

BIGGEST = 5
UPCOMING_DAYS = 7
SAME_BILL_DAYS = 3
LOAN_PAYMENTS = "LOAN_PAYMENTS"


def digests_send_due(*, now: dt.datetime | None = None) -> int:
    """Claim this week's digest for every user who wants one and has a bank linked since before
    the week began; returns how many were claimed (their emails go out after commit)."""
    now = now or timezone.now()
    turned_off = AlertSetting.objects.filter(kind=AlertKind.DIGEST, enabled=False).values("user")
    users = (
        get_user_model()
        .objects.filter(is_active=True, plaid_items__isnull=False)
        .exclude(pk__in=turned_off)
        .distinct()
    )
    told = 0
    for user in users.iterator():
        monday, week = user_week(user, now=now)
        if user.date_joined.astimezone(dt.UTC).date() >= monday:
            continue
        words = digest_words(user=user, now=now)
        if occurrence_claim(
            user=user, kind=AlertKind.DIGEST, key=f"digest:{week}", url="/budgets/", **words
        ):
            told += 1
    return told


def digest_words(*, user, now: dt.datetime) -> dict:
    """Title and text: the last seven days' biggest transactions and where the month's
    budgets stand."""
    today = user_today(user, now=now)
    lines = [f"Your week up to {today:%A %d %B}.", ""]
    budgets = [
        b
        for b in budget_lines(user=user, month=month_start(today), today=today)
        if b.kind == Category.Kind.SPENDING
    ]
    if budgets:
        lines.append("Budgets this month:")
        for b in budgets:
            # Spending that could not be converted is named, never added.
            apart = "".join(
                f"; not counted: {part_money(p.missing, p) or 'an amount'}"
                f" (not convertible to {b.currency})"
                for p in b.unconverted
            )
            lines.append(
                f"- {b.label}: {format_money(b.spent, b.currency)} of "
                f"{format_money(b.available, b.currency)} ({b.percent}%){apart}"
            )
        lines.append("")
    biggest = list(
        access.transactions_visible(user)
        .filter(COUNTED, amount__gt=0, date__gt=today - dt.timedelta(days=7), date__lte=today)
        .order_by("-amount", "-id")[:BIGGEST]
    )
    if biggest:
        lines.append("Biggest transactions:")
        for t in biggest:
            lines.append(
                f"- {format_money(t.amount, t.currency)} {t.merchant_name or t.name} "
                f"({t.date:%a %d %b})"
            )
    else:
        lines.append("No money went out this week.")
    bills = upcoming_lines(user=user, today=today)
    if bills:
        lines += ["", "Bills in the next 7 days:", *bills]
    _, week = user_week(user, now=now)
    return {"title": f"Your week in money ({week})", "body": "\n".join(lines)}


def upcoming_lines(*, user, today: dt.date) -> list[str]:
    """One line per bill due from today to UPCOMING_DAYS ahead (and overdue card or loan
    payments), soonest first."""
    due = payments_due(user, days=UPCOMING_DAYS, today=today)
    bills = [
        (p.due_date, not p.is_overdue, f"{p.name} ({p.kind.lower()})", p.amount, p.currency)
        for p in due
    ]
    for s in upcoming_bills(user=user, today=today, days=UPCOMING_DAYS):
        when = s.predicted_next_date
        if s.pfc_primary == LOAN_PAYMENTS and any(
            abs((when - p.due_date).days) <= SAME_BILL_DAYS for p in due
        ):
            continue
        bills.append((when, True, s.label, s.last_amount, s.iso_currency_code or "USD"))
    lines = []
    for when, on_time, name, amount, currency in sorted(bills, key=lambda b: (b[1], b[0], b[2])):
        money = format_money(amount, currency) if amount is not None else "amount not known"
        late = "" if on_time else " (overdue)"
        lines.append(f"- {when:%a %d %b}: {name}, {money}{late}")
    return lines
