"""Rules: match transactions on what the bank says about them, then set what the user would.

The run for one transaction (RuleSet.outcome in finance.rule_engine): every enabled rule in
order; each matching rule's actions write into the outcome, a later one overriding an earlier
one on the same field, and a rule with `stop_here` ends the run. The outcome is a pure
function of the bank's fields and the rules, so running it twice (an outbox row delivered
again) writes the same values.

Writing the outcome (rules_apply) never touches a field the user set by hand: the fields named
in TransactionMeta.user_fields, and a category or notes that were already filled in before any
rule ran (edits made before rules existed).
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable, Iterator

from django.db import transaction

from . import access
from .batching import batch_size, id_batches, rows_with_ids
from .models import Category, Rule
from .rule_engine import RuleMatcher, RuleSet, rule_prefilter
from .rule_writes import (
    BankRow,
    MetaRow,
    bank_fields_write,
    metas_insert_new,
    metas_write,
    tag_links_write,
)
from .tags import tags_ensure
from .versions import totals_changed

PREVIEW_LIMIT = 50
ROW_FIELDS = (
    "pk",
    "name",
    "merchant_name",
    "amount",
    "account_id",
    "pfc_primary",
    "pfc_detailed",
    "date",
    "category_override",
    "notes",
    "meta__user_fields",
    "meta__rule_fields",
    "meta__display_name",
    "meta__excluded",
    "meta__transfer",
)
BANK_FIELDS = {"category": "category_override", "notes": "notes"}
META_FIELDS = ("display_name", "excluded", "transfer")


def rules_active(*, user) -> RuleSet:
    return RuleSet(list(access.rules_visible(user).filter(enabled=True).order_by("position", "id")))


def _protected(row: dict) -> set[str]:
    user_fields = set(row["meta__user_fields"] or ())
    rule_fields = set(row["meta__rule_fields"] or ())
    # Filled in before any rule touched it: the user's (or an earlier version's) own edit.
    for field, column in BANK_FIELDS.items():
        if row[column] and field not in rule_fields:
            user_fields.add(field)
    return user_fields


Plan = tuple[BankRow | None, MetaRow | None, list[str], bool]


def row_plan(rules: RuleSet, row: dict) -> Plan:
    """What the rules write for one row (a ROW_FIELDS dict): its new (category, notes) and
    meta columns, each None when unchanged, the tags to add, and whether the rules touched it."""
    out = rules.outcome(row)
    if not out:
        return None, None, [], False
    tags = out.pop("tags", [])
    protected = _protected(row)
    applied = {f: v for f, v in out.items() if f not in protected}
    if not applied:
        return None, None, tags, bool(tags)
    bank_row = meta_row = None
    category = applied.get("category", row["category_override"])
    notes = applied.get("notes", row["notes"])
    if (category, notes) != (row["category_override"], row["notes"]):
        bank_row = (row["pk"], category, notes)
    old_rule_fields = sorted(row["meta__rule_fields"] or ())
    rule_fields = sorted(set(old_rule_fields) | set(applied))
    current = (
        row["meta__display_name"] or "",
        bool(row["meta__excluded"]),
        bool(row["meta__transfer"]),
    )
    wanted = (
        applied.get("display_name", current[0]),
        applied.get("excluded", current[1]),
        applied.get("transfer", current[2]),
    )
    if wanted != current or rule_fields != old_rule_fields:
        meta_row = (row["pk"], *wanted, rule_fields)
    return bank_row, meta_row, tags, True


def rules_write(
    user,
    bank_rows: list[BankRow],
    meta_rows: list[MetaRow],
    new_tags: dict[int, list[str]],
) -> None:
    with transaction.atomic():
        bank_fields_write(user_id=user.pk, rows=bank_rows)
        if new_tags:
            links = _tag_links(user, new_tags)
            tag_links_write(rows=sorted({link for pairs in links for link in pairs}))
        metas_write(rows=meta_rows)


def rules_write_new(user, metas: list[tuple], new_tags: dict[int, tuple[str, ...]]) -> None:
    """What the rules set on rows the caller's own, still open, transaction inserted (a sync's
    preparer): whole meta rows (rule_writes.metas_insert_new) and the tags to add."""
    with transaction.atomic():
        if new_tags:
            tag_links_write(
                rows=[link for pairs in _tag_links(user, new_tags) for link in pairs], new=True
            )
        metas_insert_new(rows=metas)


def _tag_links(user, new_tags: dict) -> Iterator[list[tuple[int, int]]]:
    """Per transaction, its (pk, tag pk) links, each tag once: tags made when missing. A batch
    names a few distinct lists of tags: each is resolved once."""
    names = sorted({n for wanted in new_tags.values() for n in wanted})
    tags = {t.name.casefold(): t.pk for t in tags_ensure(user=user, names=names)}
    resolved: dict[tuple[str, ...], list[int]] = {}
    for pk, wanted in new_tags.items():
        key = tuple(wanted)
        tag_pks = resolved.get(key)
        if tag_pks is None:
            folded = (n.casefold() for n in wanted)
            tag_pks = resolved[key] = sorted({tags[n] for n in folded if n in tags})
        yield [(pk, tag_pk) for tag_pk in tag_pks]


def _apply_rows(user, rules: RuleSet, rows: list[dict]) -> int:
    bank_rows: list[BankRow] = []
    meta_rows: list[MetaRow] = []
    new_tags: dict[int, list[str]] = {}
    changed = 0
    for row in rows:
        bank_row, meta_row, tags, touched = row_plan(rules, row)
        if tags:
            new_tags[row["pk"]] = tags
        if bank_row:
            bank_rows.append(bank_row)
        if meta_row:
            meta_rows.append(meta_row)
        changed += touched
    rules_write(user, bank_rows, meta_rows, new_tags)
    return changed


def rules_apply(*, user, transaction_ids: Iterable[int]) -> int:
    """Run the user's rules over these transactions; the number the rules touched."""
    rules = rules_active(user=user)
    if not rules:
        return 0
    changed = 0
    rows = access.transactions_editable(user).values(*ROW_FIELDS)
    for ids in id_batches(transaction_ids):
        changed += _apply_rows(user, rules, rows_with_ids(rows, ids))
    return changed


def _matching(rule: Rule) -> Iterator[dict]:
    """Every existing transaction the rule matches, streamed (with the columns a run reads)."""
    matcher = RuleMatcher(rule)
    rows = (
        access.transactions_visible(rule.user)
        .filter(rule_prefilter(rule))
        .order_by()
        .values(*ROW_FIELDS)
        .iterator(chunk_size=2000)
    )
    for row in rows:
        if matcher.matches(row):
            yield row


def rule_preview(*, rule: Rule, limit: int = PREVIEW_LIMIT) -> tuple[int, list]:
    """(how many existing transactions the rule matches, the newest `limit` of them)."""
    count = 0
    newest: list[tuple] = []
    for row in _matching(rule):
        count += 1
        key = (row["date"], row["pk"])
        if len(newest) < limit:
            heapq.heappush(newest, key)
        else:
            heapq.heappushpop(newest, key)
    rows = list(
        access.transactions_visible(rule.user)
        .filter(pk__in=[pk for _, pk in newest])
        .select_related("account")
        .order_by("-date", "-id")
    )
    return count, rows


def rule_apply_existing(*, rule: Rule, progress: Callable[[int], None] | None = None) -> int:
    """Run every enabled rule (so their order holds) over the existing rows this rule matches,
    in batches: memory stays at one batch whatever the number of transactions. `progress` is
    told how many matching rows are done after each batch; the number the rules touched."""
    rules = rules_active(user=rule.user)
    if not rules:
        return 0
    changed = done = 0
    size = batch_size()
    batch: list[dict] = []
    for row in _matching(rule):
        batch.append(row)
        if len(batch) >= size:
            changed += _apply_rows(rule.user, rules, batch)
            done += len(batch)
            batch = []
            if progress:
                progress(done)
    if batch:
        changed += _apply_rows(rule.user, rules, batch)
        done += len(batch)
    if progress:
        progress(done)
    if changed:
        totals_changed(rule.user_id)
    return changed


def rules_category_moved(*, user, source: Category, target: Category) -> None:
    access.rules_visible(user).filter(set_category=source.code).update(set_category=target.code)


def rule_from_transaction(txn) -> dict:
    """Initial form values for "Create a rule from this"."""
    merchant = txn.merchant_name
    return {
        "name": f"{merchant or txn.name}",
        "text_field": Rule.TextField.MERCHANT if merchant else Rule.TextField.NAME,
        "text_op": Rule.TextOp.EXACT,
        "text_value": merchant or txn.name,
        "sign": Rule.Sign.OUT if txn.amount > 0 else Rule.Sign.IN,
        "set_category": txn.category_override or txn.pfc_detailed or txn.pfc_primary,
        "set_notes": "",
    }
