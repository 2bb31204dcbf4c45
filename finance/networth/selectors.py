"""What the net-worth page and the dashboard's card show. Rows come through finance.access."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from banking.models import Account

from .. import access
from ..selectors import accounts_for_user
from .history import RANGES, first_day, lines_for, lines_load, networth_history, sample

SPARK_DAYS = 30
SPARK_WIDTH, SPARK_HEIGHT = 120, 32
CHART_POINTS = 400
TABLE_ROWS = 60


def _lines(user, accounts: list[Account]):
    return lines_for(accounts, list(access.manual_assets_visible(user)))


def networth_page(*, user, range_key: str, today: dt.date) -> dict:
    lines = _lines(user, accounts_for_user(user=user))
    days = RANGES[range_key]
    start = first_day(lines, today) if days is None else today - dt.timedelta(days=days - 1)
    lines_load(lines, start, today)
    by_currency = networth_history(lines, start, today)
    for block in by_currency.values():
        points = block["points"]
        chart = sample(points, CHART_POINTS)
        block["table"] = sample(points, TABLE_ROWS)[::-1]
        block["any_estimated"] = any(p["estimated"] for p in points)
        block["today"] = points[-1]
        block["chart_id"] = f"networth-data-{block['currency']}"
        block["chart"] = {
            "currency": block["currency"],
            "labels": [p["date"].isoformat() for p in chart],
            "net": [str(p["net"]) for p in chart],
            "assets": [str(p["assets"]) for p in chart],
            "liabilities": [str(p["liabilities"]) for p in chart],
            "estimated": [p["estimated"] for p in chart],
        }
    return {"blocks": list(by_currency.values()), "start": start, "lines": lines}


def networth_card(*, user, accounts: list[Account], today: dt.date) -> list[dict]:
    """The dashboard's net worth per currency with its last 30 days as a sparkline; the last
    point is today's net worth, computed by the same code as the page."""
    lines = _lines(user, accounts)
    start = today - dt.timedelta(days=SPARK_DAYS - 1)
    lines_load(lines, start, today)
    rows = []
    for block in networth_history(lines, start, today).values():
        points = block["points"]
        rows.append(
            {
                "currency": block["currency"],
                "assets": points[-1]["assets"],
                "liabilities": points[-1]["liabilities"],
                "net": points[-1]["net"],
                "spark": _polyline([p["net"] for p in points]),
                "first": points[0]["net"],
                "last": points[-1]["net"],
            }
        )
    return rows


def _polyline(values: list[Decimal]) -> str:
    low, high = min(values), max(values)
    span = (high - low) or Decimal(1)
    step = Decimal(SPARK_WIDTH) / max(len(values) - 1, 1)
    return " ".join(
        f"{step * i:.1f},{Decimal(SPARK_HEIGHT - 2) - (v - low) / span * (SPARK_HEIGHT - 4):.1f}"
        for i, v in enumerate(values)
    )
