"""Helpers for the hand-written SQL of the tuned paths (the sync's upsert, the webhook INSERT):
identifiers come from the models' metadata, never from input."""

from __future__ import annotations

from typing import Any

from django.db.models import Field
from django.db.models.options import Options


def column(meta: Options[Any], name: str) -> str:
    """The database column of the concrete field `name`."""
    field = meta.get_field(name)
    assert isinstance(field, Field) and field.column
    return field.column
