"""Converting grouped query rows (selectors' `.values(...).annotate(Sum)` rows) to the home
currency at each row's own date, with one rates query per batch of rows."""

import datetime as dt
from collections.abc import Iterable

from django.db.models import Case, DateField, F, Value, When

from .convert import Converter
from .totals import HomeTotal

CURRENCY_COLUMNS = ("iso_currency_code", "unofficial_currency_code")


def conversion_day(home: str) -> Case:
    """A grouping column: the date for rows that need converting, NULL for rows already in the
    home currency, so a one-currency user's totals group exactly as before."""
    return Case(
        When(iso_currency_code=home, then=Value(None, output_field=DateField())),
        default=F("date"),
        output_field=DateField(),
    )


def row_currency(row: dict) -> tuple[str, bool]:
    """(code, official). Plaid fills exactly one of the two codes; an unofficial one (a crypto
    code) is never converted, and a row with neither is shown as an unknown currency."""
    iso = row.get("iso_currency_code") or ""
    if iso:
        return iso, True
    return row.get("unofficial_currency_code") or "", False


def row_code(row: dict) -> str:
    """The code a row's amounts are grouped under; "?" when the bank named none."""
    return row_currency(row)[0] or "?"


class RowTotals:
    """Makes HomeTotals for rows dated within [start, end]."""

    def __init__(self, rows: Iterable[dict], *, home: str, start: dt.date, end: dt.date):
        self.home, self.start = home, start
        currencies = {code for code, official in map(row_currency, rows) if official}
        # Rows all in the home currency need no rates: no query.
        self.converter = Converter(currencies | {home} if currencies - {home} else (), start, end)

    def total(self) -> HomeTotal:
        return HomeTotal(self.home, self.converter)

    def add(self, total: HomeTotal, row: dict, amount) -> None:
        code, official = row_currency(row)
        day = row.get("day") or row.get("date") or self.start
        total.add(amount, code, day, official=official)
