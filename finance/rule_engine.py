"""Matching transactions against a user's rules, fast enough for a first sync of 100,000 rows.

A RuleMatcher checks one rule's conditions. A RuleSet runs all of a user's enabled rules over
many rows: the text conditions (the costly part, a regular expression above all) depend only
on the merchant and the description, which repeat across a bank history (the same coffee shop
every week), so the set of rules whose text condition holds is computed once per distinct
(merchant, description) pair and kept for the run; only those rules, plus the rules without a
text condition, then check the cheap conditions (amount, sign, date, account, category; a pair
whose rules have none remembers its matching rules outright). What a combination of matching
rules sets is also worked out once per run: a history matches the same few combinations.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from decimal import Decimal

import regex
from django.db.models import Q

from .models import Rule
from .tags import tags_parse

logger = logging.getLogger(__name__)

# A user's pattern runs against bank text we do not control: a pathological one gives up.
REGEX_TIMEOUT_SECONDS = 0.05
# What a rule run depends on: a change to any of these makes the rules' stamp change.
STAMPED_FIELDS = (
    "pk",
    "position",
    "stop_here",
    "text_field",
    "text_op",
    "text_value",
    "amount_min",
    "amount_max",
    "sign",
    "account_id",
    "plaid_category",
    "date_from",
    "date_to",
    "set_category",
    "set_display_name",
    "add_tags",
    "set_notes",
    "mark_transfer",
    "exclude",
)
# Distinct (merchant, description) pairs remembered in one run; beyond it the memo restarts,
# so memory stays bounded whatever the history holds.
TEXT_MEMO_SIZE = 50_000
# One rule that may match: (its position, the check of its other conditions or None, stop_here).
Candidate = tuple[int, Callable[[dict], bool] | None, bool]
Candidates = tuple[tuple[int, ...] | None, tuple[Candidate, ...]]


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
        self.tags = tags_parse(rule.add_tags) if rule.add_tags else []
        # Nothing but (at most) the text to check: once the text holds, the rule matches.
        self.text_only = not (
            self.account_id
            or self.date_from
            or self.date_to
            or self.sign in (Rule.Sign.OUT, Rule.Sign.IN)
            or self.amount_min is not None
            or self.amount_max is not None
            or self.plaid_category
        )

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

    def text_matches(self, merchant: str, name: str) -> bool:
        field = self.text_field
        if field == Rule.TextField.MERCHANT:
            return self._text_matches(merchant, merchant.casefold())
        if field == Rule.TextField.NAME:
            return self._text_matches(name, name.casefold())
        return self._text_matches(merchant, merchant.casefold()) or self._text_matches(
            name, name.casefold()
        )

    def rest_matches(self, row: dict) -> bool:
        """Every condition but the text."""
        if self.account_id and row["account_id"] != self.account_id:
            return False
        if self.date_from and row["date"] < self.date_from:
            return False
        if self.date_to and row["date"] > self.date_to:
            return False
        amount: Decimal = row["amount"]
        sign = self.sign
        if (sign == Rule.Sign.OUT and amount <= 0) or (sign == Rule.Sign.IN and amount >= 0):
            return False
        if self.amount_min is not None and abs(amount) < self.amount_min:
            return False
        if self.amount_max is not None and abs(amount) > self.amount_max:
            return False
        category = self.plaid_category
        return not category or category in (row["pfc_primary"], row["pfc_detailed"])

    def matches(self, row: dict) -> bool:
        if not self.rest_matches(row):
            return False
        if not self.text_value:
            return True
        return self.text_matches(row["merchant_name"] or "", row["name"] or "")


class RuleSet:
    """All of a user's enabled rules, in order, for one run over many rows."""

    def __init__(self, rules: list[Rule]):
        self.matchers = [RuleMatcher(r) for r in rules]
        self._texted = [(i, m) for i, m in enumerate(self.matchers) if m.text_value]
        self._untexted = tuple(i for i, m in enumerate(self.matchers) if not m.text_value)
        self._memo: dict[tuple[str, str], Candidates] = {}
        # The outcome of each combination of matching rules seen in this run: a bank history
        # matches the same few combinations over and over.
        self._outcomes: dict[tuple[int, ...], dict] = {}

    def __bool__(self) -> bool:
        return bool(self.matchers)

    @property
    def stamp(self) -> str:
        """A digest of the enabled rules in their order: equal stamps, equal outcomes."""
        content = [[str(getattr(m.rule, f)) for f in STAMPED_FIELDS] for m in self.matchers]
        return hashlib.sha256(repr(content).encode()).hexdigest()[:32]

    def _candidates(self, merchant: str, name: str) -> Candidates:
        """The rules whose text condition holds (or that have none), in order: (position, the
        check of their other conditions or None when there are none, stop_here). Nothing after
        a rule that always matches here and stops the run can match. First in the pair: the
        rules that match whatever the rest of the row says, when none has anything else to
        check (else None)."""
        key = (merchant, name)
        found = self._memo.get(key)
        if found is None:
            if len(self._memo) >= TEXT_MEMO_SIZE:
                self._memo.clear()
            hits = [i for i, m in self._texted if m.text_matches(merchant, name)]
            candidates = []
            for i in sorted((*hits, *self._untexted)):
                m = self.matchers[i]
                stop = m.rule.stop_here
                candidates.append((i, None if m.text_only else m.rest_matches, stop))
                if stop and m.text_only:
                    break
            fixed = None
            if all(check is None for _, check, _ in candidates):
                fixed = tuple(i for i, _, _ in candidates)
            found = self._memo[key] = (fixed, tuple(candidates))
        return found

    def matched(self, row: dict) -> tuple[int, ...]:
        """Positions of the rules that match the row and run, in order."""
        fixed, candidates = self._candidates(row["merchant_name"] or "", row["name"] or "")
        if fixed is not None:
            return fixed
        out = []
        for i, check, stop in candidates:
            if check is None or check(row):
                out.append(i)
                if stop:
                    break
        return tuple(out)

    def matching(self, row: dict) -> list[RuleMatcher]:
        return [self.matchers[i] for i in self.matched(row)]

    def decided(self, matched: tuple[int, ...]) -> dict:
        """The outcome of these matching rules (from matched()), shared: never change it."""
        out = self._outcomes.get(matched)
        if out is None:
            if len(self._outcomes) >= TEXT_MEMO_SIZE:
                self._outcomes.clear()
            out = self._outcomes[matched] = self._combined(matched)
        return out

    def _combined(self, matched: tuple[int, ...]) -> dict:
        out: dict = {}
        for i in matched:
            m = self.matchers[i]
            r = m.rule
            if r.set_category:
                out["category"] = r.set_category
            if r.set_display_name:
                out["display_name"] = r.set_display_name
            if m.tags:
                out.setdefault("tags", []).extend(m.tags)
            if r.set_notes:
                out["notes"] = r.set_notes
            if r.exclude:
                out["excluded"] = True
            if r.mark_transfer:
                out["transfer"] = True
        return out

    def outcome(self, row: dict) -> dict:
        """What the rules set on this row: a later rule overrides an earlier one's field. The
        caller's own copy."""
        out = dict(self.decided(self.matched(row)))
        if "tags" in out:
            out["tags"] = list(out["tags"])
        return out


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
