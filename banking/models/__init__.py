from .audit import StaffAccessLog
from .items import Account, Institution, LinkSession, PlaidApiCall, PlaidItem
from .outbox import SyncOutbox
from .transactions import SyncPage, SyncRun, Transaction
from .webhooks import WebhookEvent

__all__ = [
    "Account",
    "Institution",
    "LinkSession",
    "PlaidApiCall",
    "PlaidItem",
    "StaffAccessLog",
    "SyncOutbox",
    "SyncPage",
    "SyncRun",
    "Transaction",
    "WebhookEvent",
]
