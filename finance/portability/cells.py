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


def neutralise_exact(text: str) -> str:
    text = SPLIT_FORMULA.sub(r"\1'", text)
    if text.lstrip(" ").startswith(LEADING):
        return "'" + text
    return text


def unneutralise(text: str) -> str:
    if text.startswith("'") and text[1:].lstrip(" ").startswith(LEADING):
        text = text[1:]
    return ADDED_AFTER_DELIMITER.sub(r"\1", text)


def csv_cell(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Decimal):
        return value  # written unquoted by QUOTE_NONNUMERIC, str() exact
    if isinstance(value, dt.date):  # datetime too
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, list):
        return neutralise_exact(", ".join(str(v) for v in value))
    if isinstance(value, int):
        return value
    return neutralise_exact(str(value))


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
