"""Recurring streams: the schedules behind an item's salary, rent, bills and subscriptions.

Each item keeps its streams as plain JSON-able dicts (`item.streams`), so they persist with
the item and are the ground truth for `/emulator/items/{id}/recurring-truth`. A transaction
belongs to a stream when it has the stream's merchant (by raw descriptor) on the stream's
account: a name variant only changes `Txn.name`, a look-alike is a different merchant.

Subscriptions and the optional noise draw from their own random stream (seeded from the item),
so adding them left the main history, and every test built on it, unchanged.
"""

from __future__ import annotations

import calendar
import random
from datetime import date, timedelta

from . import data
from .merchants import (
    CARD_PAYMENT,
    CARD_PAYMENT_IN,
    ELECTRIC,
    FROM_CHECKING,
    INTEREST,
    INTERNET,
    RENT,
    SALARY,
    TO_SAVINGS,
    Merchant,
    new_id,
)

FREQUENCIES = ("WEEKLY", "BIWEEKLY", "SEMI_MONTHLY", "MONTHLY", "ANNUALLY")
STEP_DAYS = {"WEEKLY": 7, "BIWEEKLY": 14}


def _m(name, raw, detailed, website=None, channel="online"):
    return Merchant(name, raw, detailed, channel, 0, 0, 0, None, website)


# (merchant, monthly price); the emulator's SPENDING never uses these merchants, so only a
# stream (or a deliberate look-alike) ever carries them.
MONTHLY_SUBS = [
    (_m("Hulu", "HULU 877-8244858", "ENTERTAINMENT_TV_AND_MOVIES", "hulu.com"), 17.99),
    (_m("Disney+", "DISNEY PLUS", "ENTERTAINMENT_TV_AND_MOVIES", "disneyplus.com"), 13.99),
    (_m("Apple", "APPLE.COM/BILL ICLOUD", "GENERAL_SERVICES_OTHER_GENERAL_SERVICES"), 2.99),
    (_m("The New York Times", "NYTIMES DIGITAL", "ENTERTAINMENT_OTHER_ENTERTAINMENT"), 25.0),
    (_m("Audible", "AUDIBLE MEMBERSHIP", "ENTERTAINMENT_MUSIC_AND_AUDIO", "audible.com"), 14.95),
    (_m("Adobe", "ADOBE CREATIVE CLOUD", "GENERAL_SERVICES_OTHER_GENERAL_SERVICES"), 22.99),
]
WEEKLY_SUB = _m("HelloFresh", "HELLOFRESH MEAL KIT", "FOOD_AND_DRINK_GROCERIES", "hellofresh.com")
ANNUAL_SUBS = [
    (
        _m(
            "Amazon Prime",
            "AMAZON PRIME MEMBERSHIP",
            "GENERAL_MERCHANDISE_OTHER_GENERAL_MERCHANDISE",
        ),
        139.0,
    ),
    (_m("Costco", "COSTCO ANNUAL RENEWAL", "GENERAL_MERCHANDISE_SUPERSTORES", "costco.com"), 65.0),
]
CHILDCARE = _m(None, "BRIGHT HORIZONS CHILDCARE", "GENERAL_SERVICES_CHILDCARE", channel="other")
GIG_PAY = _m(None, "GIGWORKS INC DIRECT DEP", "INCOME_WAGES", channel="other")
BUILTIN = [SALARY, RENT, TO_SAVINGS, FROM_CHECKING, INTEREST, ELECTRIC, INTERNET]
BUILTIN += [CARD_PAYMENT, CARD_PAYMENT_IN]
MERCHANTS = {
    m.raw: m
    for m in [*BUILTIN, *(m for m, _ in MONTHLY_SUBS + ANNUAL_SUBS), WEEKLY_SUB, CHILDCARE, GIG_PAY]
}
_CUSTOM: dict[str, Merchant] = {}


def merchant(spec: dict) -> Merchant:
    """The merchant of a stream; one added through the control API is made once per raw."""
    m = MERCHANTS.get(spec["raw"]) or _CUSTOM.get(spec["raw"])
    if m is None:
        m = _CUSTOM[spec["raw"]] = _m(spec["name"], spec["raw"], spec["detailed"])
    return m


def merchant_by_raw(raw: str) -> Merchant | None:
    return MERCHANTS.get(raw) or _CUSTOM.get(raw)


def spec(account_id, m: Merchant, frequency, rule, anchor: date, amount, vary=0.0) -> dict:
    if rule == "annual":
        anchor = anchor.replace(day=min(anchor.day, 28))  # no 29 February to wait for
    return {
        "stream_id": None,
        "account_id": account_id,
        "raw": m.raw,
        "name": m.name,
        "detailed": m.detailed,
        "frequency": frequency,
        "rule": rule,  # payroll | every | monthly | semi | annual | card
        "anchor": anchor.isoformat(),
        "amount": amount,
        "vary": vary,
        "active": True,
        "weekend_shift": False,
    }


# -- schedules ----------------------------------------------------------------------------------
def _last_day(y: int, m: int) -> int:
    return calendar.monthrange(y, m)[1]


def _nominal_due(s: dict, day: date) -> bool:
    anchor = date.fromisoformat(s["anchor"])
    rule = s["rule"]
    if rule == "payroll":
        return day.weekday() == 4 and day.isocalendar()[1] % 2 == 0
    if rule == "every":
        return (day - anchor).days % STEP_DAYS[s["frequency"]] == 0
    if rule in ("monthly", "card"):
        return day.day == min(anchor.day, _last_day(day.year, day.month))
    if rule == "semi":
        return day.day in (1, 15)
    return (day.month, day.day) == (anchor.month, min(anchor.day, 28))


def _shifted(s: dict, day: date) -> date:
    # Banks move a payment that falls on a weekend to the Monday after.
    if s["weekend_shift"] and day.weekday() >= 5:
        return day + timedelta(days=7 - day.weekday())
    return day


def due(s: dict, day: date) -> bool:
    """Whether the stream posts on `day`, after any weekend shift."""
    if not s["weekend_shift"]:
        return _nominal_due(s, day)
    if day.weekday() >= 5:
        return False
    if _nominal_due(s, day):
        return True
    return day.weekday() == 0 and any(_nominal_due(s, day - timedelta(days=k)) for k in (1, 2))


def next_date(s: dict, after: date) -> date | None:
    """The first day after `after` the stream posts on (None once stopped)."""
    if not s["active"]:
        return None
    day = after + timedelta(days=1)
    for _ in range(370):
        if due(s, day):
            return day
        day += timedelta(days=1)
    return None


def amount_on(s: dict, rng: random.Random) -> float:
    if s["vary"]:
        return round(s["amount"] * (1 + rng.uniform(-s["vary"], s["vary"])), 2)
    return s["amount"]


# -- building an item's streams -----------------------------------------------------------------
def builtin_specs(accounts: list[dict], txns: list[data.Txn]) -> list[dict]:
    """Streams for what data.history made: one per (account, recurring merchant) it used."""
    checking, savings, card = (a["account_id"] for a in accounts[:3])
    plan = [
        (checking, SALARY, "BIWEEKLY", "payroll", 0.0),
        (checking, RENT, "MONTHLY", "monthly", 0.0),
        (checking, TO_SAVINGS, "MONTHLY", "monthly", 0.0),
        (savings, FROM_CHECKING, "MONTHLY", "monthly", 0.0),
        (savings, INTEREST, "MONTHLY", "monthly", 0.7),
        (checking, ELECTRIC, "MONTHLY", "monthly", 0.4),
        (checking, INTERNET, "MONTHLY", "monthly", 0.0),
        (checking, CARD_PAYMENT, "MONTHLY", "card", 0.0),
        (card, CARD_PAYMENT_IN, "MONTHLY", "card", 0.0),
    ]
    seen: dict[tuple[str, str], data.Txn] = {}
    for t in txns:
        seen.setdefault((t.account_id, t.merchant.raw), t)
    out = []
    for acct, m, freq, rule, vary in plan:
        first = seen.get((acct, m.raw))
        if first is not None:
            out.append(
                spec(acct, m, freq, rule, date.fromisoformat(first.date), first.amount, vary)
            )
    return out


def extra_specs(rng: random.Random, accounts: list[dict], today: date, days: int) -> list[dict]:
    """Subscriptions and the less common cadences, different for each item."""
    checking, _, card = (a["account_id"] for a in accounts[:3])
    start = today - timedelta(days=days - 1)
    out = []
    for m, price in rng.sample(MONTHLY_SUBS, rng.randint(3, 5)):
        anchor = start + timedelta(days=rng.randrange(0, 28))
        out.append(spec(rng.choice((card, card, checking)), m, "MONTHLY", "monthly", anchor, price))
    m, price = rng.choice(ANNUAL_SUBS)
    anchor = start + timedelta(days=rng.randrange(0, max(1, min(days, 365) - 20)))
    out.append(spec(card, m, "ANNUALLY", "annual", anchor, price))
    if rng.random() < 0.5:
        anchor = start + timedelta(days=rng.randrange(0, 7))
        out.append(spec(card, WEEKLY_SUB, "WEEKLY", "every", anchor, 69.99))
    if rng.random() < 0.4:
        monday = start + timedelta(days=(7 - start.weekday()) % 7 + rng.choice((0, 7)))
        out.append(spec(checking, CHILDCARE, "BIWEEKLY", "every", monday, 450.0))
    if rng.random() < 0.4:
        pay = -float(rng.randrange(400, 900))
        out.append(spec(checking, GIG_PAY, "SEMI_MONTHLY", "semi", start, pay, 0.05))
    return out


def occurrences(rng, s: dict, start: date, end: date, today: date) -> list[data.Txn]:
    m = merchant(s)
    out = []
    day = max(start, date.fromisoformat(s["anchor"]))
    while day <= end:
        if due(s, day):
            pending = (today - day).days < 2
            out.append(
                data.Txn(
                    new_id(rng),
                    s["account_id"],
                    amount_on(s, rng),
                    day.isoformat(),
                    day.isoformat(),
                    m,
                    pending,
                )
            )
        day += timedelta(days=1)
    return out


def _variant(rng: random.Random, raw: str, day: str) -> str:
    return rng.choice(
        (
            f"{raw} #{rng.randrange(1000, 9999)}",
            raw.title(),
            f"POS {raw}",
            f"{raw} {day[5:7]}/{day[8:10]}",
        )
    )


def _noisy(rng: random.Random, specs: list[dict], txns: list[data.Txn], today: date) -> list:
    """What real statements do to a schedule: weekend payments move to Monday, descriptors
    vary, a month is skipped, a price goes up, and a one-off charge looks like a stream."""
    groups: dict[tuple[str, str], list[data.Txn]] = {}
    for t in txns:
        groups.setdefault((t.account_id, t.merchant.raw), []).append(t)
    dropped: set[str] = set()
    extra = []
    subs = {m.raw for m, _ in MONTHLY_SUBS}
    for s in specs:
        group = groups.get((s["account_id"], s["raw"]), [])
        if s["rule"] in ("monthly", "annual", "semi"):
            s["weekend_shift"] = True
            for t in group:
                moved = _shifted(s, date.fromisoformat(t.date))
                if moved <= today:
                    t.date = t.authorized_date = moved.isoformat()
        for t in group:
            if rng.random() < 0.25:
                t.name = _variant(rng, t.merchant.raw, t.date)
        if s["rule"] == "monthly" and s["vary"] == 0 and len(group) > 8 and rng.random() < 0.5:
            dropped.add(group[rng.randrange(1, len(group) - 4)].transaction_id)
        if s["raw"] in subs and len(group) > 6 and rng.random() < 0.5:
            s["amount"] = round(s["amount"] * 1.1, 2)
            for t in group[rng.randrange(2, len(group) - 2) :]:
                t.amount = s["amount"]
        if s["raw"] in subs and group and rng.random() < 0.5:
            look = _CUSTOM.setdefault(
                s["raw"] + " ONE-TIME", _m(s["name"], s["raw"] + " ONE-TIME", s["detailed"])
            )
            day = rng.choice(group).date
            extra.append(
                data.Txn(new_id(rng), s["account_id"], round(s["amount"] * 3, 2), day, day, look)
            )
    return [t for t in txns if t.transaction_id not in dropped] + extra


def build(
    rng: random.Random, accounts: list[dict], today: date, days: int, txns: list, noise: bool
) -> tuple[list[dict], list[data.Txn]]:
    """An item's streams, and its history with their transactions (and the noise) added."""
    specs = builtin_specs(accounts, txns)
    extras = extra_specs(rng, accounts, today, days)
    start = today - timedelta(days=days - 1)
    out = list(txns)
    for s in extras:
        out += occurrences(rng, s, start, today, today)
    specs += extras
    for s in specs:
        s["stream_id"] = new_id(rng)
    if noise:
        out = _noisy(rng, specs, out, today)
    out.sort(key=lambda t: t.date)
    return specs, out


def card_balance_since(item, card: str, raw: str) -> float:
    """What the card was charged since its last payment: the next autopay's amount."""
    last = max(
        (t.date for t in item.txns.values() if t.account_id == card and t.merchant.raw == raw),
        default="",
    )
    return round(
        sum(
            t.amount
            for t in item.txns.values()
            if t.account_id == card and t.date > last and t.amount > 0 and not t.pending
        ),
        2,
    )


def advance_day(item) -> int:
    """Post today's occurrences (pending, like every new charge). Each stream and day has its
    own seed, so this consumes nothing from the item's random stream."""
    day = item.today
    added = 0
    card_paid = None
    for s in item.streams:
        if not s["active"] or not due(s, day):
            continue
        rng = random.Random(f"{item.item_id}:{s['stream_id']}:{day}")
        amount = amount_on(s, rng)
        if s["rule"] == "card":
            if card_paid is None:
                card = item.accounts[2]["account_id"]
                card_paid = card_balance_since(item, card, CARD_PAYMENT_IN.raw)
            if not card_paid:
                continue
            amount = card_paid if amount > 0 else -card_paid
        m = merchant(s)
        item.add(
            data.Txn(
                new_id(rng), s["account_id"], amount, day.isoformat(), day.isoformat(), m, True
            )
        )
        added += 1
    return added
