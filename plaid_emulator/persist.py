"""--state: keep items, tokens and signing keys in SQLite so a restart loses no linked bank.

Changed items are written by a background thread every half second and on shutdown, rather
than on every request: a 100k-transaction item takes a moment to serialise, and writes must
not sit on the request path.
"""

from __future__ import annotations

import pickle
import sqlite3
import threading
import zlib
from pathlib import Path

from cryptography.hazmat.primitives import serialization

FLUSH_SECONDS = 0.5


class Persister:
    def __init__(self, path, emu):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.emu = emu
        self.saved: dict[str, int] = {}
        self.saved_meta = b""
        self.lock = threading.Lock()
        self.db = sqlite3.connect(self.path, check_same_thread=False)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("CREATE TABLE IF NOT EXISTS items (item_id TEXT PRIMARY KEY, blob BLOB)")
        self.db.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, blob BLOB)")
        self.db.commit()
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._loop, daemon=True, name="emulator-persist")
        self.thread.start()

    # -- load ---------------------------------------------------------------------------------
    def load(self) -> None:
        store, ring = self.emu.store, self.emu.keyring
        row = self.db.execute("SELECT blob FROM meta WHERE key='state'").fetchone()
        if row is None:
            return
        # The state file is the emulator's own, written by flush() below; never point --state
        # at a file from elsewhere.
        meta = pickle.loads(zlib.decompress(row[0]))  # noqa: S301
        with store.lock:
            for name in ("access_tokens", "public_tokens", "link_tokens", "oauth_states",
                         "counter"):
                setattr(store, name, meta[name])
            for blob, in self.db.execute("SELECT blob FROM items"):
                item = pickle.loads(zlib.decompress(blob))  # noqa: S301
                store.items[item.item_id] = item
                self.saved[item.item_id] = item.version
        with ring.lock:
            ring.keys = {kid: {"private": serialization.load_pem_private_key(pem, None),
                               "jwk": jwk} for kid, (pem, jwk) in meta["keys"].items()}
            ring.current = meta["current_kid"]
        for item in list(store.items.values()):
            if item.linked and item.stage < 2:
                store._schedule_stages(item)  # timers do not survive a restart

    # -- save ---------------------------------------------------------------------------------
    def _meta_blob(self) -> bytes:
        store, ring = self.emu.store, self.emu.keyring
        with ring.lock:
            keys = {kid: (rec["private"].private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption()), rec["jwk"]) for kid, rec in ring.keys.items()}
            current = ring.current
        with store.lock:
            meta = {"access_tokens": dict(store.access_tokens),
                    "public_tokens": dict(store.public_tokens),
                    "link_tokens": dict(store.link_tokens),
                    "oauth_states": dict(store.oauth_states), "counter": store.counter,
                    "keys": keys, "current_kid": current}
        return zlib.compress(pickle.dumps(meta), 1)

    def flush(self) -> None:
        store = self.emu.store
        with self.lock:
            with store.lock:
                dirty = [(i.item_id, i.version, zlib.compress(pickle.dumps(i), 1))
                         for i in store.items.values()
                         if self.saved.get(i.item_id) != i.version]
                gone = [k for k in self.saved if k not in store.items]
            meta = self._meta_blob()
            if not dirty and not gone and meta == self.saved_meta:
                return
            with self.db:
                for item_id, _, blob in dirty:
                    self.db.execute("INSERT OR REPLACE INTO items VALUES (?, ?)", (item_id, blob))
                for item_id in gone:
                    self.db.execute("DELETE FROM items WHERE item_id=?", (item_id,))
                self.db.execute("INSERT OR REPLACE INTO meta VALUES ('state', ?)", (meta,))
            for item_id, version, _ in dirty:
                self.saved[item_id] = version
            for item_id in gone:
                self.saved.pop(item_id, None)
            self.saved_meta = meta

    def _loop(self) -> None:
        while not self.stopping.wait(FLUSH_SECONDS):
            try:
                self.flush()
            except Exception:  # keep persisting; a failed write is retried next tick
                import logging
                logging.getLogger("plaid_emulator").exception("state flush failed")

    def stop(self) -> None:
        self.stopping.set()
        self.thread.join(timeout=5)
        self.flush()
        self.db.close()
