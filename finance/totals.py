"""How every total reads a grouped row: which top-level category it counts under (if its kind
counts at all) and how split parts replace their parent. Shared by finance.selectors."""

from decimal import Decimal

from .categories import CategoryBook
from .splits import split_adjustments

ZERO = Decimal("0.00")

# What a row counts as (spending, income or neither) is its category's kind
# (finance.categories): every total groups by the three columns that decide the category and
# resolves them against the user's tree in Python, a few hundred groups at most.
CATEGORY_COLUMNS = ("category_override", "pfc_detailed", "pfc_primary")


def counted_root(book: CategoryBook, row: dict) -> str | None:
    """The top-level category code a grouped row totals under, or None when its kind does not
    count (a transfer, an excluded category)."""
    category = book.resolve(*(row[c] for c in CATEGORY_COLUMNS))
    if not book.counts(category):
        return None
    return book.root(category).code if category else ""


def with_splits(
    rows, *, user, start, end, keys, totals: dict, memo=None, household: bool = False
) -> list[dict]:
    """The grouped rows plus the split adjustments (finance.splits) in the same shape: keys(row)
    gives the row's grouping values, totals maps each sum's name to the amounts it takes.
    `household`: the rows were read with household=True, so the splits on shared rows come too."""
    out = list(rows)
    adjustments = split_adjustments(user=user, start=start, end=end, memo=memo, household=household)
    for adj in adjustments:
        sums = {
            name: adj["amount"] * adj["weight"] if wanted(adj["amount"]) else ZERO
            for name, wanted in totals.items()
        }
        if any(sums.values()):
            grouping = {
                c: adj[c]
                for c in ("iso_currency_code", "unofficial_currency_code", *CATEGORY_COLUMNS)
            }
            out.append({**grouping, **keys(adj), **sums})
    return out


def positive(amount: Decimal) -> bool:
    return amount > 0


def negative(amount: Decimal) -> bool:
    return amount < 0
