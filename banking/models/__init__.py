from .audit import StaffAccessLog
from .items import Account, Institution, LinkSession, PlaidApiCall, PlaidItem
from .transactions import SyncRun, Transaction
from .webhooks import WebhookEvent

__all__ = [
    "Account",
    "Institution",
    "LinkSession",
    "PlaidApiCall",
    "PlaidItem",
    "StaffAccessLog",
    "SyncRun",
    "Transaction",
    "WebhookEvent",
]
