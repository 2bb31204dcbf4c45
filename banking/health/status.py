"""The item state machine: the one place an item's status changes, and the owner's email.

Every piece of news about an item (a failed sync, the daily health check, a webhook, a
successful reconnect) goes through `item_set_status` or `item_set_stale`. The owner is emailed
only when the item's *state* changes, so a webhook and a failing sync reporting the same
ITEM_LOGIN_REQUIRED send one email, and the daily check does not repeat yesterday's email.

The banner is the item's stored state: templates/banking/_connection_banner.html renders it for
every item that is not healthy, so it clears itself when the state goes back to healthy.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from config.mail import site_mail_send

from ..models import PlaidItem

logger = logging.getLogger(__name__)

Status = PlaidItem.Status
STALE = "stale"

# States worth an email: the owner has to act, or should know their data stopped updating.
NOTIFY_STATES = {
    Status.LOGIN_REQUIRED,
    Status.PENDING_EXPIRATION,
    Status.PENDING_DISCONNECT,
    Status.REVOKED,
    Status.ERROR,
    STALE,
}

# The email subject for each state (the page banner, _connection_banner.html, says more).
_SUBJECTS = {
    Status.LOGIN_REQUIRED: "{bank} needs you to sign in again.",
    Status.PENDING_EXPIRATION: "Your access to {bank} expires soon. Reconnect to keep it.",
    Status.PENDING_DISCONNECT: "{bank} will disconnect soon. Reconnect to keep it.",
    Status.REVOKED: "Access to {bank} was revoked. Remove it or connect it again.",
    Status.ERROR: "We are having trouble updating {bank}. We will keep trying.",
    STALE: "{bank} has not updated for a few days.",
}
# Where the banner's button goes: reconnect (update mode) or the item page.
_ACTIONS = {
    Status.LOGIN_REQUIRED: ("Reconnect", "reconnect/"),
    Status.PENDING_EXPIRATION: ("Reconnect", "reconnect/"),
    Status.PENDING_DISCONNECT: ("Reconnect", "reconnect/"),
    Status.REVOKED: ("Review", ""),
    Status.ERROR: ("Details", ""),
    STALE: ("Details", ""),
}


@dataclass(frozen=True)
class ItemNotice:
    """What to tell an item's owner about a change of state, in banking's words."""

    item_pk: int
    user_id: int
    state: str
    subject: str
    body: str
    path: str
    changed_at: datetime


_notice_handlers: dict[str, Callable[[ItemNotice], None]] = {}


def item_notice_register(name: str, fn: Callable[[ItemNotice], None]) -> None:
    """Hand every notice to fn instead of emailing it here: the app that keeps the user's
    notification settings (finance.alerts) decides whether and how to tell them. Registering a
    name again replaces it."""
    _notice_handlers[name] = fn


def item_state(status: str, is_stale: bool) -> str:
    """What the owner was told about: the status, or `stale` for a quiet healthy item."""
    if status == Status.HEALTHY and is_stale:
        return STALE
    return status


def item_set_status(
    *, item: PlaidItem, status: str, error_code: str = "", message: str = "", source: str = ""
) -> bool:
    """Store the item's status; email the owner if its state changed into one worth telling.

    Returns True when the state changed. Safe to call concurrently from a worker and a
    webhook: the change of state is claimed by one conditional UPDATE, so exactly one caller
    sees it and sends the email.
    """
    if status == Status.HEALTHY:
        error_code, message = "", ""
    fields = {
        "status": status,
        "error_code": (error_code or "")[:64],
        "error_message": message or "",
        "updated_at": timezone.now(),
    }
    is_stale = PlaidItem.objects.filter(pk=item.pk).values_list("is_stale", flat=True).first()
    if is_stale is None:
        return False  # deleted meanwhile
    changed = _transition(item, item_state(status, is_stale), fields, source)
    for name, value in fields.items():
        setattr(item, name, value)
    return changed


def item_set_stale(*, item: PlaidItem, stale: bool, source: str = "") -> bool:
    """Flag (or clear) "no successful sync for days", through the same once-per-state rule."""
    status = PlaidItem.objects.filter(pk=item.pk).values_list("status", flat=True).first()
    if status is None:
        return False
    fields = {"is_stale": stale, "updated_at": timezone.now()}
    changed = _transition(item, item_state(status, stale), fields, source)
    item.is_stale = stale
    return changed


def _transition(item: PlaidItem, new_state: str, fields: dict, source: str) -> bool:
    # One statement decides who reports the change: only the UPDATE that moves notified_state
    # to the new state matches the row; a concurrent caller with the same news matches none.
    changed = (
        PlaidItem.objects.filter(pk=item.pk)
        .exclude(notified_state=new_state)
        .update(notified_state=new_state, **fields)
    )
    if not changed:
        PlaidItem.objects.filter(pk=item.pk).update(**fields)
        return False
    previous = item.notified_state
    item.notified_state = new_state
    logger.info(
        "item %s state %s -> %s (source=%s)", item.item_id, previous or "-", new_state, source
    )
    if new_state in NOTIFY_STATES:
        item_pk = item.pk
        # After commit: a rolled-back change of state must not have emailed anyone.
        transaction.on_commit(lambda: _email_owner(item_pk, new_state, fields))
    return True


def _email_owner(item_pk: int, state: str, fields: dict) -> None:
    item = PlaidItem.objects.select_related("user", "institution").filter(pk=item_pk).first()
    if item is None or not item.user.email:
        return
    bank = item.display_name
    label, suffix = _ACTIONS.get(state, ("Details", ""))
    path = f"/banks/{item.public_id}/{suffix}"
    subject = _SUBJECTS[state].format(bank=bank)
    lines = [subject, ""]
    if fields.get("error_message"):
        lines += [fields["error_message"], ""]
    lines += [
        f"{label}: {settings.SITE_URL}{path}",
        "",
        "You get this once per change, not every day.",
    ]
    notice = ItemNotice(
        item_pk=item.pk,
        user_id=item.user_id,
        state=state,
        subject=subject,
        body="\n".join(lines),
        path=path,
        changed_at=fields["updated_at"],
    )
    try:
        if _notice_handlers:
            for fn in list(_notice_handlers.values()):
                fn(notice)
        else:
            # No app keeps notification settings (banking on its own): email it here.
            site_mail_send(subject=subject, body=notice.body, recipient_list=[item.user.email])
    except Exception:
        # The state is stored and the banner shows it; a mail outage must not fail the sync.
        logger.exception("could not tell the owner of item %s about %s", item.item_id, state)
