"""The circuit breaker in front of Plaid (used by banking.plaid.client only).

A configuration mistake (wrong keys, wrong environment, a database restored from another
environment) looks like every item failing at once. Marking all of them revoked would be wrong
and hard to undo, so on INVALID_API_KEYS, or INVALID_ACCESS_TOKEN from many different items in a
short window, we stop calling Plaid for a while (state in the Redis cache, shared by every
process) and tell staff. `python manage.py plaid_check` closes it again.
"""

import logging

from django.conf import settings
from django.core.cache import cache

from config.mail import admins_mail_send

from ..models import PlaidItem
from .errors import PlaidError

logger = logging.getLogger("banking.plaid")

CIRCUIT_KEY = "plaid:circuit:open"
_BAD_TOKEN_COUNT_KEY = "plaid:circuit:bad-token-count"
_BAD_TOKEN_ITEM_KEY = "plaid:circuit:bad-token-item:{}"


def circuit_is_open() -> bool:
    return bool(cache.get(CIRCUIT_KEY))


def circuit_reset() -> None:
    cache.delete(CIRCUIT_KEY)
    cache.delete(_BAD_TOKEN_COUNT_KEY)


def _trip_circuit(reason: str) -> None:
    ttl = settings.PLAID_CIRCUIT_OPEN_SECONDS
    first = cache.add(CIRCUIT_KEY, reason, timeout=ttl)
    if not first:
        return
    logger.error("plaid circuit breaker opened: %s", reason)
    try:
        admins_mail_send(
            subject="Plaid calls stopped: configuration problem",
            body=f"{reason}\n\nCalls to Plaid are paused for {ttl // 60} minutes. Check PLAID_ENV, "
            "PLAID_CLIENT_ID and PLAID_SECRET, then run `python manage.py plaid_check`.",
        )
    except Exception:  # an alert must never hide the original error
        logger.exception("could not mail admins about the plaid circuit breaker")


def note_error(error: PlaidError, item: PlaidItem | None) -> None:
    if error.error_code == "INVALID_API_KEYS":
        _trip_circuit("Plaid rejected our client id or secret (INVALID_API_KEYS).")
    elif error.error_code == "INVALID_ACCESS_TOKEN" and item is not None:
        window = settings.PLAID_CIRCUIT_WINDOW_SECONDS
        threshold = settings.PLAID_CIRCUIT_BAD_TOKEN_ITEMS
        # Count distinct items: one item retried many times is not a burst.
        if cache.add(_BAD_TOKEN_ITEM_KEY.format(item.item_id), 1, timeout=window):
            cache.add(_BAD_TOKEN_COUNT_KEY, 0, timeout=window)
            count = cache.incr(_BAD_TOKEN_COUNT_KEY)
            if count >= threshold:
                _trip_circuit(
                    f"{count} different items got INVALID_ACCESS_TOKEN within {window} seconds."
                )
