from .audit import StaffAccessLog
from .items import Account, Institution, LinkSession, PlaidApiCall, PlaidItem
from .outbox import SyncOutbox
from .transactions import SyncPage, SyncRun, Transaction
from .wealth import Holding, InvestmentTransaction, Liability, Security
from .webhooks import WebhookEvent

__all__ = [
    "Account",
    "Holding",
    "InvestmentTransaction",
    "Institution",
    "Liability",
    "LinkSession",
    "PlaidApiCall",
    "PlaidItem",
    "Security",
    "StaffAccessLog",
    "SyncOutbox",
    "SyncPage",
    "SyncRun",
    "Transaction",
    "WebhookEvent",
]
