"""Net worth over a period, in the user's home currency, from the daily snapshots and manual
values: the one net worth the dashboard's headline, its sparkline and /net-worth/ all show.

Every account the dashboard counts (visible, in totals, with a balance) and every manual asset
is a *line*; a line's value on a day is its latest row on or before that day (a day without a
row carries the last one forward), and today's is the live value. Each value is converted at
its own day's rate (finance.currency); a value that cannot be converted (an unofficial code
such as a crypto, a currency without a rate) is in no total and is named apart. An investment
account is a line like any other: its current balance (Plaid's, or its holdings' value) is
what its snapshots hold.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import OuterRef, Subquery

from banking.models import Account

from ..currency import Converter, HomeTotal, money_round
from ..currency.rows import row_currency
from ..models import BalanceSnapshot, ManualAsset, ManualValue
from ..selectors import TYPE_LABELS

ZERO = Decimal("0.00")
RANGES = {"1m": 30, "3m": 91, "1y": 365, "all": None}


@dataclass
class Line:
    key: str
    label: str
    detail: str
    group: str
    currency: str
    official: bool
    is_liability: bool
    today: Decimal
    # day -> (value, estimated); filled by lines_load for the period asked for.
    rows: dict[dt.date, tuple[Decimal, bool]] = field(default_factory=dict)
    account_id: int | None = None
    asset_id: int | None = None


def _account_line(a: Account, value: Decimal) -> Line:
    currency, official = row_currency(
        {
            "iso_currency_code": a.iso_currency_code,
            "unofficial_currency_code": a.unofficial_currency_code,
        }
    )
    return Line(
        key=f"account-{a.public_id}",
        label=getattr(a, "label", a.name),
        detail=a.item.display_name,
        group=TYPE_LABELS.get(a.type, a.type.title()),
        currency=currency,
        official=official,
        is_liability=a.is_liability,
        today=value,
        account_id=a.pk,
    )


def lines_for(
    accounts: list[Account], manual: list[ManualAsset], holdings: dict[int, Decimal]
) -> list[Line]:
    """Accounts as the dashboard counts them (`in_totals` set by account_preferences_apply);
    an investment account with holdings is worth their value (`holdings`, networth.holdings)."""
    lines = [
        _account_line(a, holdings.get(a.pk, a.current_balance))
        for a in accounts
        if a.current_balance is not None and getattr(a, "in_totals", True)
    ]
    lines += [
        Line(
            key=f"manual-{m.public_id}",
            label=m.name,
            detail="Added by you",
            group=m.get_category_display(),
            currency=m.currency,
            official=True,
            is_liability=m.is_liability,
            today=m.value,
            asset_id=m.pk,
        )
        for m in manual
    ]
    return lines


def first_day(lines: list[Line], today: dt.date) -> dt.date:
    """The oldest day any line has a row for ("all")."""
    days = [today]
    ids = [ln.account_id for ln in lines if ln.account_id]
    if ids:
        first = BalanceSnapshot.objects.filter(account_id__in=ids).order_by("date").first()
        days.append(first.date if first else today)
    assets = [ln.asset_id for ln in lines if ln.asset_id]
    if assets:
        first = ManualValue.objects.filter(asset_id__in=assets).order_by("date").first()
        days.append(first.date if first else today)
    return min(days)


def lines_load(lines: list[Line], start: dt.date, today: dt.date) -> None:
    """Each line's rows from `start` to yesterday, plus the latest before `start` for a line
    without a row on it. Reads only the period: the cost follows the period, not the years
    of history a user has (the 1-year page of a 10-year user reads one year)."""
    by_account = {ln.account_id: ln for ln in lines if ln.account_id}
    by_asset = {ln.asset_id: ln for ln in lines if ln.asset_id}
    for account_id, day, current, estimated in BalanceSnapshot.objects.filter(
        account_id__in=list(by_account), date__gte=start, date__lt=today
    ).values_list("account_id", "date", "current", "estimated"):
        by_account[account_id].rows[day] = (current, estimated)
    for asset_id, day, value in ManualValue.objects.filter(
        asset_id__in=list(by_asset), date__gte=start, date__lt=today
    ).values_list("asset_id", "date", "value"):
        by_asset[asset_id].rows[day] = (value, False)
    _load_before(lines, start)


def _load_before(lines: list[Line], start: dt.date) -> None:
    # One query per kind, whatever the number of lines: each line's latest row before the
    # period, for lines without a row on its first day.
    accounts = {ln.account_id: ln for ln in lines if ln.account_id and start not in ln.rows}
    if accounts:
        before = BalanceSnapshot.objects.filter(account_id=OuterRef("pk"), date__lt=start)
        before = before.order_by("-date")
        rows = Account.objects.filter(pk__in=list(accounts)).annotate(
            last=Subquery(before.values("current")[:1]),
            last_estimated=Subquery(before.values("estimated")[:1]),
        )
        for pk, last, estimated in rows.values_list("pk", "last", "last_estimated"):
            if last is not None:
                accounts[pk].rows[start] = (last, bool(estimated))
    assets = {ln.asset_id: ln for ln in lines if ln.asset_id and start not in ln.rows}
    if assets:
        before = ManualValue.objects.filter(asset_id=OuterRef("pk"), date__lt=start)
        rows = ManualAsset.objects.filter(pk__in=list(assets)).annotate(
            last=Subquery(before.order_by("-date").values("value")[:1])
        )
        for pk, last in rows.values_list("pk", "last"):
            if last is not None:
                assets[pk].rows[start] = (last, False)


def _walk(line: Line, days: list[dt.date]) -> list[tuple[Decimal, bool] | None]:
    """The line's value on each day (None before its first row); the last day is today."""
    out: list[tuple[Decimal, bool] | None] = []
    last = None
    for day in days[:-1]:
        last = line.rows.get(day, last)
        out.append(last)
    out.append((line.today, False))
    return out


def _converter(lines: list[Line], home: str, start: dt.date, today: dt.date) -> Converter:
    currencies = {ln.currency for ln in lines if ln.official and ln.currency}
    # All in the home currency: no rates needed, no query.
    return Converter(currencies | {home} if currencies - {home} else (), start, today)


def _in_home(converter: Converter, line: Line, value: Decimal, day: dt.date, home: str):
    """Unrounded, or None: an unofficial code (a crypto) or a day without a rate."""
    if not (line.official and line.currency):
        return None
    return converter.convert(value, line.currency, home, day)


def networth_history(lines: list[Line], start: dt.date, today: dt.date, home: str) -> dict | None:
    """The one net worth, in the home currency: each line's value converted at each day's rate
    and summed unrounded, each point rounded once (as HomeTotal does). Today's totals are the
    HomeTotals the dashboard shows (assets, liabilities, net; with their per-currency
    breakdown and anything that could not be converted, named), and the last point is made
    from them, so the chart ends at the dashboard's figure. None when there is no line."""
    if not lines:
        return None
    days = [start + dt.timedelta(days=n) for n in range((today - start).days + 1)]
    converter = _converter(lines, home, start, today)
    totals = {side: HomeTotal(home, converter) for side in ("assets", "liabilities", "net")}
    assets = [ZERO] * len(days)
    owed = [ZERO] * len(days)
    estimated = [False] * len(days)
    line_rows, groups = [], {}
    for line in lines:
        side = "liabilities" if line.is_liability else "assets"
        sign = -1 if line.is_liability else 1
        totals[side].add(line.today, line.currency, today, official=line.official)
        totals["net"].add(sign * line.today, line.currency, today, official=line.official)
        target = owed if line.is_liability else assets
        first = None
        for i, cell in enumerate(_walk(line, days)):
            if cell is None:
                continue
            value = _in_home(converter, line, cell[0], days[i], home)
            if value is None:
                continue
            first = value if first is None else first
            target[i] += value
            estimated[i] = estimated[i] or cell[1]
        end = _in_home(converter, line, line.today, today, home)
        row = _change(line.label, _rounded(first), _rounded(end))
        row.update(key=line.key, detail=line.detail, group=line.group)
        row.update(is_liability=line.is_liability, currency=line.currency, original=line.today)
        row["converted"] = end is not None
        line_rows.append(row)
        if end is None:
            continue  # not in any total; named apart with the unconverted parts
        group = groups.setdefault(
            (line.is_liability, line.group),
            {"label": line.group, "is_liability": line.is_liability, "start": ZERO, "end": ZERO},
        )
        group["start"] += first or ZERO
        group["end"] += end
    points = [
        {
            "date": day,
            "assets": money_round(assets[i]),
            "liabilities": money_round(owed[i]),
            "net": money_round(assets[i] - owed[i]),
            "estimated": estimated[i],
        }
        for i, day in enumerate(days)
    ]
    points[-1].update(
        assets=totals["assets"].amount,
        liabilities=totals["liabilities"].amount,
        net=totals["net"].amount,
    )
    return {
        "currency": home,
        "points": points,
        "totals": totals,
        "change": _change("", points[0]["net"], points[-1]["net"]),
        "lines": line_rows,
        "groups": [
            {**g, **_change(g["label"], money_round(g["start"]), money_round(g["end"]))}
            for _, g in sorted(groups.items())
        ],
    }


def _rounded(value: Decimal | None) -> Decimal | None:
    return None if value is None else money_round(value)


def _change(label: str, start: Decimal | None, end: Decimal | None) -> dict:
    if start is None or end is None:
        return {"label": label, "start": None, "end": end, "change": None, "pct": None}
    pct = None
    if start:
        pct = ((end - start) / abs(start) * 100).quantize(Decimal("0.1"))
    return {"label": label, "start": start, "end": end, "change": end - start, "pct": pct}


def sample(points: list[dict], most: int) -> list[dict]:
    """At most `most` points, evenly spaced back from the last one (always kept)."""
    step = -(-len(points) // most)
    return points[::-1][::step][::-1]
