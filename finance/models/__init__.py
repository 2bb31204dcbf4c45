from .accounts import AccountPreference
from .alerts import AlertKind, AlertSetting, Occurrence
from .budgets import Budget, BudgetMonth
from .carry import PendingCarry
from .categories import Category
from .rules import Rule, TransactionMeta
from .splits import SplitPart
from .tags import Tag, TransactionTag
from .transfers import TransferLink

__all__ = [
    "AccountPreference",
    "AlertKind",
    "AlertSetting",
    "Occurrence",
    "Budget",
    "BudgetMonth",
    "Category",
    "PendingCarry",
    "Rule",
    "SplitPart",
    "Tag",
    "TransactionMeta",
    "TransactionTag",
    "TransferLink",
]
