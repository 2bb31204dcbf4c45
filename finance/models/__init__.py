from .accounts import AccountPreference
from .alerts import AlertKind, AlertSetting, Occurrence
from .budgets import Budget, BudgetMonth
from .carry import PendingCarry
from .categories import Category
from .currency import ExchangeRate, HomeCurrency
from .networth import BalanceSnapshot, ManualAsset, ManualValue
from .portability import DataExport
from .recurring import RecurringStream
from .rules import Rule, TransactionMeta
from .splits import SplitPart
from .tags import Tag, TransactionTag
from .transfers import TransferLink

__all__ = [
    "AccountPreference",
    "AlertKind",
    "AlertSetting",
    "BalanceSnapshot",
    "Budget",
    "BudgetMonth",
    "Category",
    "DataExport",
    "ExchangeRate",
    "HomeCurrency",
    "ManualAsset",
    "ManualValue",
    "Occurrence",
    "PendingCarry",
    "RecurringStream",
    "Rule",
    "SplitPart",
    "Tag",
    "TransactionMeta",
    "TransactionTag",
    "TransferLink",
]
