"""Which Plaid error puts an item in which state: one table, used by every entry point.

Four places meet Plaid's error codes:
- LINK: linking a bank or update mode (a failed step, or /item/get reporting `item.error`);
- SYNC: /transactions/sync or "Refresh now" failing;
- HEALTH: the daily /item/get, failing or reporting `item.error`;
- WEBHOOK: an ITEM ERROR webhook naming a code.

Each code has one Rule: the status it means, the message a person reads when Plaid sends no
display_message, and what the owner can do about it. The entry points differ only for transient
codes, and `decide` says how: a sync retries them (the item keeps its status until the retries
are spent), the health check only logs them (tomorrow's check looks again), and when Plaid
itself reports one on the item (link, webhook) the item shows `error` until a sync succeeds.
Whether a failed call is worth retrying at all (PlaidError.retryable) is read from this table
too.

Codes that Link raises while the person signs in (INVALID_CREDENTIALS, INVALID_MFA,
USER_SETUP_REQUIRED, ...) mean `login_required` wherever they are seen: the fix is always the
person signing in again in update mode, so the item offers Reconnect rather than "we are having
trouble". PENDING_EXPIRATION is a webhook code, not an error code, and is not in this table: the
webhook handler and the health check set `pending_expiration` from the consent's expiry.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from ..models import PlaidItem

Status = PlaidItem.Status


class Entry(StrEnum):
    LINK = "link"
    SYNC = "sync"
    HEALTH = "health"
    WEBHOOK = "webhook"


class Action(StrEnum):
    RECONNECT = "reconnect"  # update mode: sign in to the bank again
    REMOVE = "remove"  # remove the connection, or link it again
    WAIT = "wait"  # nothing to do: we keep trying
    START_OVER = "start_over"  # a Link step expired: open Link again
    STAFF = "staff"  # our configuration: staff are alerted, the item is not to blame


@dataclass(frozen=True)
class Rule:
    # None: the code says nothing about the item (our configuration, or no item exists yet).
    status: str | None
    message: str
    action: Action
    transient: bool = False


@dataclass(frozen=True)
class Decision:
    # None: leave the item's status as it is.
    status: str | None
    retry: bool
    message: str
    action: Action


SIGN_IN_AGAIN = Rule(
    Status.LOGIN_REQUIRED, "Your bank needs you to sign in again.", Action.RECONNECT
)
REVOKED = Rule(
    Status.REVOKED,
    "Access to this bank was turned off. Reconnect it, or remove it.",
    Action.REMOVE,
)
TRANSIENT = Rule(
    Status.ERROR,
    "Your bank or Plaid is having trouble right now. Please try again in a while.",
    Action.WAIT,
    transient=True,
)
OURS = Rule(
    None, "Something went wrong while talking to your bank. Please try again.", Action.STAFF
)
LINK_EXPIRED = Rule(
    None,
    "That bank sign-in has expired or was already used. Please connect again.",
    Action.START_OVER,
)
UNKNOWN = Rule(
    Status.ERROR, "Something went wrong while talking to your bank. Please try again.", Action.WAIT
)

TABLE: dict[str, Rule] = {
    "ITEM_LOGIN_REQUIRED": SIGN_IN_AGAIN,
    "ACCESS_NOT_GRANTED": SIGN_IN_AGAIN,
    "NO_ACCOUNTS": SIGN_IN_AGAIN,
    "ADDITIONAL_CONSENT_REQUIRED": SIGN_IN_AGAIN,
    "INVALID_CREDENTIALS": SIGN_IN_AGAIN,
    "INVALID_MFA": SIGN_IN_AGAIN,
    "USER_SETUP_REQUIRED": SIGN_IN_AGAIN,
    "INVALID_ACCESS_TOKEN": REVOKED,
    "ITEM_NOT_FOUND": REVOKED,
    "USER_PERMISSION_REVOKED": REVOKED,
    "INTERNAL_SERVER_ERROR": TRANSIENT,
    "PLANNED_MAINTENANCE": TRANSIENT,
    "INSTITUTION_DOWN": TRANSIENT,
    "INSTITUTION_NOT_RESPONDING": TRANSIENT,
    "INSTITUTION_NOT_AVAILABLE": TRANSIENT,
    "PRODUCT_NOT_READY": TRANSIENT,
    "TRANSACTIONS_SYNC_MUTATION_DURING_PAGINATION": TRANSIENT,
    "TRANSACTIONS_SYNC_LIMIT": TRANSIENT,
    "RATE_LIMITED_LOCALLY": TRANSIENT,
    "NETWORK_ERROR": TRANSIENT,
    "INVALID_RESPONSE": TRANSIENT,
    "CIRCUIT_OPEN": OURS,
    "TOKEN_ENVIRONMENT_MISMATCH": OURS,
    "INVALID_API_KEYS": OURS,
    "INVALID_PUBLIC_TOKEN": LINK_EXPIRED,
    "INVALID_LINK_TOKEN": LINK_EXPIRED,
}


def rule_for(code: str, *, retryable: bool = False) -> Rule:
    """The code's rule; an unknown code is transient when Plaid marked the error retryable (a
    5xx, a rate limit) and an item error otherwise."""
    rule = TABLE.get(code)
    if rule is None:
        rule = TRANSIENT if retryable else UNKNOWN
    return rule


def decide(code: str, entry: Entry, *, retryable: bool = False) -> Decision:
    """What `entry` does with the error `code`: the status to set, whether to retry, and the
    message and action for the owner."""
    rule = rule_for(code, retryable=retryable)
    if rule.transient and entry is Entry.SYNC:
        return Decision(None, True, rule.message, rule.action)
    if rule.transient and entry is Entry.HEALTH:
        return Decision(None, False, rule.message, rule.action)
    if rule.status is None and entry in (Entry.LINK, Entry.WEBHOOK):
        # Plaid itself reports the error on the item: whatever the code, it is in error.
        return Decision(Status.ERROR, False, rule.message, rule.action)
    return Decision(rule.status, False, rule.message, rule.action)
