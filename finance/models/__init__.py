from .categories import Category
from .rules import Rule, TransactionMeta

__all__ = ["Category", "Rule", "TransactionMeta"]
