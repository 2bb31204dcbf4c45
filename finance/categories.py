"""A user's categories: seeding, the one resolver every total and filter uses, and the edits
(rename, add, merge, hide).

A transaction's category is the user's choice (banking's `category_override`, which holds a
category code, or a legacy Plaid primary code that is also a seeded code), else the category of
its Plaid detailed code, else of its Plaid primary code, else "Uncategorised". A merged
category resolves to the one it was merged into. Totals count a row when its category's kind is
spending or income; transfers and excluded categories count nowhere.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.db.models import Q

from . import access, taxonomy
from .models import Category
from .rules import rules_category_moved
from .versions import totals_changed

COUNTED_KINDS = (Category.Kind.SPENDING, Category.Kind.INCOME)
# A chain longer than this is a bug (merges re-point aliases), never a loop to follow forever.
MAX_DEPTH = 8


class CategoryError(ValueError):
    """An edit the tree cannot take (merging a category into its own child, ...)."""


class CategoryBook:
    """A user's whole category tree in memory (about 130 rows), loaded once per request."""

    def __init__(self, categories: Iterable[Category]):
        self.categories = list(categories)
        self.by_code = {c.code: c for c in self.categories}
        self.by_pk = {c.pk: c for c in self.categories}
        # Per-request results other reads share (finance.splits).
        self.memo: dict = {}

    def fresh(self) -> CategoryBook:
        """The same tree with an empty memo: a book kept between requests (finance.alerts.standing)
        must not hand one request's split rows to the next."""
        book = object.__new__(CategoryBook)
        book.categories, book.by_code, book.by_pk = self.categories, self.by_code, self.by_pk
        book.memo = {}
        return book

    def live(self, category: Category) -> Category:
        for _ in range(MAX_DEPTH):
            if category.merged_into_id is None or category.merged_into_id not in self.by_pk:
                return category
            category = self.by_pk[category.merged_into_id]
        return category

    def root(self, category: Category) -> Category:
        for _ in range(MAX_DEPTH):
            if category.parent_id is None or category.parent_id not in self.by_pk:
                return category
            category = self.by_pk[category.parent_id]
        return category

    def resolve(self, override: str, detailed: str, primary: str) -> Category | None:
        detailed = taxonomy.V2_DETAILED_ALIASES.get(detailed, detailed)
        for code in (override, detailed, primary, taxonomy.UNCATEGORISED):
            if code and code in self.by_code:
                return self.live(self.by_code[code])
        return None

    def counts(self, category: Category | None) -> bool:
        return category is None or category.kind in COUNTED_KINDS

    def label(self, code: str) -> str:
        category = self.by_code.get(code)
        return self.live(category).name if category else taxonomy.label(code)

    def subtree(self, category: Category) -> set[int]:
        wanted = {category.pk}
        changed = True
        while changed:
            changed = False
            for c in self.categories:
                if c.pk not in wanted and c.parent_id in wanted and c.merged_into_id is None:
                    wanted.add(c.pk)
                    changed = True
        return wanted

    def filter_q(self, category: Category) -> Q:
        """The rows whose resolved category is `category` or one of its children."""
        inside = self.subtree(self.live(category))
        codes_in = {c.code for c in self.categories if self.live(c).pk in inside}
        all_codes = set(self.by_code)
        detailed_in = codes_in | {
            alias for alias, code in taxonomy.V2_DETAILED_ALIASES.items() if code in codes_in
        }
        known_detailed = all_codes | set(taxonomy.V2_DETAILED_ALIASES)
        by_primary = Q(pfc_primary__in=codes_in)
        if taxonomy.UNCATEGORISED in codes_in:
            by_primary |= ~Q(pfc_primary__in=all_codes)
        bank = Q(pfc_detailed__in=detailed_in) | (~Q(pfc_detailed__in=known_detailed) & by_primary)
        no_choice = ~Q(category_override__in=all_codes)
        return Q(category_override__in=codes_in) | (no_choice & bank)

    def choices(self) -> list[tuple[str, str]]:
        """(code, label) for every category the user can pick: tree order, children indented."""
        shown = [c for c in self.categories if not c.hidden and c.merged_into_id is None]
        roots = sorted((c for c in shown if c.parent_id is None), key=lambda c: c.name.lower())
        out = []
        for r in roots:
            out.append((r.code, r.name))
            children = sorted(
                (c for c in shown if c.parent_id == r.pk), key=lambda c: c.name.lower()
            )
            out.extend((c.code, f"{r.name} › {c.name}") for c in children)
        return out


def categories_seed(*, user) -> None:
    """Plaid's taxonomy as the user's starting tree. Safe to run twice or concurrently: the
    (user, code) constraint keeps one copy."""
    rows = taxonomy.seed_rows()
    with transaction.atomic():
        Category.objects.bulk_create(
            [
                Category(user=user, code=r["code"], name=r["name"], kind=r["kind"])
                for r in rows
                if not r["parent_code"]
            ],
            ignore_conflicts=True,
        )
        parents = dict(access.categories_visible(user).values_list("code", "pk"))
        Category.objects.bulk_create(
            [
                Category(
                    user=user,
                    code=r["code"],
                    name=r["name"],
                    kind=r["kind"],
                    parent_id=parents[r["parent_code"]],
                )
                for r in rows
                if r["parent_code"]
            ],
            ignore_conflicts=True,
        )


def categories_seed_on_signup(sender, instance, created: bool, raw: bool = False, **kwargs) -> None:
    # Seeded at sign-up so a first page load pays nothing; category_book() still seeds users
    # who signed up before categories existed.
    if created and not raw:
        categories_seed(user=instance)


def category_book(*, user) -> CategoryBook:
    """The user's categories, seeded on first use."""
    categories = list(access.categories_visible(user))
    if not categories:
        categories_seed(user=user)
        categories = list(access.categories_visible(user))
    return CategoryBook(categories)


def _edited(user_id: int) -> None:
    # Cached month totals depend on categories.
    totals_changed(user_id)


def category_add(*, user, name: str, kind: str, parent: Category | None = None) -> Category:
    if parent is not None and parent.parent_id is not None:
        raise CategoryError("Categories go two levels deep: pick a top-level parent.")
    try:
        with transaction.atomic():
            category = Category.objects.create(
                user=user,
                code=f"CUSTOM_{uuid.uuid4().hex[:16].upper()}",
                name=name,
                kind=kind,
                parent=parent,
            )
    except IntegrityError as exc:  # pragma: no cover - a 64-bit random clash
        raise CategoryError("Could not add the category; try again.") from exc
    _edited(user.pk)
    return category


def category_update(*, category: Category, name: str, kind: str, hidden: bool) -> None:
    """Rename, change the kind (children follow their parent's kind) or hide."""
    with transaction.atomic():
        Category.objects.filter(pk=category.pk).update(name=name, kind=kind, hidden=hidden)
        if kind != category.kind:
            Category.objects.filter(parent_id=category.pk).update(kind=kind)
    category.name, category.kind, category.hidden = name, kind, hidden
    _edited(category.user_id)


def category_merge(*, source: Category, target: Category) -> int:
    """Fold source into target: its transactions and rules move to target, its children move
    under target, and its Plaid codes keep landing in target. Returns the transactions moved."""
    if source.pk == target.pk or source.user_id != target.user_id:
        raise CategoryError("Pick another category to merge into.")
    if target.merged_into_id is not None:
        raise CategoryError("That category was merged away already.")
    if target.parent_id == source.pk:
        raise CategoryError("A category cannot be merged into one of its own children.")
    user = source.user
    with transaction.atomic():
        moved = (
            access.transactions_editable(user)
            .filter(category_override=source.code)
            .update(category_override=target.code)
        )
        rules_category_moved(user=user, source=source, target=target)
        access.categories_visible(user).filter(merged_into_id=source.pk).update(
            merged_into_id=target.pk
        )
        new_parent = target.parent_id or target.pk
        access.categories_visible(user).filter(parent_id=source.pk).update(parent_id=new_parent)
        Category.objects.filter(pk=source.pk).update(merged_into_id=target.pk, hidden=True)
    source.merged_into_id, source.hidden = target.pk, True
    _edited(user.pk)
    return moved
