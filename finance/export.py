"""CSV export of a user's transactions, streamed in constant memory.

RFC 4180: comma separated, CRLF line ends, quotes doubled inside quoted fields.

Formula injection: a spreadsheet runs a cell starting with = + - @ (and tab/CR/LF, which some
programs strip first) as a formula. A spreadsheet may also guess another delimiter (`;` in
much of Europe, tab, `|`) and then splits our cells wherever one occurs, quotes or not (a quote
only counts at the start of what it takes for a field), so `note;=1+2` would become a cell
`=1+2`. So every text cell is quoted, a text cell starting with a formula character gets a
leading apostrophe, and so does every piece a delimiter-like character would start
(`note;'=1+2`): whichever way the line is split, no piece starts a formula. Numbers (amount)
are written unquoted as exact decimals and never touched: -12.50 is a number.
"""

import csv
import re
from collections.abc import Iterable, Iterator

from banking.categories import category_label

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
    "account__item__institution__name",
    "notes",
    "transaction_id",
]
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")
# A delimiter some spreadsheet might guess, then (after blanks or quotes) a formula character.
SPLIT_FORMULA = re.compile(r"([,;\t|\r\n])(?=[ \"']*[=+\-@])")
CHUNK_SIZE = 2000


def neutralise(text: str) -> str:
    if not text:
        return text
    text = SPLIT_FORMULA.sub(r"\1'", text)
    if text.lstrip(" ").startswith(FORMULA_STARTS):
        return "'" + text
    return text


class _Echo:
    """A file-like object whose write() returns the line, so each row streams as it is made."""

    def write(self, value):
        return value


def csv_rows(rows: Iterable[tuple]) -> Iterator[str]:
    writer = csv.writer(_Echo(), lineterminator="\r\n", quoting=csv.QUOTE_NONNUMERIC)
    yield writer.writerow(HEADER)
    for (
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
    ) in rows:
        yield writer.writerow(
            [
                date.isoformat(),
                authorized_date.isoformat() if authorized_date else "",
                neutralise(name),
                neutralise(merchant),
                # Labels, as on screen; category_code is the stable code, for programs.
                neutralise(category_label(category) if category else ""),
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
            ]
        )


def transaction_csv(qs) -> Iterator[str]:
    """qs: a selectors.transactions_filtered() queryset, already ordered. iterator(chunk_size=)
    reads it in chunks (a server-side cursor on PostgreSQL), so memory does not grow with rows."""
    return csv_rows(qs.values_list(*FIELDS).iterator(chunk_size=CHUNK_SIZE))
