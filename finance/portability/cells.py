"""How a value is written in the export's CSV and JSON Lines files, and read back.

CSV text cells get the same formula guard as the transactions CSV (finance/export.py), with one
addition that makes it reversible: a cell that already starts with an apostrophe gets one more.
So `unneutralise` can remove exactly one apostrophe wherever `neutralise_exact` added one, and
text round-trips unchanged. JSON Lines keep the text as it is (no spreadsheet opens them).
Amounts are exact decimals in both: unquoted numbers in CSV, strings in JSON (a JSON number
would be read as a float by most programs).
"""

import datetime as dt
import json
import re
import uuid
from decimal import Decimal

from finance.export import FORMULA_STARTS, SPLIT_FORMULA

# An apostrophe neutralise_exact put after a delimiter: the delimiter, the apostrophe, then what
# SPLIT_FORMULA looked ahead for.
ADDED_AFTER_DELIMITER = re.compile(r"([,;\t|\r\n])'(?=[ \"']*[=+\-@])")
LEADING = (*FORMULA_STARTS, "'")
# A blank may come before a formula character: " =1" is a formula too.
LEADING_CHARS = frozenset([*LEADING, " "])
DELIMITERS = frozenset(",;\t|\r\n")


def neutralise_exact(text: str) -> str:
    # Most cells hold no delimiter and start with a letter: skip the regex for them.
    if DELIMITERS.intersection(text):
        text = SPLIT_FORMULA.sub(r"\1'", text)
    if text[:1] in LEADING_CHARS and text.lstrip(" ").startswith(LEADING):
        return "'" + text
    return text


def unneutralise(text: str) -> str:
    if text.startswith("'") and text[1:].lstrip(" ").startswith(LEADING):
        text = text[1:]
    return ADDED_AFTER_DELIMITER.sub(r"\1", text)


def _text(value: str) -> str:
    return neutralise_exact(value) if value else value


def _same(value):
    return value  # Decimal and int: written unquoted by QUOTE_NONNUMERIC, str() exact


def _yes_no(value: bool) -> str:
    return "yes" if value else "no"


def _iso(value) -> str:
    return value.isoformat()


def _list(value: list) -> str:
    return neutralise_exact(", ".join(str(v) for v in value))


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
