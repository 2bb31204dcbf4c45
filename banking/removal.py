"""Removing a bank connection: at Plaid first, then here, retried in the background."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from config.mail import admins_mail_send

from . import plaid as plaid_api
from . import task_names
from .models import PlaidItem

logger = logging.getLogger(__name__)

# Removal retries: about 1 min, 5 min, 25 min, 2 h, 10 h; then staff are told, and the sweeper
# keeps trying once a day.
REMOVAL_MAX_ATTEMPTS = 6
REMOVAL_BACKOFF_SECONDS = 60
REMOVAL_MAX_BACKOFF_SECONDS = 24 * 3600
SWEEP_BATCH = 100


def removal_delay(attempts: int) -> timedelta:
    seconds = REMOVAL_BACKOFF_SECONDS * 5 ** max(0, attempts - 1)
    return timedelta(seconds=min(seconds, REMOVAL_MAX_BACKOFF_SECONDS))


def _item_delete(item: PlaidItem) -> None:
    # Accounts, transactions, sync runs and link sessions go with it (on_delete=CASCADE).
    with transaction.atomic():
        PlaidItem.objects.filter(pk=item.pk).delete()
    logger.info("item %s removed", item.item_id)


def item_remove(*, item: PlaidItem) -> bool:
    """Remove the item at Plaid, then delete it here. Returns True when it is gone.

    An item left at Plaid keeps being billed, so local data is deleted only once Plaid has
    confirmed. On a failure the item shows "being removed" and a background task retries.
    A manual item is not at Plaid: it is deleted here at once.
    """
    if item.is_manual:
        _item_delete(item)
        return True
    try:
        plaid_api.item_remove(item)
    except plaid_api.PlaidError as exc:
        if exc.error_code != "ITEM_NOT_FOUND":  # already gone at Plaid: fine
            _removal_postpone(item, exc)
            return False
    _item_delete(item)
    return True


def _removal_postpone(item: PlaidItem, exc: plaid_api.PlaidError) -> None:
    attempts = item.removal_attempts + 1
    PlaidItem.objects.filter(pk=item.pk).update(
        status=PlaidItem.Status.REMOVING, removal_attempts=attempts, updated_at=timezone.now()
    )
    item.status, item.removal_attempts = PlaidItem.Status.REMOVING, attempts
    if attempts == REMOVAL_MAX_ATTEMPTS:
        # Waiting has not helped: a person has to look (keys, environment). Told once; the
        # sweeper goes on trying daily.
        logger.error("item %s could not be removed at Plaid: %s", item.item_id, exc.error_code)
        admins_mail_send(
            subject="A bank connection could not be removed at Plaid",
            body=f"Item {item.item_id} (pk {item.pk}) is still at Plaid after {attempts} attempts: "
            f"{exc.error_code}. It keeps being billed until removed.",
        )
    if attempts >= REMOVAL_MAX_ATTEMPTS:
        return
    # The fast path; if this message is lost (broker down), items_removal_sweep retries.
    countdown = removal_delay(attempts).total_seconds()
    pk = item.pk
    retry = task_names.task(task_names.ITEM_REMOVE_RETRY)
    transaction.on_commit(lambda: retry.apply_async((pk,), countdown=countdown))


def item_remove_retry(*, item_pk: int) -> None:
    item = PlaidItem.objects.filter(pk=item_pk, status=PlaidItem.Status.REMOVING).first()
    if item is not None:
        item_remove(item=item)


def items_removal_sweep(*, now: datetime | None = None) -> int:
    """Retry every item left `removing` whose backoff has run out (its retry task was lost, or
    it is past REMOVAL_MAX_ATTEMPTS). Each is claimed by moving updated_at with a conditional
    UPDATE, so a concurrent sweep or retry task does not remove it twice. Returns how many
    were tried."""
    now = now or timezone.now()
    removing = PlaidItem.objects.filter(status=PlaidItem.Status.REMOVING).order_by("updated_at")
    tried = 0
    for item in removing[:SWEEP_BATCH]:
        if item.updated_at + removal_delay(item.removal_attempts) > now:
            continue
        claimed = PlaidItem.objects.filter(pk=item.pk, updated_at=item.updated_at)
        if claimed.update(updated_at=now):
            item_remove(item=item)
            tried += 1
    return tried


def user_items_remove(*, user: User) -> list[PlaidItem]:
    """Remove every item of a user at Plaid (account deletion). Returns the items still being
    removed: the caller must not delete the user while any remain, or their access tokens
    (and Plaid's billing for them) would be stranded."""
    remaining = []
    for item in PlaidItem.objects.for_user(user).order_by("pk"):
        if not item_remove(item=item):
            remaining.append(item)
    return remaining
