from .categories import Category
from .rules import Rule, TransactionMeta
from .tags import Tag, TransactionTag
from .transfers import TransferLink

__all__ = ["Category", "Rule", "Tag", "TransactionMeta", "TransactionTag", "TransferLink"]
