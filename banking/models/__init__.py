from .audit import StaffAccessLog
from .items import Account, Institution, LinkSession, PlaidApiCall, PlaidItem
from .transactions import SyncPage, SyncRun, Transaction
from .webhooks import WebhookEvent

__all__ = [
    "Account",
    "Institution",
    "LinkSession",
    "PlaidApiCall",
    "PlaidItem",
    "StaffAccessLog",
    "SyncPage",
    "SyncRun",
    "Transaction",
    "WebhookEvent",
]
