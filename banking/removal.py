"""Services for existing bank connections: accounts refresh and removal."""

from __future__ import annotations

import logging

from django.core.mail import mail_admins
from django.db import transaction
from django.utils import timezone

from . import plaid as plaid_api
from .models import Account, PlaidItem

logger = logging.getLogger(__name__)

# Removal retries: about 1 min, 5 min, 25 min, 2 h, 10 h; then staff are told.
REMOVAL_MAX_ATTEMPTS = 6
REMOVAL_BACKOFF_SECONDS = 60


def _text(value) -> str:
    return value or ""


def accounts_upsert(*, item: PlaidItem, raw_accounts: list[dict]) -> list[Account]:
    """Store Plaid's accounts for an item, keyed by account_id (idempotent)."""
    now = timezone.now()
    stored = []
    for raw in raw_accounts:
        balances = raw.get("balances") or {}
        account, _ = Account.objects.update_or_create(
            account_id=raw["account_id"],
            item=item,
            defaults={
                "name": _text(raw.get("name"))[:200],
                "official_name": _text(raw.get("official_name"))[:300],
                "mask": _text(raw.get("mask"))[:8],
                "type": _text(raw.get("type"))[:32],
                "subtype": _text(raw.get("subtype"))[:64],
                "current_balance": balances.get("current"),
                "available_balance": balances.get("available"),
                "limit": balances.get("limit"),
                "iso_currency_code": _text(balances.get("iso_currency_code")),
                "unofficial_currency_code": _text(balances.get("unofficial_currency_code")),
                "balances_updated_at": now,
            },
        )
        stored.append(account)
    return stored


def accounts_refresh(*, item: PlaidItem) -> list[Account]:
    """Fetch accounts and balances (Plaid's cached balances, not the paid real-time ones)."""
    return accounts_upsert(item=item, raw_accounts=plaid_api.accounts_get(item))


def _item_delete(item: PlaidItem) -> None:
    # Accounts, transactions, sync runs and link sessions go with it (on_delete=CASCADE).
    with transaction.atomic():
        PlaidItem.objects.filter(pk=item.pk).delete()
    logger.info("item %s removed", item.item_id)


def item_remove(*, item: PlaidItem) -> bool:
    """Remove the item at Plaid, then delete it here. Returns True when it is gone.

    An item left at Plaid keeps being billed, so local data is deleted only once Plaid has
    confirmed. On a failure the item shows "being removed" and a background task retries.
    """
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
    if attempts >= REMOVAL_MAX_ATTEMPTS:
        # Not retryable by waiting any longer: a person has to look (keys, environment).
        logger.error("item %s could not be removed at Plaid: %s", item.item_id, exc.error_code)
        mail_admins(
            "A bank connection could not be removed at Plaid",
            f"Item {item.item_id} (pk {item.pk}) is still at Plaid after {attempts} attempts: "
            f"{exc.error_code}. It keeps being billed until removed.",
            fail_silently=True,
        )
        return
    from .tasks_link import item_remove_retry

    countdown = REMOVAL_BACKOFF_SECONDS * 5 ** (attempts - 1)
    pk = item.pk
    transaction.on_commit(lambda: item_remove_retry.apply_async((pk,), countdown=countdown))


def item_remove_retry(*, item_pk: int) -> None:
    item = PlaidItem.objects.filter(pk=item_pk, status=PlaidItem.Status.REMOVING).first()
    if item is not None:
        item_remove(item=item)


def user_items_remove(*, user) -> list[PlaidItem]:
    """Remove every item of a user at Plaid (account deletion). Returns the items still being
    removed: the caller must not delete the user while any remain, or their access tokens
    (and Plaid's billing for them) would be stranded."""
    remaining = []
    for item in PlaidItem.objects.for_user(user).order_by("pk"):
        if not item_remove(item=item):
            remaining.append(item)
    return remaining
