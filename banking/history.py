"""A bank's history in plain sentences for its owner. Plaid's codes stay in the admin."""

from django.contrib.humanize.templatetags.humanize import intcomma

from .models import SyncRun, WebhookEvent

WHY = {
    SyncRun.Trigger.INITIAL: "first import",
    SyncRun.Trigger.WEBHOOK: "Plaid had news",
    SyncRun.Trigger.DAILY: "daily check",
    SyncRun.Trigger.MANUAL: "you asked",
}

WEBHOOK_SENTENCES = {
    ("TRANSACTIONS", "SYNC_UPDATES_AVAILABLE"): "Plaid said new transactions were ready.",
    ("TRANSACTIONS", "DEFAULT_UPDATE"): "Plaid said new transactions were ready.",
    ("TRANSACTIONS", "INITIAL_UPDATE"): "Plaid said your recent transactions were ready.",
    ("TRANSACTIONS", "HISTORICAL_UPDATE"): "Plaid said your older transactions were ready.",
    ("TRANSACTIONS", "TRANSACTIONS_REMOVED"): "Plaid said the bank withdrew some transactions.",
    ("ITEM", "ERROR"): "Plaid said the connection ran into a problem.",
    ("ITEM", "PENDING_EXPIRATION"): "Plaid said access to this bank ends soon.",
    ("ITEM", "PENDING_DISCONNECT"): "Plaid said this bank will disconnect soon.",
    ("ITEM", "USER_PERMISSION_REVOKED"): "Plaid said access was turned off at the bank.",
    ("ITEM", "USER_ACCOUNT_REVOKED"): "Plaid said access to an account was turned off.",
    ("ITEM", "LOGIN_REPAIRED"): "Plaid said the sign-in works again.",
    ("ITEM", "NEW_ACCOUNTS_AVAILABLE"): "Plaid said the bank has new accounts you can add.",
    ("ITEM", "WEBHOOK_UPDATE_ACKNOWLEDGED"): "Plaid confirmed where to send its news.",
}


def _count(n: int, word: str) -> str:
    return f"{intcomma(n)} {word}{'' if n == 1 else 's'}"


def sync_run_sentence(run: SyncRun) -> str:
    outcome = run.outcome
    if outcome == SyncRun.Outcome.RUNNING:
        return "Updating now…"
    if outcome == SyncRun.Outcome.NOT_READY:
        return "The bank wasn't ready yet; we'll fetch the transactions when Plaid says they are."
    if outcome == SyncRun.Outcome.RETRYING:
        return "The bank was busy, so we'll try again shortly."
    if outcome == SyncRun.Outcome.FAILED:
        return "The update didn't finish; we'll try again."
    changes = [
        _count(run.added, "new transaction") if run.added else "",
        f"{intcomma(run.modified)} changed" if run.modified else "",
        f"{intcomma(run.removed)} removed" if run.removed else "",
    ]
    changes = [c for c in changes if c]
    if not changes:
        return "Checked for new transactions: nothing new."
    return f"Synced {', '.join(changes)}."


def sync_run_why(run: SyncRun) -> str:
    return WHY.get(run.trigger, "")


def webhook_sentence(event: WebhookEvent) -> str:
    sentence = WEBHOOK_SENTENCES.get(
        (event.webhook_type, event.webhook_code), "Plaid sent news about this bank."
    )
    if event.outcome in (WebhookEvent.Outcome.PENDING, WebhookEvent.Outcome.PROCESSING):
        return f"{sentence} We're on it."
    return sentence
