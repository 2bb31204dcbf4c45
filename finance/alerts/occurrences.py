"""Claiming an occurrence (the at-most-once step) and the in-site notification list."""

from __future__ import annotations

import logging
from functools import partial

from django.db import IntegrityError, transaction
from django.utils import timezone

from config.tasks_util import BROKER_ERRORS

from .. import access
from .. import task_names as names
from ..models import Occurrence

logger = logging.getLogger(__name__)


def occurrence_claim(
    *, user, kind: str, key: str, title: str, body: str = "", url: str = "", email: bool = True
) -> Occurrence | None:
    """Insert the occurrence; None when its key was already taken (told before, or being told
    by a concurrent evaluation). Only the caller whose INSERT succeeded sends the email, after
    the row commits."""
    try:
        with transaction.atomic():
            row = Occurrence.objects.create(
                user=user, kind=kind, key=key[:200], title=title[:300], body=body, url=url[:300]
            )
    except IntegrityError:
        return None
    if email and user.email:
        transaction.on_commit(partial(_email_enqueue, row.pk))
    else:
        Occurrence.objects.filter(pk=row.pk).update(emailed_at=timezone.now())
    return row


def occurrences_claim(*, user, claims: list[dict]) -> int:
    """Claim many at once (each dict: kind, key, title, body, url): one INSERT when none of
    the keys is taken, which the caller has just read. When one was taken in between (a
    concurrent evaluation), the INSERT fails as a whole and each is claimed on its own.
    Returns how many this call claimed."""
    if not claims:
        return 0
    try:
        with transaction.atomic():
            rows = Occurrence.objects.bulk_create(
                [
                    Occurrence(
                        user=user,
                        kind=c["kind"],
                        key=c["key"][:200],
                        title=c["title"][:300],
                        body=c.get("body", ""),
                        url=c.get("url", "")[:300],
                    )
                    for c in claims
                ]
            )
    except IntegrityError:
        return sum(1 for c in claims if occurrence_claim(user=user, **c))
    ids = [row.pk for row in rows]
    if user.email:
        transaction.on_commit(partial(_emails_enqueue, ids))
    else:
        Occurrence.objects.filter(pk__in=ids).update(emailed_at=timezone.now())
    return len(rows)


def occurrence_keys_taken(*, user, keys: list[str]) -> set[str]:
    """Which of these keys were claimed already: one indexed read, so a sync that brings no
    news costs no failed INSERT per budget (the INSERT stays the guarantee)."""
    if not keys:
        return set()
    taken = access.occurrences_visible(user).filter(key__in=keys).order_by()
    return set(taken.values_list("key", flat=True))


def _enqueue(task_name: str, **kwargs) -> None:
    try:
        names.task(task_name).apply_async(kwargs=kwargs, retry=False)
    except BROKER_ERRORS as exc:
        # The rows stay unsent; the beat sweep (finance.tasks.alerts_beat) sends them.
        logger.warning(
            "could not enqueue alert email(s)",
            extra={**kwargs, "error": exc.__class__.__name__},
        )


def _email_enqueue(occurrence_id: int) -> None:
    _enqueue(names.ALERT_EMAIL_SEND, occurrence_id=occurrence_id)


def _emails_enqueue(occurrence_ids: list[int]) -> None:
    """Several claimed at once: one message, which a worker fans out into one send task per
    email (each retried on its own), so the hook that claimed them pays for one enqueue."""
    if len(occurrence_ids) == 1:
        _email_enqueue(occurrence_ids[0])
    else:
        _enqueue(names.ALERT_EMAILS_SEND, occurrence_ids=occurrence_ids)


def occurrence_emails_enqueue(*, occurrence_ids: list[int]) -> int:
    """The fan-out (finance.tasks.alert_emails_send): one send task per email."""
    for occurrence_id in occurrence_ids:
        _email_enqueue(occurrence_id)
    return len(occurrence_ids)


def notifications_for_user(*, user, limit: int = 100) -> list[Occurrence]:
    return list(access.occurrences_visible(user)[:limit])


def notifications_unread_count(*, user) -> int:
    return access.occurrences_visible(user).filter(read_at__isnull=True).count()


def notifications_mark_read(*, user) -> int:
    return (
        access.occurrences_visible(user).filter(read_at__isnull=True).update(read_at=timezone.now())
    )
