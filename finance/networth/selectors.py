"""What the net-worth page and the dashboard's card show. Rows come through finance.access."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from banking.models import Account

from .. import access
from ..currency import home_currency
from ..selectors import accounts_for_user
from .history import RANGES, first_day, lines_for, lines_load, networth_history, sample
from .holdings import holdings_values

SPARK_DAYS = 30
SPARK_WIDTH, SPARK_HEIGHT = 120, 32
CHART_POINTS = 400
TABLE_ROWS = 60


def _lines(user, accounts: list[Account], household: bool = False):
    # Manual assets stay their owner's: only bank accounts are shared.
    holdings = holdings_values(access.holdings_visible(user, household=household), accounts)
    return lines_for(accounts, list(access.manual_assets_visible(user)), holdings)


def networth_page(*, user, range_key: str, today: dt.date, household: bool = False) -> dict:
    """With `household`, the accounts shared with the user count too, in the user's home
    currency (the user's own manual assets, none of the members')."""
    home = home_currency(user)
    lines = _lines(user, accounts_for_user(user=user, household=household), household)
    days = RANGES[range_key]
    start = first_day(lines, today) if days is None else today - dt.timedelta(days=days - 1)
    lines_load(lines, start, today)
    block = networth_history(lines, start, today, home)
    if block is not None:
        points = block["points"]
        chart = sample(points, CHART_POINTS)
        block["table"] = sample(points, TABLE_ROWS)[::-1]
        block["any_estimated"] = any(p["estimated"] for p in points)
        block["today"] = points[-1]
        block["chart"] = {
            "currency": home,
            "labels": [p["date"].isoformat() for p in chart],
            "net": [str(p["net"]) for p in chart],
            "assets": [str(p["assets"]) for p in chart],
            "liabilities": [str(p["liabilities"]) for p in chart],
            "estimated": [p["estimated"] for p in chart],
        }
    # "nw", not "block": Django templates name the block being rendered `block`.
    return {"nw": block, "home": home, "start": start}


def networth_card(
    *, user, accounts: list[Account], home: str, today: dt.date, household: bool = False
) -> dict:
    """The dashboard's net worth (`net_worth`: assets, liabilities and net as HomeTotals, manual
    assets included) and its last 30 days (`net_worth_spark`), computed by the same code as
    the page: the sparkline's last point is the headline."""
    lines = _lines(user, accounts, household)
    start = today - dt.timedelta(days=SPARK_DAYS - 1)
    lines_load(lines, start, today)
    block = networth_history(lines, start, today, home)
    if block is None:
        return {"net_worth": {}, "net_worth_spark": None}
    points = block["points"]
    return {
        "net_worth": {"currency": home, **block["totals"]},
        "net_worth_spark": {
            "currency": home,
            "points": _polyline([p["net"] for p in points]),
            "first": points[0]["net"],
            "last": points[-1]["net"],
        },
    }


def _polyline(values: list[Decimal]) -> str:
    low, high = min(values), max(values)
    span = (high - low) or Decimal(1)
    step = Decimal(SPARK_WIDTH) / max(len(values) - 1, 1)
    return " ".join(
        f"{step * i:.1f},{Decimal(SPARK_HEIGHT - 2) - (v - low) / span * (SPARK_HEIGHT - 4):.1f}"
        for i, v in enumerate(values)
    )
