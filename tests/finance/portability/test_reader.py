import io
import json
import zipfile
from decimal import Decimal

import pytest

from finance.portability.kinds import KINDS
from finance.portability.reader import ExportFileError, archive_rows
from finance.tags import transaction_tags_set

from .conftest import export_zip

pytestmark = pytest.mark.django_db


def exported(user) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(export_zip(user)))


def as_json(row: dict) -> dict:
    return {k: str(v) if isinstance(v, Decimal) else v for k, v in row.items()}


def test_every_csv_reads_back_as_its_json_lines_twin(alice, organised):
    money = organised
    money["coffee"].notes = '\'=already guarded; -twice |@ and "quotes"'
    money["coffee"].save()
    transaction_tags_set(user=alice, transaction=money["coffee"], names=["+plus", "'quote"])
    archive = exported(alice)
    for kind in KINDS:
        lines = archive.read(f"{kind.name}.jsonl").decode().splitlines()
        expected = [json.loads(line) for line in lines]
        read = [as_json(r) for r in archive_rows(archive, kind.name)]
        assert len(read) == len(expected), kind.name
        for got, want in zip(read, expected, strict=True):
            assert {k: v for k, v in got.items() if want[k] != v} == {}, kind.name
    [coffee] = [r for r in archive_rows(archive, "transactions") if r["name"] == "STARBUCKS 123"]
    assert coffee["notes"] == '\'=already guarded; -twice |@ and "quotes"'
    assert coffee["tags"] == ["'quote", "+plus"]
    assert coffee["amount"] == Decimal("4.75")


def test_a_file_with_other_columns_is_refused_clearly(alice, organised):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("rules.csv", "name,colour\r\nx,blue\r\n")
    with zipfile.ZipFile(buffer) as archive:
        with pytest.raises(ExportFileError, match="rules.csv does not have the columns"):
            list(archive_rows(archive, "rules"))
        with pytest.raises(ExportFileError, match="no budgets.csv"):
            list(archive_rows(archive, "budgets"))
