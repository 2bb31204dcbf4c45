"""Plaid webhooks: verify (the signed JWT), record (one row per delivery), handle (what each
code does), drain (claiming and working off recorded events)."""

from .record import webhook_record
from .verify import (
    VerifiedWebhook,
    WebhookRejected,
    webhook_key_get,
    webhook_rejection_count,
    webhook_rejection_note,
    webhook_verify,
)

__all__ = [
    "VerifiedWebhook",
    "WebhookRejected",
    "webhook_key_get",
    "webhook_rejection_count",
    "webhook_rejection_note",
    "webhook_record",
    "webhook_verify",
]
