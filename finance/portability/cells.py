"""How a value is written in the export's CSV and JSON Lines files, and read back.

CSV text cells get the formula guard of every CSV of the site (finance/export.py:neutralise),
which finance.export.unneutralise undoes exactly, so text round-trips unchanged. JSON Lines keep
the text as it is (no spreadsheet opens them).
List cells (tags, products) are a JSON array of strings in CSV too (empty when there are
none): no separator or escape of our own to get wrong. Object cells (the summary's amounts per
currency) are a JSON object of strings the same way.
Amounts are exact decimals in both: unquoted numbers in CSV, strings in JSON (a JSON number
would be read as a float by most programs).
"""

import datetime as dt
import json
import uuid
from decimal import Decimal

from finance.export import neutralise


def _text(value: str) -> str:
    return neutralise(value)


def _same(value):
    return value  # Decimal and int: written unquoted by QUOTE_NONNUMERIC, str() exact


def _yes_no(value: bool) -> str:
    return "yes" if value else "no"


def _iso(value) -> str:
    return value.isoformat()


def _list(value: list | dict) -> str:
    # A JSON array (or object) of strings, so a name holding ", " or quotes stays one name;
    # no items: empty.
    return neutralise(json.dumps(value, ensure_ascii=False)) if value else ""


# One lookup per cell (a type, not an isinstance chain): a million rows have 20 million cells.
CSV_CELL = {
    str: _text,
    Decimal: _same,
    int: _same,
    bool: _yes_no,
    dt.date: _iso,
    dt.datetime: _iso,
    uuid.UUID: str,
    list: _list,
    dict: _list,
    type(None): lambda value: "",
}


def csv_cell(value):
    return CSV_CELL[type(value)](value)


def json_default(value):
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not exported")


def json_line(row: dict) -> str:
    return json.dumps(row, default=json_default, ensure_ascii=False, separators=(",", ":")) + "\n"
