"""All emulator state: items, their accounts, transactions and change log, and tokens.

One re-entrant lock guards everything. Handlers are short (a sync page is O(count)), so a
single lock keeps the invariants obvious without hurting the threaded server.
"""

from __future__ import annotations

import random
import threading
import time
import uuid
from datetime import UTC, date, datetime, timedelta

from . import data, institutions, portfolio, products, recurring, user_custom
from .errors import PlaidError

ADDED, MODIFIED, REMOVED = "a", "m", "r"
INITIAL_WINDOW_DAYS = 30


def iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).isoformat().replace("+00:00", "Z")


class Item:
    def __init__(self, item_id, institution_id, username, webhook, products, days_requested):
        self.item_id = item_id
        self.institution_id = institution_id
        self.username = username
        self.webhook = webhook
        self.products = products
        self.consented_products = list(products)
        self.days_requested = days_requested
        self.accounts: list[dict] = []
        self.txns: dict[str, data.Txn] = {}
        # The change log: (kind, transaction_id, account_id). A sync cursor is an offset into
        # it, so serving a page costs O(count) whatever the item's history size.
        self.log: list[tuple[str, str, str]] = []
        self.last_pos: dict[str, int] = {}
        self.created_pos: dict[str, int] = {}
        self.sums: dict[str, list[float]] = {}  # account_id -> [posted, pending]
        self.held_back: list[str] = []  # history logged when the historical pull completes
        self.stage = 0  # 0 NOT_READY, 1 INITIAL_UPDATE_COMPLETE, 2 HISTORICAL_UPDATE_COMPLETE
        self.synced_once = False
        self.error: str | None = None
        self.created_at = time.time()
        self.consent_expiration_time: float | None = None
        self.today = date.today()
        self.rng_state = None
        self.last_webhook: tuple[float, str] | None = None
        self.last_update: float | None = None
        self.linked = True  # False while a Link session is still choosing accounts
        self.version = 0  # bumped on every change; the persister saves changed items
        self.streams: list[dict] = []  # recurring.py's schedules: the ground truth

    # -- transactions -------------------------------------------------------------------------
    def _sum(self, t: data.Txn, sign: int) -> None:
        s = self.sums.setdefault(t.account_id, [0.0, 0.0])
        s[1 if t.pending else 0] += sign * t.amount

    def _log(self, kind: str, t_id: str, account_id: str) -> None:
        pos = len(self.log)
        self.log.append((kind, t_id, account_id))
        self.last_pos[t_id] = pos
        if kind == ADDED:
            self.created_pos[t_id] = pos

    def visible(self, account_id: str) -> bool:
        return any(a["account_id"] == account_id and a["selected"] for a in self.accounts)

    def add(self, t: data.Txn, *, log: bool = True) -> None:
        self.txns[t.transaction_id] = t
        self._sum(t, 1)
        if log and self.visible(t.account_id):
            self._log(ADDED, t.transaction_id, t.account_id)
        self.version += 1

    def add_many(self, txns: list[data.Txn]) -> None:
        for t in txns:
            self.add(t)

    def modify(self, t_id: str, **changes) -> None:
        t = self.txns[t_id]
        self._sum(t, -1)
        for k, v in changes.items():
            setattr(t, k, v)
        self._sum(t, 1)
        if self.visible(t.account_id):
            self._log(MODIFIED, t_id, t.account_id)
        self.version += 1

    def remove(self, t_id: str) -> None:
        t = self.txns.pop(t_id)
        self._sum(t, -1)
        if self.visible(t.account_id) and t_id in self.last_pos:
            self._log(REMOVED, t_id, t.account_id)
        self.version += 1

    def select_accounts(self, account_ids: set[str]) -> None:
        """Share exactly these accounts; newly shared ones bring their transactions along."""
        for a in self.accounts:
            now = a["account_id"] in account_ids
            if now == a["selected"]:
                continue
            a["selected"] = now
            for t in [t for t in self.txns.values() if t.account_id == a["account_id"]]:
                if now:
                    self._log(ADDED, t.transaction_id, t.account_id)
                elif t.transaction_id in self.last_pos:
                    self._log(REMOVED, t.transaction_id, t.account_id)
        self.version += 1

    # -- rendering ----------------------------------------------------------------------------
    def balances(self, a: dict) -> dict:
        """Plaid's sign rules per account type: a depository's current balance is what it
        holds and its available balance is that less pending outflows (never more than
        current); a credit card or loan's current balance is what is owed; a card's available
        balance is the unused credit; loans and investments have no available balance."""
        posted, pending = self.sums.get(a["account_id"], [0.0, 0.0])
        outflow = max(pending, 0.0)
        if a["type"] in ("credit", "loan"):
            current = round(a["start_balance"] + posted, 2)
            available = None
            if a["type"] == "credit" and a["limit"] is not None:
                available = round(max(a["limit"] - current - outflow, 0.0), 2)
        else:
            current = round(a["start_balance"] - posted, 2)
            available = None if a["type"] == "investment" else round(current - outflow, 2)
        if a.get("portfolio"):
            current = portfolio.value(a, self.today)
        if "available" in a:  # user_custom's force_available_balance / null available
            available = a["available"]
        return {
            "available": available,
            "current": current,
            "limit": a["limit"],
            "iso_currency_code": a.get("currency", "USD"),
            "unofficial_currency_code": None,
        }

    def render_account(self, a: dict) -> dict:
        return {
            "account_id": a["account_id"],
            "balances": self.balances(a),
            "mask": a["mask"],
            "name": a["name"],
            "official_name": a["official_name"],
            "type": a["type"],
            "subtype": a["subtype"],
        }

    def currency_of(self, account_id: str) -> str:
        return next(
            (a.get("currency", "USD") for a in self.accounts if a["account_id"] == account_id),
            "USD",
        )

    def render_txn(self, t: data.Txn, original: bool = False) -> dict:
        return t.render(self.currency_of(t.account_id), original)

    def shared_accounts(self) -> list[dict]:
        return [a for a in self.accounts if a["selected"]]

    def render(self) -> dict:
        inst = institutions.BY_ID[self.institution_id]
        err = PlaidError(self.error).body(None) if self.error else None
        consent = iso(self.consent_expiration_time) if self.consent_expiration_time else None
        return {
            "item_id": self.item_id,
            "institution_id": self.institution_id,
            "institution_name": inst["name"],
            "webhook": self.webhook,
            "error": err,
            "available_products": products.available(inst, self.products),
            "billed_products": list(self.products),
            "products": list(self.products),
            "consented_products": list(self.consented_products),
            "consent_expiration_time": consent,
            "update_type": "background",
            "created_at": iso(self.created_at),
        }

    def render_status(self) -> dict:
        upd = iso(self.last_update) if self.last_update else None
        hook = (
            {"sent_at": iso(self.last_webhook[0]), "code_sent": self.last_webhook[1]}
            if self.last_webhook
            else None
        )
        return {
            "transactions": {"last_successful_update": upd, "last_failed_update": None},
            "last_webhook": hook,
        }


class Store:
    def __init__(
        self, seed: int = 1, ready_after_seconds: float = 0.0, historical_after_seconds: float = 0.0
    ):
        self.lock = threading.RLock()
        self.seed = seed
        self.defaults = (ready_after_seconds, historical_after_seconds)
        self.on_stage = None  # callback(item, stage) set by the server for webhooks
        self.clear()

    def clear(self) -> None:
        with self.lock:
            self.items: dict[str, Item] = {}
            self.access_tokens: dict[str, str] = {}
            self.public_tokens: dict[str, dict] = {}
            self.link_tokens: dict[str, dict] = {}
            self.oauth_states: dict[str, dict] = {}
            self.link_sessions: dict[str, dict] = {}
            self.counter = 0
            self.ready_after_seconds, self.historical_after_seconds = self.defaults
            self.generation = getattr(self, "generation", 0) + 1

    # -- lookup -------------------------------------------------------------------------------
    def item_for_token(self, access_token) -> Item:
        if not isinstance(access_token, str) or not access_token:
            raise PlaidError(
                "MISSING_FIELDS", "the following required fields are missing: access_token"
            )
        item_id = self.access_tokens.get(access_token)
        if item_id is None:
            raise PlaidError("INVALID_ACCESS_TOKEN")
        item = self.items.get(item_id)
        if item is None:
            raise PlaidError("ITEM_NOT_FOUND")
        return item

    def token_for_item(self, item_id: str) -> str | None:
        return next((t for t, i in self.access_tokens.items() if i == item_id), None)

    def rng(self, item: Item) -> random.Random:
        r = random.Random()
        if item.rng_state is None:
            r.seed(f"{self.seed}:{item.item_id}")
        else:
            r.setstate(item.rng_state)
        return r

    # -- items --------------------------------------------------------------------------------
    def create_item(
        self,
        institution_id: str,
        username: str,
        *,
        webhook=None,
        products=("transactions",),
        consented=None,
        days_requested: int = 90,
        account_ids: set[str] | None = None,
        start: bool = True,
        custom: dict | None = None,
        recurring_noise: bool = False,
    ) -> Item:
        """A new item. Link creates it with start=False once the user has logged in, and
        starts it (the initial and historical pulls) only when the user finishes Link."""
        with self.lock:
            self.counter += 1
            # Ids and data derive from the seed and the item's ordinal, so a given seed
            # reproduces the same items in the same order.
            rng = random.Random(f"{self.seed}:item:{self.counter}")
            item = Item(
                data.new_id(rng), institution_id, username, webhook, list(products), days_requested
            )
            if consented is not None:
                item.consented_products = list(consented)
            inst = institutions.BY_ID[institution_id]
            currency = institutions.currency(inst)
            built = user_custom.build(rng, custom, item.today, currency) if custom else None
            if built:
                item.accounts, txns = built
            else:
                make = (
                    data.credit_union_accounts
                    if inst["accounts"] == "credit_union"
                    else data.default_accounts
                )
                item.accounts = make(rng, currency)
                if username == "user_transactions_dynamic":
                    txns = data.dynamic_start(rng, item.accounts, item.today)
                else:
                    txns = data.history(rng, item.accounts, item.today, days_requested)
                    item.streams, txns = recurring.build(
                        random.Random(f"{self.seed}:item:{self.counter}:recurring"),
                        item.accounts,
                        item.today,
                        days_requested,
                        txns,
                        recurring_noise,
                    )
                data.opening_balances(item.accounts, txns)
            if inst["kind"] == "oauth":
                item.consent_expiration_time = time.time() + 365 * 86400
            if account_ids is not None:
                for a in item.accounts:
                    a["selected"] = a["account_id"] in account_ids
            item.rng_state = rng.getstate()
            cutoff = (item.today - timedelta(days=INITIAL_WINDOW_DAYS)).isoformat()
            for t in txns:
                # Everything is known now, but only the last 30 days reach the change log at
                # INITIAL_UPDATE_COMPLETE; the rest waits for the historical pull.
                recent = t.date >= cutoff
                item.add(t, log=False)
                if not recent:
                    item.held_back.append(t.transaction_id)
            self.items[item.item_id] = item
            item.linked = start
        if start:
            self._schedule_stages(item)
        return item

    def start_item(self, item: Item) -> None:
        item.linked = True
        item.created_at = time.time()
        self._schedule_stages(item)

    def _schedule_stages(self, item: Item) -> None:
        for stage, delay in ((1, self.ready_after_seconds), (2, self.historical_after_seconds)):
            delay = max(delay, self.ready_after_seconds)
            if delay <= 0:
                self.reach_stage(item.item_id, stage, item_generation=self.generation)
            else:
                timer = threading.Timer(
                    delay, self.reach_stage, (item.item_id, stage, self.generation)
                )
                timer.daemon = True
                timer.start()

    def reach_stage(self, item_id: str, stage: int, item_generation: int) -> None:
        with self.lock:
            item = self.items.get(item_id)
            if item is None or item_generation != self.generation or item.stage >= stage:
                return
            cutoff = (item.today - timedelta(days=INITIAL_WINDOW_DAYS)).isoformat()
            held = set(item.held_back)
            chosen = sorted(
                (
                    t
                    for t in item.txns.values()
                    if (t.transaction_id in held) == (stage == 2)
                    and (stage == 2 or t.date >= cutoff)
                ),
                key=lambda t: t.date,
            )
            for t in chosen:
                if item.visible(t.account_id) and t.transaction_id not in item.last_pos:
                    item._log(ADDED, t.transaction_id, t.account_id)
            if stage == 2:
                item.held_back = []
            item.stage = stage
            item.last_update = time.time()
            item.version += 1
        if self.on_stage:
            self.on_stage(item, stage, len(chosen))

    def remove_item(self, item: Item) -> None:
        with self.lock:
            # The access token stays known, so later calls get ITEM_NOT_FOUND as on Plaid.
            self.items.pop(item.item_id, None)

    # -- tokens -------------------------------------------------------------------------------
    def new_public_token(self, item: Item) -> str:
        tok = f"public-sandbox-{uuid.uuid4()}"
        # Public tokens are single use and expire after 30 minutes.
        self.public_tokens[tok] = {"item_id": item.item_id, "expires": time.time() + 1800}
        return tok

    def new_access_token(self, item: Item) -> str:
        tok = f"access-sandbox-{uuid.uuid4()}"
        self.access_tokens[tok] = item.item_id
        return tok

    def exchange(self, public_token) -> tuple[str, Item]:
        with self.lock:
            rec = (
                self.public_tokens.pop(public_token, None)
                if isinstance(public_token, str)
                else None
            )
            if rec is None or rec["expires"] < time.time() or rec["item_id"] not in self.items:
                raise PlaidError("INVALID_PUBLIC_TOKEN")
            item = self.items[rec["item_id"]]
            return self.token_for_item(item.item_id) or self.new_access_token(item), item

    def link_token(self, token) -> dict:
        rec = self.link_tokens.get(token) if isinstance(token, str) else None
        if rec is None or rec["expires"] < time.time():
            raise PlaidError("INVALID_LINK_TOKEN")
        return rec
