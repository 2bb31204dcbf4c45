"""--state: keep items, tokens, Link sessions and signing keys in SQLite so a restart loses no
linked bank, no sync cursor and no Link flow in progress.

Everything is stored as JSON (zlib-compressed), never pickle: loading a state file can only
ever produce data, not run code. The file is read only from the path given to --state.

Changed items are written by a background thread every half second and on shutdown, rather
than on every request: a 100k-transaction item takes a moment to serialise, and writes must
not sit on the request path.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
import zlib
from datetime import date
from pathlib import Path

from cryptography.hazmat.primitives import serialization

from . import data, recurring, user_custom
from .store import ADDED, Item

FLUSH_SECONDS = 0.5
FORMAT = 1
log = logging.getLogger("plaid_emulator")

# Transactions point at shared Merchant objects; they are stored by the merchant's raw
# descriptor, which is unique.
MERCHANTS = {
    m.raw: m
    for m in [*data.SPENDING, *(v for v in vars(data).values() if isinstance(v, data.Merchant))]
}
assert len(MERCHANTS) == len({id(m) for m in MERCHANTS.values()}), "merchant raw not unique"

_ITEM_FIELDS = (
    "item_id",
    "institution_id",
    "username",
    "webhook",
    "products",
    "consented_products",
    "days_requested",
    "accounts",
    "sums",
    "held_back",
    "stage",
    "synced_once",
    "error",
    "created_at",
    "consent_expiration_time",
    "last_update",
    "linked",
    "version",
    "streams",
)


def _pack(obj) -> bytes:
    return zlib.compress(json.dumps(obj, separators=(",", ":")).encode(), 1)


def _unpack(blob: bytes):
    return json.loads(zlib.decompress(blob))


def item_to_json(item: Item) -> dict:
    out = {name: getattr(item, name) for name in _ITEM_FIELDS}
    out["today"] = item.today.isoformat()
    out["rng_state"] = item.rng_state
    out["last_webhook"] = item.last_webhook
    out["txns"] = [
        [
            t.transaction_id,
            t.account_id,
            t.amount,
            t.date,
            t.authorized_date,
            t.merchant.raw,
            t.pending,
            t.pending_transaction_id,
            t.name,
        ]
        for t in item.txns.values()
    ]
    out["log"] = item.log
    return out


def _merchant(raw: str):
    # A user_custom transaction's "merchant" is only its description.
    return MERCHANTS.get(raw) or recurring.merchant_by_raw(raw) or user_custom.merchant(raw)


def item_from_json(d: dict) -> Item:
    item = Item(
        d["item_id"],
        d["institution_id"],
        d["username"],
        d["webhook"],
        d["products"],
        d["days_requested"],
    )
    for name in _ITEM_FIELDS:
        # A file from before a field existed keeps the field's default.
        setattr(item, name, d.get(name, getattr(item, name)))
    item.today = date.fromisoformat(d["today"])
    for s in item.streams:
        recurring.merchant(s)  # a stream added through the control API, known again by raw
    rs = d["rng_state"]
    item.rng_state = (rs[0], tuple(rs[1]), rs[2]) if rs else None
    item.last_webhook = tuple(d["last_webhook"]) if d["last_webhook"] else None
    txn = data.Txn
    item.txns = {
        r[0]: txn(r[0], r[1], r[2], r[3], r[4], _merchant(r[5]), r[6], r[7], r[8])
        for r in d["txns"]
    }
    item.log = [tuple(e) for e in d["log"]]
    # Both indexes follow from the log: the last position of each id, and of its last add.
    last_pos, created_pos = item.last_pos, item.created_pos
    for pos, (kind, t_id, _) in enumerate(item.log):
        last_pos[t_id] = pos
        if kind == ADDED:
            created_pos[t_id] = pos
    return item


class Persister:
    def __init__(self, path, emu):
        # Only ever the path given to --state; nothing else is read.
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.emu = emu
        self.saved: dict[str, int] = {}
        self.saved_meta = b""
        self.lock = threading.Lock()
        self.db = sqlite3.connect(self.path, check_same_thread=False)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute(
            "CREATE TABLE IF NOT EXISTS state_items (item_id TEXT PRIMARY KEY, json BLOB)"
        )
        self.db.execute("CREATE TABLE IF NOT EXISTS state_meta (key TEXT PRIMARY KEY, json BLOB)")
        self.db.commit()
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._loop, daemon=True, name="emulator-persist")

    # -- load ---------------------------------------------------------------------------------
    def load(self) -> None:
        try:
            self._load()
        finally:
            self.thread.start()

    def _load(self) -> None:
        store, ring = self.emu.store, self.emu.keyring
        row = self.db.execute("SELECT json FROM state_meta WHERE key='state'").fetchone()
        if row is None:
            old = self.db.execute("SELECT name FROM sqlite_master WHERE name='meta'").fetchone()
            if old:
                log.warning(
                    "%s holds state from an older emulator (pickle format), which is "
                    "no longer loaded: starting empty; link your banks again",
                    self.path,
                )
            return
        meta = _unpack(row[0])
        if meta.get("format") != FORMAT:
            log.warning(
                "%s: unknown state format %r, starting empty", self.path, meta.get("format")
            )
            return
        with store.lock:
            for name in (
                "access_tokens",
                "public_tokens",
                "link_tokens",
                "oauth_states",
                "counter",
            ):
                setattr(store, name, meta[name])
            store.link_sessions = {}
            for sid, s in meta["link_sessions"].items():
                # A session shares its token's record, as it did before the restart.
                s["token_rec"] = store.link_tokens.get(s["link_token"], {})
                store.link_sessions[sid] = s
            for (blob,) in self.db.execute("SELECT json FROM state_items"):
                item = item_from_json(_unpack(blob))
                store.items[item.item_id] = item
                self.saved[item.item_id] = item.version
        with ring.lock:
            ring.keys = {
                kid: {"private": serialization.load_pem_private_key(pem.encode(), None), "jwk": jwk}
                for kid, (pem, jwk) in meta["keys"].items()
            }
            ring.current = meta["current_kid"]
        for item in list(store.items.values()):
            if item.linked and item.stage < 2:
                store._schedule_stages(item)  # timers do not survive a restart

    # -- save ---------------------------------------------------------------------------------
    def _meta_blob(self) -> bytes:
        store, ring = self.emu.store, self.emu.keyring
        with ring.lock:
            keys = {
                kid: (
                    rec["private"]
                    .private_bytes(
                        serialization.Encoding.PEM,
                        serialization.PrivateFormat.PKCS8,
                        serialization.NoEncryption(),
                    )
                    .decode(),
                    rec["jwk"],
                )
                for kid, rec in ring.keys.items()
            }
            current = ring.current
        with store.lock:
            meta = {
                "format": FORMAT,
                "access_tokens": store.access_tokens,
                "public_tokens": store.public_tokens,
                "link_tokens": store.link_tokens,
                "oauth_states": store.oauth_states,
                "counter": store.counter,
                "link_sessions": {
                    sid: {k: v for k, v in s.items() if k != "token_rec"}
                    for sid, s in store.link_sessions.items()
                },
                "keys": keys,
                "current_kid": current,
            }
            return _pack(meta)

    def flush(self) -> None:
        store = self.emu.store
        with self.lock:
            with store.lock:
                dirty = [
                    (i.item_id, i.version, item_to_json(i))
                    for i in store.items.values()
                    if self.saved.get(i.item_id) != i.version
                ]
                gone = [k for k in self.saved if k not in store.items]
                dirty = [(k, v, json.dumps(d, separators=(",", ":"))) for k, v, d in dirty]
            blobs = [(k, v, zlib.compress(s.encode(), 1)) for k, v, s in dirty]
            meta = self._meta_blob()
            if not blobs and not gone and meta == self.saved_meta:
                return
            with self.db:
                for item_id, _, blob in blobs:
                    self.db.execute(
                        "INSERT OR REPLACE INTO state_items VALUES (?, ?)", (item_id, blob)
                    )
                for item_id in gone:
                    self.db.execute("DELETE FROM state_items WHERE item_id=?", (item_id,))
                self.db.execute("INSERT OR REPLACE INTO state_meta VALUES ('state', ?)", (meta,))
            for item_id, version, _ in blobs:
                self.saved[item_id] = version
            for item_id in gone:
                self.saved.pop(item_id, None)
            self.saved_meta = meta

    def _loop(self) -> None:
        while not self.stopping.wait(FLUSH_SECONDS):
            try:
                self.flush()
            except Exception:  # keep persisting; a failed write is retried next tick
                log.exception("state flush failed")

    def stop(self) -> None:
        self.stopping.set()
        if self.thread.is_alive():
            self.thread.join(timeout=5)
        self.flush()
        self.db.close()
