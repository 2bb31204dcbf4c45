"""CSV export of a user's transactions, streamed in constant memory.

RFC 4180: comma separated, CRLF line ends, quotes doubled inside quoted fields.

Formula injection: a spreadsheet runs a cell starting with = + - @ (and tab/CR/LF, which some
programs strip first) as a formula. A spreadsheet may also guess another delimiter (`;` in
much of Europe, tab, `|`) and then splits our cells wherever one occurs, quotes or not (a quote
only counts at the start of what it takes for a field), so `note;=1+2` would become a cell
`=1+2`. So every text cell is quoted, a text cell starting with a formula character gets a
leading apostrophe, and so does every piece a delimiter-like character would start
(`note;'=1+2`): whichever way the line is split, no piece starts a formula. A cell that
already starts with an apostrophe gets one more, so `unneutralise` gives the text back exactly.
Numbers (amount) are written unquoted as exact decimals and never touched: -12.50 is a number.
"""

import csv
import re
from collections.abc import Callable, Iterable, Iterator

from django.db.models import Value
from django.db.models.functions import Coalesce, NullIf

from banking.categories import category_label

from .export_extra import EXTRA_FIELDS, EXTRA_HEADER, with_extras

HEADER = [
    "date",
    "authorized_date",
    "name",
    "merchant",
    "category",
    "category_code",
    "bank_category",
    "amount",
    "direction",
    "currency",
    "pending",
    "account",
    "account_mask",
    "bank",
    "notes",
    "transaction_id",
    *EXTRA_HEADER,
]
# amount keeps Plaid's sign: positive = money out of the account (direction says it in words).
FIELDS = [
    "date",
    "authorized_date",
    "name",
    "merchant_name",
    "effective_category",
    "pfc_primary",
    "amount",
    "iso_currency_code",
    "unofficial_currency_code",
    "pending",
    "account__name",
    "account__mask",
    "bank_name",
    "notes",
    "transaction_id",
    *EXTRA_FIELDS,
]
# How many FIELDS come before the EXTRA_FIELDS (export_extra.with_extras adds their cells).
BASE_COLUMNS = 15
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")
# A cell that already starts with an apostrophe gets one more, so the guard can be undone
# exactly (unneutralise: the import reads text back unchanged).
LEADING = (*FORMULA_STARTS, "'")
# A blank may come before a formula character: " =1" is a formula too.
LEADING_CHARS = frozenset([*LEADING, " "])
DELIMITERS = frozenset(",;\t|\r\n")
# A delimiter some spreadsheet might guess, then (after blanks or quotes) a formula character.
SPLIT_FORMULA = re.compile(r"([,;\t|\r\n])(?=[ \"']*[=+\-@])")
# An apostrophe neutralise put after a delimiter: the delimiter, the apostrophe, then what
# SPLIT_FORMULA looked ahead for (apostrophes included, so an original one is kept).
ADDED_AFTER_DELIMITER = re.compile(r"([,;\t|\r\n])'(?=[ \"']*[=+\-@])")
CHUNK_SIZE = 2000


def neutralise(text: str) -> str:
    if not text:
        return text
    # Most cells hold no delimiter and start with a letter: skip the regex for them.
    if DELIMITERS.intersection(text):
        text = SPLIT_FORMULA.sub(r"\1'", text)
    if text[:1] in LEADING_CHARS and text.lstrip(" ").startswith(LEADING):
        return "'" + text
    return text


def unneutralise(text: str) -> str:
    """The text neutralise was given: one apostrophe less wherever it added one."""
    if text.startswith("'") and text[1:].lstrip(" ").startswith(LEADING):
        text = text[1:]
    return ADDED_AFTER_DELIMITER.sub(r"\1", text)


class _Echo:
    """A file-like object whose write() returns the line, so each row streams as it is made."""

    def write(self, value):
        return value


def csv_rows(rows: Iterable[tuple], label: Callable[[str], str] = category_label) -> Iterator[str]:
    """rows: the BASE_COLUMNS values of FIELDS, optionally followed by the EXTRA_HEADER cells
    (export_extra.with_extras). label turns a category code into the name the user sees."""
    writer = csv.writer(_Echo(), lineterminator="\r\n", quoting=csv.QUOTE_NONNUMERIC)
    yield writer.writerow(HEADER)
    for row in rows:
        (
            date,
            authorized_date,
            name,
            merchant,
            category,
            bank_category,
            amount,
            iso_currency,
            unofficial_currency,
            pending,
            account_name,
            account_mask,
            bank,
            notes,
            transaction_id,
        ) = row[:BASE_COLUMNS]
        extras = [neutralise(v) for v in row[BASE_COLUMNS:]] or [""] * len(EXTRA_HEADER)
        yield writer.writerow(
            [
                date.isoformat(),
                authorized_date.isoformat() if authorized_date else "",
                neutralise(name),
                neutralise(merchant),
                # Labels, as on screen; category_code is the stable code, for programs.
                neutralise(label(category) if category else ""),
                neutralise(category or ""),
                neutralise(category_label(bank_category) if bank_category else ""),
                # A Decimal: QUOTE_NONNUMERIC leaves it unquoted and writes str(), exact.
                amount,
                "out" if amount > 0 else "in",
                neutralise(iso_currency or unofficial_currency),
                "yes" if pending else "no",
                neutralise(account_name),
                neutralise(account_mask),
                neutralise(bank or "Your bank"),
                neutralise(notes),
                neutralise(transaction_id),
                *extras,
            ]
        )


def transaction_csv(qs, label: Callable[[str], str] = category_label) -> Iterator[str]:
    """qs: a selectors.transactions_filtered() queryset, already ordered. iterator(chunk_size=)
    reads it in chunks (a server-side cursor on PostgreSQL), so memory does not grow with rows."""
    # A manual (imported) account's bank name is on its item; a Plaid one's, on the institution.
    qs = qs.annotate(
        bank_name=Coalesce(
            NullIf("account__item__manual_name", Value("")), "account__item__institution__name"
        )
    )
    rows = with_extras(qs.values_list(*FIELDS).iterator(chunk_size=CHUNK_SIZE))
    return csv_rows(rows, label)
