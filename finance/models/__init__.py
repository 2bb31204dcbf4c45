from .accounts import AccountPreference
from .alerts import AlertKind, AlertSetting, Occurrence
from .budgets import Budget, BudgetMonth
from .carry import PendingCarry
from .categories import Category
from .currency import ExchangeRate, HomeCurrency
from .households import AccountShare, Household, Invitation, Membership, TransactionAudit
from .networth import BalanceSnapshot, ManualAsset, ManualValue
from .portability import DataExport, DataImport
from .recurring import RecurringStream
from .rules import Rule, TransactionMeta
from .splits import SplitPart
from .tags import Tag, TransactionTag
from .transfers import TransferLink

__all__ = [
    "AccountShare",
    "AccountPreference",
    "AlertKind",
    "AlertSetting",
    "BalanceSnapshot",
    "Budget",
    "BudgetMonth",
    "Category",
    "DataExport",
    "DataImport",
    "ExchangeRate",
    "HomeCurrency",
    "Household",
    "Invitation",
    "ManualAsset",
    "ManualValue",
    "Membership",
    "Occurrence",
    "PendingCarry",
    "RecurringStream",
    "Rule",
    "SplitPart",
    "Tag",
    "TransactionAudit",
    "TransactionMeta",
    "TransactionTag",
    "TransferLink",
]
