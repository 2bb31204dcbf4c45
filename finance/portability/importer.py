"""Importing an export's ZIP back into a new user: uploaded on /settings/export/, read by a
Celery task in one database transaction (all or nothing), then the file is deleted.

Only a user with no data of their own yet may import (no bank, transaction, rule, tag,
budget or manual asset, and the category tree as it was seeded): an import never merges
into existing data. The task writes only to the user who uploaded the file (the row's
owner); the file's ids are never trusted (finance.portability.load).
"""

from __future__ import annotations

import logging
import zipfile

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.storage import default_storage
from django.db import transaction

from finance import access
from finance import task_names as names
from finance.budgets.report import budgets_edited
from finance.models import DataImport
from finance.taxonomy import seed_rows
from finance.versions import totals_changed

from .jobs import job_claim, job_enqueue, job_finish
from .load import Loader
from .reader import ExportFileError

logger = logging.getLogger(__name__)

State = DataImport.State
NOT_NEW = (
    "You already have data here (a bank, transactions, rules, tags, budgets, manual assets or "
    "edited categories). An export can only be imported into an account that has none yet: "
    "create a new account for it."
)


class ImportRefused(Exception):
    pass


def user_is_new(user) -> bool:
    """No data of the user's own yet (the seeded category tree does not count)."""
    if any(
        rows.exists()
        for rows in (
            access.items_visible(user),
            access.transactions_visible(user),
            access.rules_visible(user),
            access.tags_visible(user),
            access.budgets_visible(user),
            access.manual_assets_visible(user),
        )
    ):
        return False
    seeded = {(r["code"], r["name"], r["kind"], r["parent_code"] or None) for r in seed_rows()}
    categories = access.categories_visible(user).values_list(
        "code", "name", "kind", "parent__code", "hidden", "merged_into"
    )
    return all(
        (code, name, kind, parent) in seeded and not hidden and merged is None
        for code, name, kind, parent, hidden, merged in categories
    )


def data_import_request(*, user, upload) -> DataImport:
    """Store the uploaded file and queue its import. Raises ImportRefused with the reason."""
    if upload is None:
        raise ImportRefused("Choose the ZIP file of a Ledgerline export.")
    if upload.size > settings.DATA_IMPORT_MAX_BYTES:
        limit = settings.DATA_IMPORT_MAX_BYTES // (1024 * 1024)
        raise ImportRefused(f"That file is larger than {limit} MB, the most we import.")
    if not zipfile.is_zipfile(upload):
        raise ImportRefused("That file is not a ZIP file. Upload the export's ZIP as it is.")
    upload.seek(0)
    if not user_is_new(user):
        raise ImportRefused(NOT_NEW)
    if access.data_imports_visible(user).filter(state__in=(State.QUEUED, State.RUNNING)).exists():
        raise ImportRefused("An import is already under way. Reload this page in a minute.")
    with transaction.atomic():
        row = DataImport.objects.create(user=user)
        row.file.save(f"{row.public_id}.zip", upload, save=True)
        if not job_enqueue(names.DATA_IMPORT_RUN, import_id=row.pk):
            default_storage.delete(row.file.name)
            raise ImportRefused("We could not start your import just now. Please try again.")
    return row


def data_import_run(*, import_id: int) -> str:
    """The task's body: import the file into the row's owner, all or nothing."""
    row = job_claim(DataImport, import_id)
    if row is None:
        return "skipped"
    try:
        counts = _import(row)
    except (ExportFileError, ImportRefused) as exc:
        return _finish(row, State.FAILED, error=str(exc))
    except Exception as exc:
        # A bug or the database, not the file: the worker's log has the traceback.
        logger.exception("data import failed", extra={"import_id": import_id})
        return _finish(row, State.FAILED, error=f"The import failed ({exc.__class__.__name__}).")
    _retire_cached_totals(row.user_id)
    return _finish(row, State.DONE, counts=counts)


def _import(row: DataImport) -> dict[str, int]:
    user = row.user
    with transaction.atomic(), row.file.open("rb") as raw:
        # One import per user at a time: the second waits here, then finds the data.
        get_user_model().objects.select_for_update().filter(pk=user.pk).first()
        if not user_is_new(user):
            raise ImportRefused(NOT_NEW)
        try:
            archive = zipfile.ZipFile(raw)
        except zipfile.BadZipFile:
            raise ExportFileError("The file is not a ZIP file.") from None
        with archive:
            return Loader(user, archive).load()


def _finish(row: DataImport, state: str, *, error: str = "", counts=None) -> str:
    if row.file:
        default_storage.delete(row.file.name)
    return job_finish(row, state, error=error, counts=counts or {}, file="")


def _retire_cached_totals(user_id: int) -> None:
    # Totals cached while the user had nothing (an empty dashboard) are stale now.
    totals_changed(user_id)
    budgets_edited(user_id)


def data_imports_list(*, user) -> list[DataImport]:
    rows = list(access.data_imports_visible(user)[:5])
    for row in rows:
        row.summary = ", ".join(
            f"{count} {kind.replace('_', ' ')}" for kind, count in row.counts.items() if count
        )
    return rows
