"""Reading an export's CSV files back: the first half of the import, and the proof that the CSV
loses nothing (tests compare it with the JSON Lines twin of every file).

Each cell is typed by the model field its column was read from: exact decimals, yes/no
booleans, ISO dates kept as text, lists read as JSON arrays of strings, and the formula guard undone
(finance.export.unneutralise). An empty cell is None where the column can be empty in the
database (a nullable field, or one reached through a nullable relation), "" otherwise.
"""

import csv
import datetime as dt
import io
import json
import uuid
import zipfile
from collections.abc import Iterator
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import models

from banking.models import Account, Holding, PlaidItem, Transaction
from finance.export import unneutralise
from finance.models import (
    AlertSetting,
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
    TransferLink,
)

from .kinds import KINDS_BY_NAME, Kind

MODELS: dict[str, type[models.Model]] = {
    "bank_connections": PlaidItem,
    "accounts": Account,
    "transactions": Transaction,
    "split_parts": SplitPart,
    "transfers": TransferLink,
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
    "alert_settings": AlertSetting,
}
LISTS = {"tags", "products", "set_by_you", "set_by_rules"}


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


def _yes_no(text: str, nullable: bool):
    if text == "" and nullable:
        return None
    if text not in ("yes", "no"):
        raise ValueError("is not yes or no")
    return text == "yes"


def _decimal(text: str, field: models.DecimalField):
    if not text:
        return None
    value = Decimal(text)
    if not value.is_finite() or value != round(value, field.decimal_places):
        raise ValueError(f"is not an amount with at most {field.decimal_places} decimals")
    if abs(value) >= Decimal(10) ** (field.max_digits - field.decimal_places):
        raise ValueError("is too large")
    return value


def _iso(text: str, nullable: bool, parse):
    if text == "" and nullable:
        return None
    parse(text)  # kept as text (the JSON Lines twin holds text too), but it must be one
    return text


def _text(text: str, nullable: bool, field):
    if text == "" and nullable:
        return None
    value = unneutralise(text)
    if field is not None and field.max_length and len(value) > field.max_length:
        raise ValueError(f"is longer than {field.max_length} characters")
    if field is not None and field.choices and value not in {c[0] for c in field.choices}:
        raise ValueError("is not one of " + ", ".join(repr(c[0]) for c in field.choices))
    return value


def _list(text: str) -> list[str]:
    if not text:
        return []
    try:
        # The guard was applied to the JSON text: undo it before parsing.
        value = json.loads(unneutralise(text))
    except json.JSONDecodeError:
        value = None
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError('is not a JSON list of names (["a", "b"])')
    return value


def _converter(model, column):
    if column.name in LISTS:
        return _list
    field, nullable = _field(model, column.lookup)
    if isinstance(field, models.BooleanField):
        return lambda text: _yes_no(text, nullable)
    if isinstance(field, models.DecimalField):
        return lambda text: _decimal(text, field)
    if isinstance(field, models.IntegerField | models.AutoField):
        return lambda text: int(text) if text else None
    if isinstance(field, models.DateTimeField):
        return lambda text: _iso(text, nullable, dt.datetime.fromisoformat)
    if isinstance(field, models.DateField):
        return lambda text: _iso(text, nullable, dt.date.fromisoformat)
    if isinstance(field, models.UUIDField):
        return lambda text: _iso(text, nullable, uuid.UUID)
    return lambda text: _text(text, nullable, field)


def csv_rows(kind: Kind, text: Iterator[str]) -> Iterator[tuple[int, dict]]:
    """(line, row) for each row; line is where the row starts in the file (header = line 1)."""
    # settings.csv is read from the user row (not known before the apps are loaded).
    model = MODELS.get(kind.name) or get_user_model()
    columns = {c.name: c for c in kind.columns + kind.extra}
    reader = csv.reader(text, strict=True)
    try:
        header = next(reader, None)
        if header != kind.header:
            raise ExportFileError(
                f"{kind.name}.csv does not have the columns of this export format."
            )
        converters = [_converter(model, columns[name]) for name in header]
        line = reader.line_num + 1
        for cells in reader:
            if len(cells) != len(header):
                raise ExportFileError(f"{kind.name}.csv line {line} has the wrong columns.")
            row = {}
            for name, convert, cell in zip(header, converters, cells, strict=True):
                try:
                    row[name] = convert(cell)
                except (ValueError, ArithmeticError) as exc:
                    why = str(exc) if isinstance(exc, ValueError) and str(exc) else "is not valid"
                    raise ExportFileError(
                        f"{kind.name}.csv line {line}, column {name}: {cell[:40]!r} {why}."
                    ) from None
            yield line, row
            line = reader.line_num + 1
    except (csv.Error, UnicodeDecodeError) as exc:
        raise ExportFileError(f"{kind.name}.csv is not a readable CSV file ({exc}).") from None


def archive_rows(archive: zipfile.ZipFile, kind_name: str) -> Iterator[dict]:
    """The rows of one kind, read from the ZIP as a stream (never the whole file)."""
    for _, row in archive_rows_numbered(archive, kind_name):
        yield row


def archive_rows_numbered(archive: zipfile.ZipFile, kind_name: str) -> Iterator[tuple[int, dict]]:
    kind = KINDS_BY_NAME[kind_name]
    try:
        raw = archive.open(f"{kind_name}.csv")
    except KeyError:
        raise ExportFileError(f"The file has no {kind_name}.csv.") from None
    with raw, io.TextIOWrapper(raw, encoding="utf-8", newline="") as text:
        yield from csv_rows(kind, text)
