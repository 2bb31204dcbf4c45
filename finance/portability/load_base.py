"""What every kind's loader shares: the rows of a file with their line numbers, and errors that
name the file, line and column (finance/portability/load.py explains the import)."""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from decimal import Decimal

from banking.models import PlaidItem
from finance.models import Category, TransactionMeta

from .reader import ExportFileError, archive_rows_numbered


class LoaderBase:
    def __init__(self, user, archive: zipfile.ZipFile):
        self.user = user
        self.archive = archive
        self.counts: dict[str, int] = {}
        self.items: dict[str, PlaidItem] = {}
        self.accounts: dict[str, int] = {}
        self.categories: dict[str, Category] = {}
        self.tags: dict[str, int] = {}
        self.transactions: dict[str, int] = {}
        self.amounts: dict[int, Decimal] = {}
        self.metas: dict[int, TransactionMeta] = {}
        self.budgets: dict[str, int] = {}
        self.assets: dict[str, int] = {}

    # --- helpers ---------------------------------------------------------------------------
    def rows(self, kind: str) -> Iterator[tuple[int, dict]]:
        count = 0
        for line, row in archive_rows_numbered(self.archive, kind):
            count += 1
            yield line, row
        self.counts[kind] = count

    @staticmethod
    def fail(kind: str, line: int, column: str, why: str) -> ExportFileError:
        return ExportFileError(f"{kind}.csv line {line}, column {column}: {why}.")

    def ref(self, known: dict, kind: str, line: int, column: str, value, target: str):
        if value not in known:
            raise self.fail(kind, line, column, f"{str(value)[:40]!r} is not an id in {target}")
        return known[value]

    def unique(self, seen: dict, key, kind: str, line: int, column: str) -> None:
        if key in seen:
            raise self.fail(kind, line, column, f"{str(key)[:40]!r} appears twice")
