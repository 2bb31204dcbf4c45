"""Reading an export's CSV files back: the first half of the import, and the proof that the CSV
loses nothing (tests compare it with the JSON Lines twin of every file).

Each cell is typed by the model field its column was read from: exact decimals, yes/no
booleans, ISO dates kept as text, lists split on ", ", and the formula guard undone
(finance.export.unneutralise). An empty cell is None where the column can be empty in the
database (a nullable field, or one reached through a nullable relation), "" otherwise.
"""

import csv
import io
import zipfile
from collections.abc import Iterator
from decimal import Decimal

from django.db import models

from banking.models import Account, Holding, PlaidItem, Transaction
from finance.export import unneutralise
from finance.models import (
    BalanceSnapshot,
    Budget,
    BudgetMonth,
    Category,
    ManualAsset,
    ManualValue,
    RecurringStream,
    Rule,
    SplitPart,
    Tag,
)

from .kinds import KINDS_BY_NAME, Kind

MODELS: dict[str, type[models.Model]] = {
    "bank_connections": PlaidItem,
    "accounts": Account,
    "transactions": Transaction,
    "split_parts": SplitPart,
    "categories": Category,
    "tags": Tag,
    "rules": Rule,
    "budgets": Budget,
    "budget_months": BudgetMonth,
    "recurring_streams": RecurringStream,
    "balance_history": BalanceSnapshot,
    "holdings": Holding,
    "manual_assets": ManualAsset,
    "manual_values": ManualValue,
}
LISTS = {"tags", "products"}


class ExportFileError(ValueError):
    pass


def _field(model: type[models.Model], lookup: str) -> tuple[models.Field | None, bool]:
    """The field a lookup ends on (None for an annotation) and whether it may be empty."""
    nullable = False
    field = None
    for part in lookup.split("__"):
        try:
            field = model._meta.get_field("id" if part == "pk" else part)
        except Exception:
            return None, nullable  # an annotation (effective_category)
        nullable = nullable or field.null
        if field.is_relation:
            model = field.related_model
    return field, nullable


def _converter(model, column):
    if column.name in LISTS:
        # The guard was applied to the joined cell: undo it before splitting.
        return lambda text: unneutralise(text).split(", ") if text else []
    field, nullable = _field(model, column.lookup)
    if isinstance(field, models.BooleanField):
        return lambda text: None if text == "" and nullable else text == "yes"
    if isinstance(field, models.DecimalField):
        return lambda text: Decimal(text) if text else None
    if isinstance(field, models.IntegerField | models.AutoField):
        return lambda text: int(text) if text else None
    return lambda text: None if text == "" and nullable else unneutralise(text)


def csv_rows(kind: Kind, text: Iterator[str]) -> Iterator[dict]:
    model = MODELS[kind.name]
    columns = {c.name: c for c in kind.columns + kind.extra}
    reader = csv.reader(text)
    header = next(reader, None)
    if header != kind.header:
        raise ExportFileError(f"{kind.name}.csv does not have the columns of this export format.")
    converters = [_converter(model, columns[name]) for name in header]
    for cells in reader:
        if len(cells) != len(header):
            raise ExportFileError(f"{kind.name}.csv line {reader.line_num} has the wrong columns.")
        yield {
            name: convert(cell)
            for name, convert, cell in zip(header, converters, cells, strict=True)
        }


def archive_rows(archive: zipfile.ZipFile, kind_name: str) -> Iterator[dict]:
    """The rows of one kind, read from the ZIP as a stream (never the whole file)."""
    kind = KINDS_BY_NAME[kind_name]
    try:
        raw = archive.open(f"{kind_name}.csv")
    except KeyError:
        raise ExportFileError(f"The file has no {kind_name}.csv.") from None
    with raw, io.TextIOWrapper(raw, encoding="utf-8", newline="") as text:
        yield from csv_rows(kind, text)
