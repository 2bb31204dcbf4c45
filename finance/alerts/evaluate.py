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
- price:<stream>:<new amount> — a subscription's new price, once per stream per amount (a
  price that goes up, back down and up again to the same amount is told once).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from functools import partial

from django.db.models import F

from accounts.time_zone import user_today, user_week
from banking.health.status import ItemNotice
from banking.models import PlaidItem, SyncOutbox

from .. import access
from ..budgets.report import BudgetLine, budget_lines, budgets_covering
from ..budgets.spending import budget_kind
from ..categories import category_book
from ..models import AlertKind, Budget, Category, RecurringStream
from ..selectors import month_start
from ..templatetags.money import format_money
from .announced import SPLIT, BigRow, announced_rows
from .bounds import bounds_held
from .occurrences import occurrence_claim, occurrence_keys_taken, occurrences_claim
from .preferences import alert_preferences
from .standing import standing_for

LEVELS = (100, 80)
PRICE_NEWS_DAYS = 7
# A large transaction dated further back is history, not news: a bank linked today (or a
# second one added later) brings years of rows, and none of them is told.
LARGE_NEWS_DAYS = 7
ACCOUNT_COLUMNS = (
    "pk",
    "name",
    "available_balance",
    "current_balance",
    "iso_currency_code",
    "unofficial_currency_code",
)


@dataclass(frozen=True)
class Due:
    """Something to tell, not yet claimed. `words()` gives its title, body and url: written
    only for what was not told yet (most news a sync brings was told by an earlier one)."""

    kind: str
    key: str
    words: Callable[[], dict]


def alerts_for_sync(outbox: SyncOutbox) -> int:
    """Everything this sync may have to tell; returns how many occurrences it claimed. The
    work follows the new rows: budgets are read only for the categories they touch. The keys
    already taken (the budgets' levels, the big rows, the balances, the prices) are read in
    one query before the budgets' spending, which is read only for budgets not yet told at
    100% this month that this sync may have moved to their next level (finance.alerts.bounds)."""
    user = outbox.item.user
    standing = standing_for(user)
    prefs = standing.prefs
    large = prefs[AlertKind.LARGE_TRANSACTION]
    budgets_on = prefs[AlertKind.BUDGET].enabled
    today = user_today(user)
    month = month_start(today)
    touched, news, big = announced_rows(
        user,
        ids=[*outbox.added, *outbox.modified],
        added=set(outbox.added),
        month=month if budgets_on else None,
        threshold=large.threshold if large.enabled else None,
        since=today - dt.timedelta(days=LARGE_NEWS_DAYS),
    )
    dues = [_large_due(t, large.threshold) for t in big]
    if prefs[AlertKind.LOW_BALANCE].enabled:
        dues += balance_dues(
            user=user, item=outbox.item, threshold=prefs[AlertKind.LOW_BALANCE].threshold
        )
    if prefs[AlertKind.PRICE_INCREASE].enabled and touches_any(outbox):
        dues += price_dues(user=user)
    budgets = _budgets_touched(standing, month=month, touched=touched) if budgets_on else []
    budget_keys = [_budget_key(b, month, level) for b in budgets for level in LEVELS]
    taken = occurrence_keys_taken(user=user, keys=[*budget_keys, *(d.key for d in dues)])
    budgets = [b for b in budgets if _budget_key(b, month, 100) not in taken]
    if budgets:
        dues += _budget_news(
            user,
            standing,
            budgets,
            month=month,
            today=today,
            news=None if SPLIT in touched else news,
            taken=taken,
            sync=outbox.pk,
            fresh=bool(outbox.removed),
        )
    return dues_claim(user=user, dues=dues, taken=taken)


def _budget_news(
    user, standing, budgets, *, month, today, news, taken: set[str], sync: int, fresh: bool
) -> list[Due]:
    """The levels these budgets reached, reading only those this sync may have moved to their
    next level (finance.alerts.bounds); all of them when `news` is None (a split row is among
    the sync's). `fresh`: the sync removed rows, the bounds start again."""
    with bounds_held(user=user, month=month, standing=standing, fresh=fresh) as bounds:
        if news is not None:
            levels = {b.pk: 100 if _budget_key(b, month, 80) in taken else 80 for b in budgets}
            quiet = bounds.unreachable(budgets, standing, month, news, levels, sync=sync)
            budgets = [b for b in budgets if b not in quiet]
        if not budgets:
            return []
        lines = budget_lines(
            user=user,
            month=month,
            today=today,
            book=standing.book(),
            only=budgets,
            plans=standing.plans,
        )
        bounds.read(lines)
    return _level_dues(lines, month)


def touches_any(outbox: SyncOutbox) -> bool:
    return bool(outbox.added or outbox.modified or outbox.removed)


def dues_claim(*, user, dues: list[Due], taken: set[str] | None = None) -> int:
    """Claim what was not told yet. The keys already taken are read in one query (or given,
    read by the caller), so a sync that brings no news costs no failed INSERT; the INSERT (one
    for all the new keys) stays the guarantee. One commit (occurrences_claim's own
    transaction), and the emails are queued once all are stored."""
    if taken is None:
        taken = occurrence_keys_taken(user=user, keys=[d.key for d in dues])
    new = {d.key: d for d in dues if d.key not in taken}
    claims = [{"kind": d.kind, "key": d.key, **d.words()} for d in new.values()]
    if not claims:
        return 0
    return occurrences_claim(user=user, claims=claims)


def _large_due(t: BigRow, threshold: Decimal) -> Due:
    def words() -> dict:
        direction = "out of" if t.amount > 0 else "into"
        who = t.merchant_name or t.name
        return {
            "title": f"{format_money(abs(t.amount), t.currency)} {direction} your account: {who}",
            "body": (
                f"{who}, {t.date:%d %B %Y}. You asked to hear about transactions of "
                f"{format_money(threshold, t.currency)} or more."
            ),
            "url": f"/transactions/{t.public_id}/",
        }

    key = f"txn:{t.pending_transaction_id or t.transaction_id}"
    return Due(kind=AlertKind.LARGE_TRANSACTION, key=key, words=words)


def budget_dues(*, user) -> list[Due]:
    """This month's budget levels reached, every budget read (the beat's check)."""
    today = user_today(user)
    month = month_start(today)
    budgets = list(access.budgets_visible(user).filter(start_month__lte=month))
    if not budgets:
        return []
    book = category_book(user=user)
    return _budget_levels(user=user, month=month, today=today, book=book, budgets=budgets)


def _budgets_touched(standing, *, month, touched: set[tuple]) -> list[Budget]:
    """Of the user's spending budgets (only spending is told), those running this month that
    rows of these category columns count towards (all of them when a split row is among
    them)."""
    book = standing.categories
    if book is None or not touched:
        return []
    budgets = [
        b
        for b in standing.budgets
        if b.start_month <= month and budget_kind(book, b) == Category.Kind.SPENDING
    ]
    if budgets and SPLIT not in touched:
        categories = {book.resolve(*c) for c in touched}
        budgets = budgets_covering(book, budgets, categories, standing.targets)
    return budgets


def _budget_levels(*, user, month, today, book, budgets) -> list[Due]:
    lines = budget_lines(user=user, month=month, today=today, book=book, only=budgets)
    return _level_dues(lines, month)


def _level_dues(lines: list[BudgetLine], month) -> list[Due]:
    dues = []
    for line in lines:
        if line.kind != Category.Kind.SPENDING:
            continue
        # The exact share, not the rounded percent: 79.6% is not yet 80%.
        level = next((lv for lv in LEVELS if line.ratio * 100 >= lv), None)
        if level is not None:
            key = _budget_key(line.budget, month, level)
            words = partial(_budget_words, line, level)
            dues.append(Due(kind=AlertKind.BUDGET, key=key, words=words))
    return dues


def _budget_key(budget, month, level: int) -> str:
    return f"budget:{budget.pk}:{month:%Y-%m}:{level}"


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
    accounts = access.accounts_visible(user).filter(item=item, type="depository").visible()
    # The announcing item is at hand: joining it again would load (and decrypt) its access
    # token for nothing. Its bank's name is read only if an alert is written.
    for account in accounts.only(*ACCOUNT_COLUMNS).order_by():
        balance = account.available_balance
        if balance is None:
            balance = account.current_balance
        if balance is None or balance >= threshold:
            continue
        key = f"balance:{account.pk}:{week}"
        words = partial(_balance_words, account, item, balance, threshold)
        dues.append(Due(kind=AlertKind.LOW_BALANCE, key=key, words=words))
    return dues


def _balance_words(account, item: PlaidItem, balance: Decimal, threshold: Decimal) -> dict:
    return {
        "title": f"{account.name} is down to {format_money(balance, account.currency)}",
        "body": (
            f"The available balance of {account.name} at {item.display_name} is "
            f"below {format_money(threshold, account.currency)}."
        ),
        "url": "/",
    }


def price_dues(*, user) -> list[Due]:
    """Subscriptions whose last charge, in the last PRICE_NEWS_DAYS, cost more than the fixed
    price before it, as the recurring refresh (which runs before this hook) left them: tracked,
    live outflows only. Older increases are history, not news (a bank linked today)."""
    since = user_today(user) - dt.timedelta(days=PRICE_NEWS_DAYS)
    streams = (
        access.recurring_streams_visible(user)
        .filter(state=RecurringStream.State.TRACKED, is_active=True, previous_amount__gt=0)
        .filter(last_amount__gt=F("previous_amount"), last_date__gte=since)
    )
    return [
        Due(
            kind=AlertKind.PRICE_INCREASE,
            key=f"price:{s.pk}:{s.last_amount}",
            words=partial(_price_words, s),
        )
        for s in streams
    ]


def _price_words(stream: RecurringStream) -> dict:
    cur = stream.iso_currency_code or "USD"
    was, now = format_money(stream.previous_amount, cur), format_money(stream.last_amount, cur)
    return {
        "title": f"{stream.label} now costs {now} (was {was})",
        "body": f"The last charge from {stream.label}, on {stream.last_date:%d %B %Y}, was {now}; "
        f"before it, {was}.",
        "url": "/recurring/",
    }


def price_alerts(item: PlaidItem) -> int:
    """After Plaid says an item's streams changed (and the recurring refresh re-read them)."""
    user = item.user
    if not alert_preferences(user=user)[AlertKind.PRICE_INCREASE].enabled:
        return 0
    return dues_claim(user=user, dues=price_dues(user=user))


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
