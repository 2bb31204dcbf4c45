"""A full data export (the ZIP a Celery task writes to storage, and how long it is kept) and an
import of one: both are jobs one user asks for and a task claims once (finance.portability.jobs)."""

import uuid

from django.conf import settings
from django.db import models


class PortabilityJob(models.Model):
    """What an export and an import share. Each declares its own `State` (queued, running, then
    its own words for done and failed), `file` (its own folder) and `error`."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    noun = "job"

    class Meta:
        abstract = True
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.noun} {self.public_id} ({self.state})"


class DataExport(PortabilityJob):
    class State(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Being prepared"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    state = models.CharField(max_length=8, choices=State.choices, default=State.QUEUED)
    # A name in the default storage (MEDIA_ROOT unless a django-storages backend is set).
    file = models.FileField(upload_to="exports/", blank=True)
    size = models.BigIntegerField(default=0)
    error = models.CharField(max_length=200, blank=True)
    # The download link stops working then; the retention task deletes the row and its file.
    expires_at = models.DateTimeField(db_index=True)

    noun = "export"


class DataImport(PortabilityJob):
    """An export's ZIP uploaded to be read back into its uploader (finance.portability.importer).
    The file is deleted once the task has run, whatever the outcome."""

    class State(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Being imported"
        DONE = "done", "Imported"
        FAILED = "failed", "Failed"

    state = models.CharField(max_length=8, choices=State.choices, default=State.QUEUED)
    file = models.FileField(upload_to="imports/", blank=True)
    # What went wrong, for the user: the file, line and column of the first bad cell.
    error = models.TextField(blank=True)
    # How many rows of each kind were imported.
    counts = models.JSONField(default=dict, blank=True)

    noun = "import"
