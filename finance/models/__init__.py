from .accounts import AccountPreference
from .carry import PendingCarry
from .categories import Category
from .networth import BalanceSnapshot, ManualAsset, ManualValue
from .recurring import RecurringStream
from .rules import Rule, TransactionMeta
from .splits import SplitPart
from .tags import Tag, TransactionTag
from .transfers import TransferLink

__all__ = [
    "AccountPreference",
    "BalanceSnapshot",
    "Category",
    "ManualAsset",
    "ManualValue",
    "PendingCarry",
    "RecurringStream",
    "Rule",
    "SplitPart",
    "Tag",
    "TransactionMeta",
    "TransactionTag",
    "TransferLink",
]
