from .categories import Category

__all__ = ["Category"]
