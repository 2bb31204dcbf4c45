from .categories import Category
from .rules import Rule, TransactionMeta
from .tags import Tag, TransactionTag

__all__ = ["Category", "Rule", "Tag", "TransactionMeta", "TransactionTag"]
