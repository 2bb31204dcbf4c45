"""How the totals read rows in either view: "mine" (the user's rows, the user's category tree)
or the household (the user's rows plus what members share with them).

In the household view a row counts under its owner's categories (on a shared account the
owner's categories and rules apply), split parts replace their parents on shared rows too, and
money moved between two members' accounts counts nowhere (finance.transfers pairs it when read).
The callers convert every row to the viewer's home currency, as in "mine".
"""

from __future__ import annotations

from django.contrib.auth import get_user_model

from .. import access
from ..categories import CategoryBook, category_book
from ..splits import split_adjustments
from ..totals import CATEGORY_COLUMNS, ZERO, counted_root, with_splits
from ..transfers import household_transfer_pairs

GROUPING = ("iso_currency_code", "unofficial_currency_code", *CATEGORY_COLUMNS, "user_id")


class TotalsScope:
    def __init__(self, *, user, book: CategoryBook, household: bool = False):
        self.user, self.book, self.household = user, book, household
        # A grouped query adds these columns: in the household view, whose row it is.
        self.values: tuple[str, ...] = ("user_id",) if household else ()
        self._books = {user.pk: book}

    def visible_parts(self) -> list:
        """The rows this view totals, as querysets that each read one index in the household
        view (access.transaction_parts): a grouped total runs once per part and its rows are
        summed in Python, as they are anyway. One OR would read every user's rows of the
        period through the date index."""
        if not self.household:
            return [access.transactions_visible(self.user)]
        rows, parts = access.transactions_by_parts(self.user, household=True)
        return [rows.filter(part) for part in parts]

    def book_for(self, row: dict) -> CategoryBook:
        owner_id = row.get("user_id", self.user.pk)
        if owner_id not in self._books:
            # Rows reach here only through access.transactions_visible(household=True), so
            # their owner is the viewer or a member sharing with them.
            owner = get_user_model()(pk=owner_id)
            self._books[owner_id] = category_book(user=owner)
        return self._books[owner_id]

    def root(self, row: dict) -> str | None:
        return counted_root(self.book_for(row), row)

    def label(self, code: str) -> str:
        if code not in self.book.by_code:
            for book in self._books.values():
                if code in book.by_code:
                    return book.label(code)
        return self.book.label(code)

    def rows(self, rows, *, start, end, keys, totals: dict, memo=None) -> list[dict]:
        """The grouped rows plus their adjustments (split parts; in the household view also
        the members' transfers taken out), in the grouped rows' shape."""
        if not self.household:
            return with_splits(
                rows, user=self.user, start=start, end=end, keys=keys, totals=totals, memo=memo
            )
        out = list(rows)
        # A copy: the memo's list is shared with the request's other totals.
        adjustments = list(
            split_adjustments(user=self.user, start=start, end=end, memo=memo, household=True)
        )
        for pair in household_transfer_pairs(user=self.user, start=start, end=end):
            adjustments += [_taken_out(t) for t in pair if start <= t.date <= end]
        for adj in adjustments:
            sums = {
                name: adj["amount"] * adj["weight"] if wanted(adj["amount"]) else ZERO
                for name, wanted in totals.items()
            }
            if any(sums.values()):
                out.append({**{c: adj[c] for c in GROUPING}, **keys(adj), **sums})
        return out


def _taken_out(t) -> dict:
    return {
        "iso_currency_code": t.iso_currency_code,
        "unofficial_currency_code": t.unofficial_currency_code,
        "category_override": t.category_override,
        "pfc_detailed": t.pfc_detailed,
        "pfc_primary": t.pfc_primary,
        "user_id": t.user_id,
        "date": t.date,
        "amount": t.amount,
        "weight": -1,
    }
