"""Deciding what to tell a user after new data: called by the post-sync outbox hook
(finance.hooks) and by banking's item notices. Every decision ends in occurrence_claim(), whose
unique key is what makes a second delivery of the same news tell nobody anything.

Keys:
- budget:<budget>:<YYYY-MM>:<80|100> — each level once per budget per (user's) month; a jump
  straight past 100% tells the 100% only.
- txn:<id> — the transaction's id, or for a posted row the id of the pending row it replaces
  (`pending_transaction_id`), so a pending charge that posts under a new id is told once.
- balance:<account>:<ISO week> — at most once a week per account while it stays low.
- bank:<item>:<state>:<time of change> — banking changes an item's state once per change.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import Q

from accounts.time_zone import user_today, user_week
from banking.health.status import ItemNotice
from banking.models import PlaidItem, SyncOutbox, Transaction

from .. import access
from ..budgets.report import BudgetLine, budget_lines
from ..models import AlertKind, Category
from ..selectors import month_start
from ..templatetags.money import format_money
from .occurrences import occurrence_claim, occurrence_keys_taken
from .preferences import alert_preferences

LEVELS = (100, 80)
ID_CHUNK = 500


@dataclass(frozen=True)
class Due:
    """Something to tell, not yet claimed."""

    kind: str
    key: str
    title: str
    body: str = ""
    url: str = ""


def alerts_for_sync(outbox: SyncOutbox) -> int:
    """Everything this sync may have to tell; returns how many occurrences it claimed."""
    user = outbox.item.user
    prefs = alert_preferences(user=user)
    large = prefs[AlertKind.LARGE_TRANSACTION]
    month = month_start(user_today(user))
    touches, big = _announced_rows(
        user,
        ids=[*outbox.added, *outbox.modified],
        added=set(outbox.added),
        month=month,
        threshold=large.threshold if large.enabled else None,
    )
    dues = [_large_due(t, large.threshold) for t in big]
    if prefs[AlertKind.BUDGET].enabled and touches:
        dues += budget_dues(user=user)
    if prefs[AlertKind.LOW_BALANCE].enabled:
        dues += balance_dues(
            user=user, item=outbox.item, threshold=prefs[AlertKind.LOW_BALANCE].threshold
        )
    return dues_claim(user=user, dues=dues)


def dues_claim(*, user, dues: list[Due]) -> int:
    """Claim what was not told yet. The keys already taken are read in one query, so a sync
    that brings no news costs no failed INSERT each; the INSERT stays the guarantee. One
    transaction: one commit, and the emails are queued (on commit) once all are stored."""
    taken = occurrence_keys_taken(user=user, keys=[d.key for d in dues])
    told = 0
    with transaction.atomic():
        for d in dues:
            if d.key not in taken and occurrence_claim(
                user=user, kind=d.kind, key=d.key, title=d.title, body=d.body, url=d.url
            ):
                told += 1
    return told


def _announced_rows(
    user, *, ids: list[int], added: set[int], month, threshold: Decimal | None
) -> tuple[bool, list[Transaction]]:
    """(whether any announced row is dated in the user's current month, the added rows at or
    above the threshold either way), in one read per chunk.

    By primary key alone: the ids are the announcing item's own rows (banking.outbox) and the
    owner is checked on each row, because `user_id = ...` beside `id IN (...)` makes SQLite
    walk the user's whole (user, date) index. Rows older than this month cannot move its
    budgets, and removed rows only lower them."""
    wanted = Q(date__gte=month)
    if threshold is not None:
        wanted |= Q(amount__gte=threshold) | Q(amount__lte=-threshold)
    touches, big = False, []
    for start in range(0, len(ids), ID_CHUNK):
        for t in Transaction.objects.filter(wanted, pk__in=ids[start : start + ID_CHUNK]):
            if t.user_id != user.pk:
                continue
            touches = touches or t.date >= month
            if threshold is not None and t.pk in added and abs(t.amount) >= threshold:
                big.append(t)
    return touches, big


def _large_due(t: Transaction, threshold: Decimal) -> Due:
    direction = "out of" if t.amount > 0 else "into"
    who = t.merchant_name or t.name
    return Due(
        kind=AlertKind.LARGE_TRANSACTION,
        key=f"txn:{t.pending_transaction_id or t.transaction_id}",
        title=f"{format_money(abs(t.amount), t.currency)} {direction} your account: {who}",
        body=(
            f"{who}, {t.date:%d %B %Y}. You asked to hear about transactions of "
            f"{format_money(threshold, t.currency)} or more."
        ),
        url=f"/transactions/{t.public_id}/",
    )


def budget_dues(*, user) -> list[Due]:
    today = user_today(user)
    month = month_start(today)
    dues = []
    for line in budget_lines(user=user, month=month, today=today):
        if line.kind != Category.Kind.SPENDING:
            continue
        # The exact share, not the rounded percent: 79.6% is not yet 80%.
        level = next((lv for lv in LEVELS if line.ratio * 100 >= lv), None)
        if level is not None:
            key = f"budget:{line.budget.pk}:{month:%Y-%m}:{level}"
            dues.append(Due(kind=AlertKind.BUDGET, key=key, **_budget_words(line, level)))
    return dues


def budgets_check(*, user) -> int:
    return dues_claim(user=user, dues=budget_dues(user=user))


def _budget_words(line: BudgetLine, level: int) -> dict:
    spent = format_money(line.spent, line.currency)
    available = format_money(line.available, line.currency)
    if level >= 100:
        title = f"{line.label}: over budget ({spent} of {available})"
    else:
        title = f"{line.label}: {line.percent}% of the budget used"
    left = format_money(line.left, line.currency)
    return {
        "title": title,
        "body": f"{spent} spent of {available} this month; {left} left.",
        "url": "/budgets/",
    }


def balance_dues(*, user, item: PlaidItem, threshold: Decimal) -> list[Due]:
    _, week = user_week(user)
    dues = []
    for account in access.accounts_visible(user).filter(item=item, type="depository").visible():
        balance = account.available_balance
        if balance is None:
            balance = account.current_balance
        if balance is None or balance >= threshold:
            continue
        dues.append(
            Due(
                kind=AlertKind.LOW_BALANCE,
                key=f"balance:{account.pk}:{week}",
                title=f"{account.name} is down to {format_money(balance, account.currency)}",
                body=(
                    f"The available balance of {account.name} at {item.display_name} is "
                    f"below {format_money(threshold, account.currency)}."
                ),
                url="/",
            )
        )
    return dues


def bank_notice(notice: ItemNotice) -> None:
    """banking's news about a connection (it changed state), told under the user's settings."""
    item = PlaidItem.objects.select_related("user").filter(pk=notice.item_pk).first()
    if item is None or not alert_preferences(user=item.user)[AlertKind.BANK].enabled:
        return
    occurrence_claim(
        user=item.user,
        kind=AlertKind.BANK,
        key=f"bank:{item.pk}:{notice.state}:{notice.changed_at.isoformat()}",
        title=notice.subject,
        body=notice.body,
        url=notice.path,
    )
