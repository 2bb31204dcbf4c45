"""Account-level writes that touch more than the User row."""

import logging

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction

logger = logging.getLogger(__name__)


class AccountDeletionBlocked(Exception):
    """Plaid could not confirm removal of a bank; the account is kept so nothing is orphaned."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def account_delete(*, user: AbstractBaseUser) -> None:
    """Remove the user's banks at Plaid first, then every row of theirs (cascade).

    Order matters: deleting our rows first would lose the access tokens, leaving Items alive
    (and billed) at Plaid with no way to remove them.
    """
    # Imported here: banking depends on accounts, not the other way round.
    from banking import plaid as plaid_api
    from banking import removal

    try:
        remaining = removal.user_items_remove(user=user)
    except plaid_api.PlaidError as exc:
        logger.warning(
            "account deletion blocked by Plaid",
            extra={"user": user.pk, "error_code": exc.error_code, "request_id": exc.request_id},
        )
        raise AccountDeletionBlocked(
            "We could not disconnect your banks at Plaid "
            f"({exc.error_code or 'error'}), so your account was not deleted. "
            "Please try again in a few minutes."
        ) from exc
    if remaining:
        # The removal service keeps these as "being removed" and retries in the background.
        logger.warning(
            "account deletion waits for bank removal",
            extra={"user": user.pk, "items": len(remaining)},
        )
        raise AccountDeletionBlocked(
            f"Plaid has not yet confirmed the removal of {len(remaining)} of your banks, so your "
            "account was not deleted. We keep retrying; please try again in a few minutes."
        )
    with transaction.atomic():
        user.delete()
    logger.info("account deleted", extra={"user": user.pk})
