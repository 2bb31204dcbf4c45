"""Investments: securities whose prices move day by day, each investment account's holdings and
its investment transactions (contributions, buys, sells, dividends, fees).

Nothing here is stored. Prices are a function of the security and the date, and an account's
events are a function of its id and the calendar since EPOCH, so holdings on any day are the
opening position plus every event up to that day. Moving the item's clock
(/emulator/items/{id}/advance) moves prices and brings new events; a seed-reproduced item gets
the same numbers.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import date, timedelta

from .merchants import new_id

EPOCH = date(2020, 1, 1)
HISTORY_DAYS = 730  # Plaid serves up to 24 months of investment transactions

# key: (name, ticker, type, subtype, price at EPOCH, daily drift, swing, swing period in days)
SECURITIES = {
    "PTMX": ("Platypus Total Market ETF", "PTMX", "etf", "etf", 84.0, 0.00035, 0.06, 97),
    "GNGM": ("Gingham Robotics Inc.", "GNGM", "equity", "common stock", 31.5, 0.0006, 0.12, 53),
    "TABFX": (
        "Tartan Aggregate Bond Fund",
        "TABFX",
        "mutual fund",
        "mutual fund",
        10.4,
        0.00002,
        0.015,
        181,
    ),
    "UST": ("US Treasury Note 2.5% 2030", None, "fixed income", "bond", 98.2, 0.0, 0.02, 365),
    "USD": ("U S Dollar", None, "cash", "cash", 1.0, 0.0, 0.0, 1),
}
# Monthly dividend per share, paid on the 15th.
DIVIDENDS = {"TABFX": 0.034, "PTMX": 0.11}
# Opening position per account subtype: (security, lowest quantity, highest quantity).
PLANS = {
    "401k": (("PTMX", 80, 140), ("TABFX", 700, 1100), ("USD", 150, 400)),
    "brokerage": (("PTMX", 20, 40), ("GNGM", 150, 260), ("UST", 15, 30), ("USD", 900, 1500)),
}
CONTRIBUTION = 500.0  # a 401k's monthly contribution, invested in PTMX on the 1st


def security_id(key: str) -> str:
    # Plaid's security ids are global, the same for every item that holds the security.
    return new_id(random.Random(f"security:{key}"))


def price(key: str, day: date) -> float:
    _, _, _, _, base, drift, swing, period = SECURITIES[key]
    if key == "USD":
        return 1.0
    n = (day - EPOCH).days
    noise = random.Random(f"price:{key}:{n}").uniform(-0.012, 0.012)
    value = base * (1 + drift * n) * (1 + swing * math.sin(2 * math.pi * n / period)) * (1 + noise)
    return round(value, 2)


def render_security(key: str, day: date, currency: str) -> dict:
    name, ticker, typ, sub, *_ = SECURITIES[key]
    return {
        "security_id": security_id(key),
        "isin": None,
        "cusip": None,
        "sedol": None,
        "institution_security_id": None,
        "institution_id": None,
        "proxy_security_id": None,
        "name": name,
        "ticker_symbol": "CUR:USD" if key == "USD" else ticker,
        "is_cash_equivalent": key == "USD",
        "type": typ,
        "close_price": price(key, day),
        "close_price_as_of": day.isoformat(),
        "iso_currency_code": currency,
        "unofficial_currency_code": None,
        "market_identifier_code": None,
        "sector": None,
        "industry": None,
        "cfi_code": None,
        "figi": None,
        "option_contract": None,
        "fixed_income": None,
    }


@dataclass(slots=True)
class Event:
    """One investment transaction. amount > 0 debits the account's cash (Plaid's sign)."""

    id: str
    day: date
    key: str | None
    type: str
    subtype: str
    name: str
    quantity: float
    price: float
    amount: float
    fees: float = 0.0


def _months(start: date, end: date):
    y, m = start.year, start.month
    while (y, m) <= (end.year, end.month):
        yield y, m
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)


def _opening(acct: dict) -> dict[str, float]:
    rng = random.Random(f"portfolio:{acct['account_id']}")
    return {k: float(rng.randint(lo, hi)) for k, lo, hi in PLANS[acct["portfolio"]]}


def _ev(acct: dict, day: date, key, typ, sub, name, qty, px, amount, fees=0.0) -> Event:
    eid = new_id(random.Random(f"inv:{acct['account_id']}:{day}:{typ}:{sub}:{key}"))
    return Event(eid, day, key, typ, sub, name, qty, px, round(amount, 2), fees)


def events(acct: dict, until: date) -> list[Event]:
    """Every event of the account from EPOCH to `until`, oldest first."""
    held = _opening(acct)
    out: list[Event] = []
    for y, m in _months(EPOCH, until):
        for day_no in (1, 8, 15, 28):
            day = date(y, m, day_no)
            if day > until:
                break
            out += _day_events(acct, day, held)
    return out


def _day_events(acct: dict, day: date, held: dict[str, float]) -> list[Event]:
    kind = acct["portfolio"]
    out: list[Event] = []
    if kind == "401k" and day.day == 1:
        px = price("PTMX", day)
        qty = round(CONTRIBUTION / px, 4)
        out.append(
            _ev(acct, day, "USD", "cash", "contribution", "Payroll contribution", 0.0, 1.0, -500)
        )
        out.append(
            _ev(acct, day, "PTMX", "buy", "buy", "BUY Platypus Total Market ETF", qty, px, qty * px)
        )
    if day.day == 15:
        for key, per_share in DIVIDENDS.items():
            if held.get(key):
                amt = -held[key] * per_share
                name = f"DIVIDEND {SECURITIES[key][0]}"
                out.append(_ev(acct, day, key, "cash", "dividend", name, 0.0, 0.0, amt))
    if kind == "brokerage" and day.day == 8 and day.month % 3 == 1 and held.get("GNGM", 0) > 3:
        px = price("GNGM", day)
        name = "SELL Gingham Robotics Inc."
        out.append(_ev(acct, day, "GNGM", "sell", "sell", name, -3.0, px, -3 * px + 4.95, 4.95))
    if kind == "brokerage" and day.day == 28:
        out.append(_ev(acct, day, None, "fee", "account fee", "Account maintenance fee", 0, 0, 2))
    for e in out:
        if e.key and e.key != "USD" and e.type in ("buy", "sell"):
            held[e.key] = round(held.get(e.key, 0.0) + e.quantity, 4)
        held["USD"] = round(held.get("USD", 0.0) - e.amount, 2)
    return out


def holdings(acct: dict, today: date) -> list[dict]:
    """(key, quantity, cost basis) per security held on `today`. Cost basis is the average
    cost: buys add what they cost, sells take out their share of it."""
    qty = _opening(acct)
    cost = {k: q * price(k, EPOCH) for k, q in qty.items()}
    for e in events(acct, today):
        if e.type == "buy" and e.key:
            qty[e.key] = qty.get(e.key, 0.0) + e.quantity
            cost[e.key] = cost.get(e.key, 0.0) + e.amount
        elif e.type == "sell" and e.key and qty.get(e.key):
            cost[e.key] *= (qty[e.key] + e.quantity) / qty[e.key]
            qty[e.key] += e.quantity
        qty["USD"] = qty.get("USD", 0.0) - e.amount
        cost["USD"] = qty["USD"]
    return [
        {"key": k, "quantity": round(q, 4), "cost_basis": round(cost[k], 2)}
        for k, q in qty.items()
        if q > 0
    ]


def value(acct: dict, today: date) -> float:
    return round(sum(h["quantity"] * price(h["key"], today) for h in holdings(acct, today)), 2)


def render_holding(acct: dict, h: dict, today: date, currency: str) -> dict:
    px = price(h["key"], today)
    return {
        "account_id": acct["account_id"],
        "security_id": security_id(h["key"]),
        "institution_price": px,
        "institution_price_as_of": today.isoformat(),
        "institution_value": round(h["quantity"] * px, 2),
        "cost_basis": h["cost_basis"],
        "quantity": h["quantity"],
        "iso_currency_code": currency,
        "unofficial_currency_code": None,
    }


def render_event(acct: dict, e: Event, currency: str) -> dict:
    return {
        "investment_transaction_id": e.id,
        "account_id": acct["account_id"],
        "security_id": security_id(e.key) if e.key else None,
        "date": e.day.isoformat(),
        "name": e.name,
        "quantity": e.quantity,
        "amount": e.amount,
        "price": e.price,
        "fees": e.fees,
        "type": e.type,
        "subtype": e.subtype,
        "iso_currency_code": currency,
        "unofficial_currency_code": None,
    }


def window(today: date) -> date:
    return today - timedelta(days=HISTORY_DAYS)
