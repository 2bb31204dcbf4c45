from .accounts import AccountPreference
from .carry import PendingCarry
from .categories import Category
from .currency import ExchangeRate, HomeCurrency
from .rules import Rule, TransactionMeta
from .splits import SplitPart
from .tags import Tag, TransactionTag
from .transfers import TransferLink

__all__ = [
    "AccountPreference",
    "Category",
    "ExchangeRate",
    "HomeCurrency",
    "PendingCarry",
    "Rule",
    "SplitPart",
    "Tag",
    "TransactionMeta",
    "TransactionTag",
    "TransferLink",
]
