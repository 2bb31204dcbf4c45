"""Keeping streams fresh: after each committed sync, and when Plaid says streams changed."""

from banking.models import PlaidItem, SyncOutbox
from banking.outbox import outbox_hook_register
from banking.webhooks.announce import recurring_hook_register

from .services import recurring_refresh


def recurring_run(outbox: SyncOutbox) -> None:
    """Idempotent: a refresh over the same transactions writes the same streams. The detector
    re-reads only the groups of the rows this sync changed."""
    if outbox.added or outbox.modified or outbox.removed:
        recurring_refresh(
            user=outbox.item.user,
            item=outbox.item,
            changed=(list(outbox.added), list(outbox.modified), list(outbox.removed)),
        )


def recurring_webhook(item: PlaidItem) -> None:
    recurring_refresh(user=item.user, item=item)


def recurring_hooks_register() -> None:
    outbox_hook_register("finance.recurring_run", recurring_run)
    recurring_hook_register("finance.recurring_webhook", recurring_webhook)
