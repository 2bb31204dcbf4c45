"""Small builders shared by the emulator tests."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

from plaid.model.country_code import CountryCode
from plaid.model.item_public_token_exchange_request import ItemPublicTokenExchangeRequest
from plaid.model.link_token_create_request import LinkTokenCreateRequest
from plaid.model.link_token_create_request_user import LinkTokenCreateRequestUser
from plaid.model.products import Products
from plaid.model.sandbox_public_token_create_request import SandboxPublicTokenCreateRequest
from plaid.model.sandbox_public_token_create_request_options import (
    SandboxPublicTokenCreateRequestOptions,
)
from plaid.model.sandbox_public_token_create_request_options_transactions import (
    SandboxPublicTokenCreateRequestOptionsTransactions,
)
from plaid.model.transactions_sync_request import TransactionsSyncRequest


def link_item(
    client, *, institution_id="ins_109508", webhook=None, days=45, username=None, password=None
):
    """sandbox public token -> exchange; a short history keeps plaid-python's parsing fast."""
    opts = {"transactions": SandboxPublicTokenCreateRequestOptionsTransactions(days_requested=days)}
    if webhook:
        opts["webhook"] = webhook
    if username:
        opts["override_username"] = username
        opts["override_password"] = password or "pass_good"
    pt = client.sandbox_public_token_create(
        SandboxPublicTokenCreateRequest(
            institution_id=institution_id,
            initial_products=[Products("transactions")],
            options=SandboxPublicTokenCreateRequestOptions(**opts),
        )
    )
    ex = client.item_public_token_exchange(
        ItemPublicTokenExchangeRequest(public_token=pt.public_token)
    )
    return ex.access_token, ex.item_id


def link_token(client, **extra):
    req = {
        "client_name": "Pennywise",
        "language": "en",
        "country_codes": [CountryCode("US")],
        "user": LinkTokenCreateRequestUser(client_user_id="user-1"),
    }
    if "access_token" not in extra:
        req["products"] = [Products("transactions")]
    req.update(extra)
    return client.link_token_create(LinkTokenCreateRequest(**req)).link_token


def sync_all(client, access_token, cursor="", count=500):
    """Pull every page of one update; returns (added, modified, removed, cursor, pages)."""
    added, modified, removed, pages = [], [], [], 0
    while True:
        r = client.transactions_sync(
            TransactionsSyncRequest(access_token=access_token, cursor=cursor, count=count)
        )
        pages += 1
        added += r.added
        modified += r.modified
        removed += r.removed
        cursor = r.next_cursor
        if not r.has_more:
            return added, modified, removed, cursor, pages


def post(url, path, body=None, *, creds=True, method="POST"):
    """Raw JSON call; returns (status, parsed body)."""
    body = dict(body or {})
    if creds:
        body.setdefault("client_id", "emulator-client-id")
        body.setdefault("secret", "emulator-secret")
    data = json.dumps(body).encode() if method == "POST" else None
    req = urllib.request.Request(
        url + path, data=data, method=method, headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())
