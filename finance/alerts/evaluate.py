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

from collections.abc import Iterable

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


def alerts_for_sync(outbox: SyncOutbox) -> None:
    user = outbox.item.user
    prefs = alert_preferences(user=user)
    # One transaction for every claim: one commit instead of one per occurrence, and the
    # emails are queued (on commit) only once all of them are stored.
    with transaction.atomic():
        if outbox.added and prefs[AlertKind.LARGE_TRANSACTION].enabled:
            large_transactions_check(
                user=user,
                ids=outbox.added,
                threshold=prefs[AlertKind.LARGE_TRANSACTION].threshold,
            )
        if prefs[AlertKind.BUDGET].enabled and _touches_this_month(
            user, [*outbox.added, *outbox.modified]
        ):
            budgets_check(user=user)
        if prefs[AlertKind.LOW_BALANCE].enabled:
            balances_check(
                user=user, item=outbox.item, threshold=prefs[AlertKind.LOW_BALANCE].threshold
            )


def _touches_this_month(user, ids: list[int]) -> bool:
    """Whether any of these rows is dated in the user's current month: older rows (a bank's
    late history) cannot move this month's budgets, and removed rows only lower them."""
    month = month_start(user_today(user))
    for start in range(0, len(ids), ID_CHUNK):
        owners = _announced(ids[start : start + ID_CHUNK]).filter(date__gte=month)
        if user.pk in set(owners.values_list("user_id", flat=True)):
            return True
    return False


def _announced(ids: list[int]):
    """An announcement's rows by primary key alone. The ids are the announcing item's own
    rows (banking.outbox) and callers still check each row's owner, in Python: with
    `user_id = ...` beside `id IN (...)` SQLite walks the user's whole (user, date) index."""
    return Transaction.objects.filter(pk__in=ids)


def large_transactions_check(*, user, ids: Iterable[int], threshold) -> int:
    ids = list(ids)
    told = 0
    for start in range(0, len(ids), ID_CHUNK):
        rows = _announced(ids[start : start + ID_CHUNK]).filter(
            Q(amount__gte=threshold) | Q(amount__lte=-threshold)
        )
        for t in rows:
            if t.user_id != user.pk:
                continue
            key = f"txn:{t.pending_transaction_id or t.transaction_id}"
            direction = "out of" if t.amount > 0 else "into"
            amount = format_money(abs(t.amount), t.currency)
            title = f"{amount} {direction} your account: {t.merchant_name or t.name}"
            body = (
                f"{t.merchant_name or t.name}, {t.date:%d %B %Y}. You asked to hear about "
                f"transactions of {format_money(threshold, t.currency)} or more."
            )
            url = f"/transactions/{t.public_id}/"
            if occurrence_claim(
                user=user,
                kind=AlertKind.LARGE_TRANSACTION,
                key=key,
                title=title,
                body=body,
                url=url,
            ):
                told += 1
    return told


def budgets_check(*, user) -> int:
    today = user_today(user)
    month = month_start(today)
    due = []
    for line in budget_lines(user=user, month=month, today=today):
        if line.kind != Category.Kind.SPENDING:
            continue
        # The exact share, not the rounded percent: 79.6% is not yet 80%.
        level = next((lv for lv in LEVELS if line.ratio * 100 >= lv), None)
        if level is not None:
            due.append((f"budget:{line.budget.pk}:{month:%Y-%m}:{level}", line, level))
    taken = occurrence_keys_taken(user=user, keys=[key for key, _, _ in due])
    told = 0
    for key, line, level in due:
        if key in taken:
            continue
        if occurrence_claim(
            user=user, kind=AlertKind.BUDGET, key=key, **_budget_words(line, level)
        ):
            told += 1
    return told


def _budget_words(line: BudgetLine, level: int) -> dict:
    spent = format_money(line.spent, line.currency)
    available = format_money(line.available, line.currency)
    if level >= 100:
        title = f"{line.label}: over budget ({spent} of {available})"
    else:
        title = f"{line.label}: {line.percent}% of the budget used"
    body = (
        f"{spent} spent of {available} this month; {format_money(line.left, line.currency)} left."
    )
    return {"title": title, "body": body, "url": "/budgets/"}


def balances_check(*, user, item: PlaidItem, threshold) -> int:
    _, week = user_week(user)
    low = []
    for account in access.accounts_visible(user).filter(item=item, type="depository").visible():
        balance = account.available_balance
        if balance is None:
            balance = account.current_balance
        if balance is not None and balance < threshold:
            low.append((f"balance:{account.pk}:{week}", account, balance))
    taken = occurrence_keys_taken(user=user, keys=[key for key, _, _ in low])
    told = 0
    for key, account, balance in low:
        if key in taken:
            continue
        title = f"{account.name} is down to {format_money(balance, account.currency)}"
        body = (
            f"The available balance of {account.name} at {item.display_name} is below "
            f"{format_money(threshold, account.currency)}."
        )
        if occurrence_claim(
            user=user, kind=AlertKind.LOW_BALANCE, key=key, title=title, body=body, url="/"
        ):
            told += 1
    return told


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
