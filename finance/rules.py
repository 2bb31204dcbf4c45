"""Rules: match transactions on what the bank says about them, then set what the user would.

The run for one transaction (rules_outcome): every enabled rule in order; each matching rule's
actions write into the outcome, a later one overriding an earlier one on the same field, and a
rule with `stop_here` ends the run. The outcome is a pure function of the bank's fields and the
rules, so running it twice (an outbox row delivered again) writes the same values.

Writing the outcome (rules_apply) never touches a field the user set by hand: the fields named
in TransactionMeta.user_fields, and a category or notes that were already filled in before any
rule ran (edits made before rules existed).
"""

from __future__ import annotations

import heapq
import logging
from collections import defaultdict
from collections.abc import Iterable, Iterator
from decimal import Decimal

import regex
from django.db import transaction
from django.db.models import Q

from . import access
from .models import Category, Rule, TransactionMeta
from .tags import tags_add, tags_parse

logger = logging.getLogger(__name__)

# A user's pattern runs against bank text we do not control: a pathological one gives up.
REGEX_TIMEOUT_SECONDS = 0.05
BATCH = 500
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


class RuleMatcher:
    """One rule's conditions, compiled once for a batch of rows."""

    def __init__(self, rule: Rule):
        self.rule = rule
        # Plain attributes: a model's field descriptors cost a call on every read, and a run
        # reads them once per rule per row.
        self.account_id = rule.account_id
        self.date_from, self.date_to = rule.date_from, rule.date_to
        self.sign = rule.sign
        self.amount_min, self.amount_max = rule.amount_min, rule.amount_max
        self.plaid_category = rule.plaid_category
        self.text_value, self.text_field = rule.text_value, rule.text_field
        self.text_op = rule.text_op
        self.text = rule.text_value.casefold()
        self.pattern = None
        if rule.text_value and rule.text_op == Rule.TextOp.REGEX:
            self.pattern = regex.compile(rule.text_value, regex.IGNORECASE)

    def _text_matches(self, value: str, folded: str) -> bool:
        if self.pattern is not None:
            try:
                return self.pattern.search(value, timeout=REGEX_TIMEOUT_SECONDS) is not None
            except TimeoutError:
                logger.warning("rule pattern timed out", extra={"rule": self.rule.pk})
                return False
        op = self.text_op
        if op == Rule.TextOp.EXACT:
            return folded == self.text
        if op == Rule.TextOp.STARTS_WITH:
            return folded.startswith(self.text)
        return self.text in folded

    def matches(self, row: dict) -> bool:
        r = self
        if r.account_id and row["account_id"] != r.account_id:
            return False
        if r.date_from and row["date"] < r.date_from:
            return False
        if r.date_to and row["date"] > r.date_to:
            return False
        amount: Decimal = row["amount"]
        if (r.sign == Rule.Sign.OUT and amount <= 0) or (r.sign == Rule.Sign.IN and amount >= 0):
            return False
        if r.amount_min is not None and abs(amount) < r.amount_min:
            return False
        if r.amount_max is not None and abs(amount) > r.amount_max:
            return False
        if r.plaid_category and r.plaid_category not in (row["pfc_primary"], row["pfc_detailed"]):
            return False
        if r.text_value:
            # Folded once per row, not once per rule: 50 rules read the same two strings.
            if "_folded" not in row:
                merchant, name = row["merchant_name"] or "", row["name"] or ""
                row["_folded"] = ((merchant, merchant.casefold()), (name, name.casefold()))
            merchant_pair, name_pair = row["_folded"]
            field = r.text_field
            if field == Rule.TextField.MERCHANT:
                return self._text_matches(*merchant_pair)
            if field == Rule.TextField.NAME:
                return self._text_matches(*name_pair)
            return self._text_matches(*merchant_pair) or self._text_matches(*name_pair)
        return True


def rule_prefilter(rule: Rule) -> Q:
    """The conditions SQL can check, so previews and apply-to-existing read only candidates;
    RuleMatcher decides."""
    q = Q()
    if rule.account_id:
        q &= Q(account_id=rule.account_id)
    if rule.date_from:
        q &= Q(date__gte=rule.date_from)
    if rule.date_to:
        q &= Q(date__lte=rule.date_to)
    if rule.sign == Rule.Sign.OUT:
        q &= Q(amount__gt=0)
    elif rule.sign == Rule.Sign.IN:
        q &= Q(amount__lt=0)
    if rule.amount_min is not None:
        q &= Q(amount__gte=rule.amount_min) | Q(amount__lte=-rule.amount_min)
    if rule.amount_max is not None:
        q &= Q(amount__lte=rule.amount_max, amount__gte=-rule.amount_max)
    if rule.plaid_category:
        q &= Q(pfc_primary=rule.plaid_category) | Q(pfc_detailed=rule.plaid_category)
    if rule.text_value and rule.text_op != Rule.TextOp.REGEX:
        lookup = {"contains": "icontains", "starts_with": "istartswith", "exact": "iexact"}[
            rule.text_op
        ]
        by_merchant = Q(**{f"merchant_name__{lookup}": rule.text_value})
        by_name = Q(**{f"name__{lookup}": rule.text_value})
        q &= {"merchant": by_merchant, "name": by_name}.get(rule.text_field, by_merchant | by_name)
    return q


def rules_outcome(matchers: list[RuleMatcher], row: dict) -> dict:
    out: dict = {}
    for m in matchers:
        if not m.matches(row):
            continue
        r = m.rule
        if r.set_category:
            out["category"] = r.set_category
        if r.set_display_name:
            out["display_name"] = r.set_display_name
        if r.add_tags:
            out.setdefault("tags", []).extend(tags_parse(r.add_tags))
        if r.set_notes:
            out["notes"] = r.set_notes
        if r.exclude:
            out["excluded"] = True
        if r.mark_transfer:
            out["transfer"] = True
        if r.stop_here:
            break
    return out


def rules_active(*, user) -> list[RuleMatcher]:
    rules = access.rules_visible(user).filter(enabled=True).order_by("position", "id")
    return [RuleMatcher(r) for r in rules]


def _protected(row: dict) -> set[str]:
    user_fields = set(row["meta__user_fields"] or ())
    rule_fields = set(row["meta__rule_fields"] or ())
    # Filled in before any rule touched it: the user's (or an earlier version's) own edit.
    for field, column in BANK_FIELDS.items():
        if row[column] and field not in rule_fields:
            user_fields.add(field)
    return user_fields


def _apply_rows(user, matchers: list[RuleMatcher], rows: list[dict]) -> int:
    bank_updates: dict[tuple[str, str], list[int]] = defaultdict(list)
    metas: list[TransactionMeta] = []
    new_tags: dict[int, list[str]] = {}
    changed = 0
    for row in rows:
        out = rules_outcome(matchers, row)
        if not out:
            continue
        if out.get("tags"):
            new_tags[row["pk"]] = out.pop("tags")
        protected = _protected(row)
        applied = {f: v for f, v in out.items() if f not in protected}
        if not applied:
            changed += row["pk"] in new_tags
            continue
        for field, column in BANK_FIELDS.items():
            if field in applied and row[column] != applied[field]:
                bank_updates[(column, applied[field])].append(row["pk"])
        old_rule_fields = set(row["meta__rule_fields"] or ())
        rule_fields = sorted(old_rule_fields | set(applied))
        current = {
            "display_name": row["meta__display_name"] or "",
            "excluded": bool(row["meta__excluded"]),
            "transfer": bool(row["meta__transfer"]),
        }
        wanted = {**current, **{f: applied[f] for f in META_FIELDS if f in applied}}
        if wanted != current or rule_fields != sorted(old_rule_fields):
            metas.append(
                TransactionMeta(
                    transaction_id=row["pk"],
                    user_id=user.pk,
                    user_fields=list(row["meta__user_fields"] or []),
                    rule_fields=rule_fields,
                    **wanted,
                )
            )
        changed += 1
    with transaction.atomic():
        for (column, value), ids in bank_updates.items():
            access.transactions_editable(user).filter(pk__in=ids).update(**{column: value})
        if new_tags:
            tags_add(user=user, by_transaction=new_tags)
        if metas:
            TransactionMeta.objects.bulk_create(
                metas,
                update_conflicts=True,
                unique_fields=["transaction"],
                update_fields=[*META_FIELDS, "rule_fields"],
            )
    return changed


def rules_apply(*, user, transaction_ids: Iterable[int]) -> int:
    """Run the user's rules over these transactions; the number the rules touched."""
    matchers = rules_active(user=user)
    if not matchers:
        return 0
    ids = list(transaction_ids)
    changed = 0
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        rows = list(access.transactions_editable(user).filter(pk__in=chunk).values(*ROW_FIELDS))
        changed += _apply_rows(user, matchers, rows)
    return changed


def _matching(rule: Rule) -> Iterator[tuple]:
    """(date, pk) of every existing transaction the rule matches, streamed."""
    matcher = RuleMatcher(rule)
    rows = (
        access.transactions_visible(rule.user)
        .filter(rule_prefilter(rule))
        .order_by()
        .values("pk", *ROW_FIELDS[1:8])
        .iterator(chunk_size=2000)
    )
    for row in rows:
        if matcher.matches(row):
            yield row["date"], row["pk"]


def rule_preview(*, rule: Rule, limit: int = PREVIEW_LIMIT) -> tuple[int, list]:
    """(how many existing transactions the rule matches, the newest `limit` of them)."""
    count = 0
    newest: list[tuple] = []
    for key in _matching(rule):
        count += 1
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


def rule_apply_existing(*, rule: Rule) -> int:
    """Run every rule (so their order holds) over the existing rows this rule matches, in
    batches: memory stays at one batch of ids whatever the number of transactions."""
    changed = 0
    batch: list[int] = []
    for _, pk in _matching(rule):
        batch.append(pk)
        if len(batch) >= BATCH:
            changed += rules_apply(user=rule.user, transaction_ids=batch)
            batch = []
    if batch:
        changed += rules_apply(user=rule.user, transaction_ids=batch)
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
