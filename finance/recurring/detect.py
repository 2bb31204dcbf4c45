"""Our own recurring-stream detector, for deployments without Plaid's Recurring add-on.

Transactions are grouped by account, direction and normalised merchant (the bank's descriptor
varies: store numbers, reference codes, dates, case). In each group, charges far from the
typical amount are set aside (a one-off purchase at the same merchant), then the gaps between
the rest must fit one cadence: weekly, bi-weekly, semi-monthly, monthly or annual, with room
for weekend shifts and an occasional skipped charge. Memory is bounded by one account's rows:
the input arrives ordered by account and each account is finished before the next is read.
"""

from __future__ import annotations

import re
import statistics
from collections import Counter
from collections.abc import Iterable, Iterator
from datetime import date, timedelta
from decimal import Decimal
from typing import NamedTuple

from .streams import FoundStream, fixed_previous


class Row(NamedTuple):
    pk: int
    account_id: int
    date: date
    amount: Decimal
    name: str
    merchant_name: str
    currency: str
    logo_url: str
    pfc_primary: str


# Gaps (in days) that fit each cadence, and a skipped charge's gap.
CADENCES = {
    "WEEKLY": ((6, 8), (13, 15)),
    "BIWEEKLY": ((12, 16), (26, 30)),
    "SEMI_MONTHLY": ((11, 19), (27, 34)),
    "MONTHLY": ((25, 35), (56, 66)),
    "ANNUALLY": ((350, 380), (715, 745)),
}
# The share of gaps that must fit, and the charges needed before a stream is "mature".
FIT_SHARE = 0.75
MATURE_AFTER = {"ANNUALLY": 2}
# A charge this far from the typical amount is not part of the stream.
AMOUNT_BAND = (Decimal("0.5"), Decimal("1.6"))
# No cadence fits a group charging on more days than this: three gaps in four must be at least
# the shortest gap of any cadence (a weekly one's 6 days).
MIN_GAP = min(lo for ranges in CADENCES.values() for lo, _ in ranges)
# Days past the expected date before a stream counts as stopped.
GRACE = {"WEEKLY": 4, "BIWEEKLY": 6, "SEMI_MONTHLY": 6, "MONTHLY": 10, "ANNUALLY": 30}

_NOISE = re.compile(r"[^a-z]+")
_PREFIXES = {"pos", "ach", "debit", "purchase", "card", "recurring", "payment", "ppd", "id"}


def normalise(text: str) -> str:
    """A descriptor without what banks vary: digits, punctuation, case, POS/ACH prefixes."""
    words = [w for w in _NOISE.sub(" ", text.lower()).split() if len(w) > 1]
    while words and words[0] in _PREFIXES:
        words.pop(0)
    return " ".join(words[:6])


def merchant_key(name: str, merchant_name: str) -> str:
    return normalise(merchant_name) if merchant_name else normalise(name)


def _add_months(d: date, months: int, day: int) -> date:
    y, m = divmod(d.month - 1 + months, 12)
    y, m = d.year + y, m + 1
    last = (date(y + (m == 12), m % 12 + 1, 1) - timedelta(days=1)).day
    return date(y, m, min(day, last))


def _fits(gaps: list[int], cadence: str) -> float:
    (lo, hi), (slo, shi) = CADENCES[cadence]
    ok = sum(1 for g in gaps if lo <= g <= hi or slo <= g <= shi)
    return ok / len(gaps)


def _semi_monthly(dates: list[date]) -> bool:
    # Twice a month on fixed days: one charge near the 1st (or month end), one mid-month.
    early = sum(1 for d in dates if d.day <= 4 or d.day >= 27)
    middle = sum(1 for d in dates if 13 <= d.day <= 19)
    return early + middle >= 0.9 * len(dates) and min(early, middle) >= 0.35 * len(dates)


def cadence_of(dates: list[date]) -> str | None:
    gaps = [(b - a).days for a, b in zip(dates, dates[1:], strict=False) if (b - a).days > 0]
    if not gaps:
        return None
    median = statistics.median(gaps)
    order = ["WEEKLY", "BIWEEKLY", "MONTHLY", "ANNUALLY"]
    if 11 <= median <= 19 and _semi_monthly(dates) and _fits(gaps, "SEMI_MONTHLY") >= FIT_SHARE:
        return "SEMI_MONTHLY"
    for cadence in order:
        lo, hi = CADENCES[cadence][0]
        if lo <= median <= hi and _fits(gaps, cadence) >= FIT_SHARE:
            return cadence
    return None


def _usual_day(dates: list[date]) -> int:
    # Weekend-shifted charges land on Mondays; the weekday ones show the scheduled day.
    weekday = [d.day for d in dates if d.weekday() != 0] or [d.day for d in dates]
    return Counter(weekday).most_common(1)[0][0]


def next_after(dates: list[date], cadence: str) -> date:
    last = dates[-1]
    if cadence == "WEEKLY":
        nxt = last + timedelta(days=7)
    elif cadence == "BIWEEKLY":
        nxt = last + timedelta(days=14)
    elif cadence == "ANNUALLY":
        nxt = _add_months(last, 12, _usual_day(dates))
    elif cadence == "SEMI_MONTHLY":
        early = [d for d in dates if d.day <= 4 or d.day >= 27]
        middle = [d for d in dates if 13 <= d.day <= 19]
        days = (_usual_day(early) if early else 1, _usual_day(middle) if middle else 15)
        nxt = min(
            d
            for months in (0, 1, 2)
            for day in days
            if (d := _add_months(last.replace(day=1), months, day)) > last + timedelta(days=5)
        )
    else:
        nxt = _add_months(last, 1, _usual_day(dates))
    if nxt.weekday() >= 5 and not any(d.weekday() >= 5 for d in dates):
        # This payee never posts on weekends: the bank moves it to the Monday after.
        nxt += timedelta(days=7 - nxt.weekday())
    return nxt


def _roll(dates: list[date], cadence: str, today: date) -> tuple[date | None, bool]:
    """The next expected date from today's point of view, and whether the stream is live."""
    nxt = next_after(dates, cadence)
    if nxt >= today:
        return nxt, True
    if (today - nxt).days > GRACE[cadence]:
        return None, False
    # Due in the last few days and not seen yet: late, or skipped; expect the one after.
    return next_after([*dates, nxt], cadence), True


def _band(rows: list[Row]) -> tuple[Decimal, Decimal, Decimal]:
    amounts = sorted(abs(r.amount) for r in rows)
    median = amounts[len(amounts) // 2]
    return median, median * AMOUNT_BAND[0], median * AMOUNT_BAND[1]


def _one_per_day(rows: list[Row]) -> list[Row]:
    # Two charges on one day: the one nearer the typical amount is the stream's.
    median = _band(rows)[0] if rows else Decimal(0)
    out: list[Row] = []
    for r in rows:
        if out and out[-1].date == r.date:
            if abs(abs(r.amount) - median) < abs(abs(out[-1].amount) - median):
                out[-1] = r
            continue
        out.append(r)
    return out


def _same_price(rows: list[Row], share: Decimal = Decimal("0.02")) -> bool:
    top = max(abs(r.amount) for r in rows)
    return all(top - abs(r.amount) <= top * share for r in rows)


def _on_schedule(rows: list[Row], cadence: str) -> list[Row]:
    """Drop charges that are both off the cadence and far from the typical amount: a one-off
    purchase at a merchant that also bills regularly."""
    _, lo, hi = _band(rows)
    (glo, ghi), (slo, shi) = CADENCES[cadence]
    kept = [rows[0]]
    for r in rows[1:]:
        gap = (r.date - kept[-1].date).days
        if not (glo <= gap <= ghi or slo <= gap <= shi or lo <= abs(r.amount) <= hi):
            continue
        kept.append(r)
    return kept


def too_dense(days: int, span: int) -> bool:
    """Whether a group with charges on `days` days over `span` days is a shop, not a bill: even
    every charge at the shortest gap would not fit a cadence. The refresh after a sync asks it
    of a group's date counts in SQL, and so never reads the rows of the merchants people buy
    from every day; the detector asks it first, so both give the same streams."""
    return (days - 1) * MIN_GAP * FIT_SHARE > span


def _regular(rows: list[Row]) -> tuple[list[Row], str | None]:
    """The group's charges that keep a cadence, and the cadence. All charges are tried first
    (a card autopay's amount swings), then only those near the typical amount."""
    everything = _one_per_day(rows)
    if too_dense(len(everything), (everything[-1].date - everything[0].date).days):
        # Its typical-amount charges are left untried too: a subscription hidden among
        # daily purchases at the same merchant is not told apart by amount alone.
        return [], None
    _, lo, hi = _band(everything)
    typical = [r for r in everything if lo <= abs(r.amount) <= hi]
    for candidate in (everything, typical):
        if len(candidate) < 2:
            continue
        cadence = cadence_of([r.date for r in candidate])
        if cadence is None:
            continue
        few = len(candidate) < 3 and not _same_price(candidate)
        if cadence == "ANNUALLY" and (len(candidate) < len(everything) or few):
            # Two charges a year apart are common by chance; a yearly plan has one price
            # and nothing else at that merchant in between.
            continue
        return _on_schedule(candidate, cadence), cadence
    return [], None


def stream_from(key: str, rows: list[Row], today: date) -> FoundStream | None:
    rows, cadence = _regular(sorted(rows, key=lambda r: (r.date, r.pk)))
    if cadence is None:
        return None
    dates = [r.date for r in rows]
    mature = len(rows) >= MATURE_AFTER.get(cadence, 3)
    if not mature and not _same_price(rows, Decimal("0.01")):
        # Two charges only count as an early stream when they are the same price.
        return None
    nxt, active = _roll(dates, cadence, today)
    status = "MATURE" if mature else ("EARLY_DETECTION" if active else "TOMBSTONED")
    last = rows[-1]
    names = Counter(r.name for r in rows).most_common(1)[0][0]
    return FoundStream(
        key=key,
        account_id=last.account_id,
        description=names,
        merchant_name=last.merchant_name,
        frequency=cadence,
        status=status,
        is_active=active,
        first_date=dates[0],
        last_date=dates[-1],
        predicted_next_date=nxt,
        average_amount=(sum((r.amount for r in rows), Decimal(0)) / len(rows)).quantize(
            Decimal("0.01")
        ),
        last_amount=last.amount,
        previous_amount=fixed_previous([r.amount for r in rows]),
        currency=last.currency,
        transaction_pks=[r.pk for r in rows],
        logo_url=last.logo_url,
        pfc_primary=last.pfc_primary,
    )


def descriptor_key(account_id: int, out: bool, descriptor: str) -> str | None:
    """The stream key of the group of an account's rows in one direction whose descriptor (the
    merchant name, or the name when the bank gives none) is this, or None without a name."""
    name = normalise(descriptor)
    return f"d:{account_id}:{'out' if out else 'in'}:{name}"[:200] if name else None


def group_key(r: Row) -> str | None:
    """The stream key of the row's group (account, direction, normalised merchant), or None
    for a row no stream can hold (no amount, no name)."""
    if not r.amount:
        return None
    return descriptor_key(r.account_id, r.amount > 0, r.merchant_name or r.name)


def _streams_of(groups: dict[str, list[Row]], today: date) -> Iterator[FoundStream]:
    for key, members in groups.items():
        if len(members) < 2:
            continue
        found = stream_from(key, members, today)
        if found is not None:
            yield found


def _account_streams(rows: list[Row], today: date) -> Iterator[FoundStream]:
    groups: dict[str, list[Row]] = {}
    for r in rows:
        if (key := group_key(r)) is not None:
            groups.setdefault(key, []).append(r)
    return _streams_of(groups, today)


def detect_groups(rows: Iterable[Row], today: date, keys: set[str]) -> list[FoundStream]:
    """The streams of only these groups: what detect() finds for them, from any superset of
    their rows (the rest is skipped)."""
    groups: dict[str, list[Row]] = {}
    for r in rows:
        if (key := group_key(r)) in keys:
            groups.setdefault(key, []).append(r)
    return list(_streams_of(groups, today))


def detect(rows: Iterable[Row], today: date) -> list[FoundStream]:
    """Streams in `rows`, which must come ordered by account."""
    out: list[FoundStream] = []
    batch: list[Row] = []
    for r in rows:
        if batch and r.account_id != batch[-1].account_id:
            out.extend(_account_streams(batch, today))
            batch = []
        batch.append(r)
    if batch:
        out.extend(_account_streams(batch, today))
    return out
