"""Full data export: asked for on /settings/export/, built by a Celery task, downloaded through a
signed link for 24 hours, then deleted by the retention task.

The link is signed (django.core.signing, its own salt) and the download also checks the owner
and the row's expiry, so a forwarded link is useless to anyone else and a leaked one dies with
the export. The row is claimed once (finance.portability.jobs), so a task delivered twice builds
once.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from config.mail import site_mail_send
from finance import access
from finance import task_names as names
from finance.models import DataExport

from .archive import StreamReader, zip_stream
from .jobs import job_claim, job_enqueue, job_finish

logger = logging.getLogger(__name__)

LINK_VALID = timedelta(hours=24)
# A run not finished this long after it was asked for lost its worker: the user may ask again.
STALE_AFTER = timedelta(hours=2)
SALT = "finance.portability.download"
State = DataExport.State


class ExportRefused(Exception):
    pass


def data_export_request(*, user) -> DataExport:
    """Queue a new export unless one is already being made (then that one is returned)."""
    now = timezone.now()
    under_way = (
        access.data_exports_visible(user)
        .filter(state__in=(State.QUEUED, State.RUNNING), created_at__gte=now - STALE_AFTER)
        .first()
    )
    if under_way:
        return under_way
    with transaction.atomic():
        row = DataExport.objects.create(user=user, expires_at=now + LINK_VALID)
        if not job_enqueue(names.DATA_EXPORT_BUILD, export_id=row.pk):
            raise ExportRefused("We could not start your export just now. Please try again.")
    return row


def data_export_build(*, export_id: int) -> str:
    """The task's body: write the ZIP to storage, mark the row ready, email the link."""
    row = job_claim(DataExport, export_id)
    if row is None:
        return "skipped"
    name = f"exports/{row.public_id}.zip"
    reader = StreamReader(zip_stream(row.user))
    try:
        saved = default_storage.save(name, File(reader, name=name))
    except Exception as exc:
        # Stored on the row for the page; the worker's log has the traceback.
        logger.exception("data export failed", extra={"export_id": export_id})
        return job_finish(row, State.FAILED, error=exc.__class__.__name__[:200])
    now = timezone.now()
    job_finish(
        row,
        State.READY,
        file=saved,
        size=reader.size_written,
        finished_at=now,
        expires_at=now + LINK_VALID,
    )
    row.refresh_from_db()
    _email(row)
    return State.READY


def download_path(row: DataExport) -> str:
    token = signing.TimestampSigner(salt=SALT).sign(str(row.public_id))
    return f"/settings/export/{row.public_id}/download/?t={token}"


def data_export_for_download(*, user, public_id, token: str) -> DataExport | None:
    """The ready, unexpired export of this user the token was signed for; None otherwise."""
    row = access.data_exports_visible(user).filter(public_id=public_id).first()
    if row is None or row.state != State.READY or row.expires_at <= timezone.now():
        return None
    try:
        signed = signing.TimestampSigner(salt=SALT).unsign(
            token, max_age=LINK_VALID.total_seconds()
        )
    except signing.BadSignature:
        return None
    return row if signed == str(row.public_id) else None


def data_exports_list(*, user) -> list[DataExport]:
    rows = list(access.data_exports_visible(user).filter(expires_at__gt=timezone.now())[:10])
    for row in rows:
        row.link = download_path(row) if row.state == State.READY else ""
    return rows


def data_exports_purge(*, now=None) -> int:
    """Delete expired exports and their files. The file goes first: a crash in between leaves a
    row the next run deletes, never a file nobody points at."""
    now = now or timezone.now()
    deleted = 0
    for row in DataExport.objects.filter(expires_at__lte=now).iterator():
        if row.file:
            default_storage.delete(row.file.name)
        row.delete()
        deleted += 1
    return deleted


def _email(row: DataExport) -> None:
    if not row.user.email:
        return
    context = {
        "link": f"{settings.SITE_URL}{download_path(row)}",
        "expires_at": row.expires_at,
        "site_name": settings.SITE_NAME,
        "site_url": settings.SITE_URL,
    }
    site_mail_send(
        subject="Your data export is ready",
        body=render_to_string("finance/portability/email/export_ready.txt", context),
        html=render_to_string("finance/portability/email/export_ready.html", context),
        recipient_list=[row.user.email],
    )
