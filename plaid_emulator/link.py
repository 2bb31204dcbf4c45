"""Server side of the Link look-alike: the iframe page, its JSON calls and the bank's OAuth
consent page. Authorised by the link token, never by API keys, as in real Link."""

from __future__ import annotations

import html
import time
import uuid
from urllib.parse import parse_qs, urlencode, urlsplit

from . import credentials, institutions, products
from .errors import PlaidError, new_request_id

UI_HTML = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Plaid Link</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="/link/static/link.css"></head>
<body><main id="link-root" class="card" aria-live="polite"></main>
<script src="/link/static/link.js"></script></body></html>"""

CONSENT_HTML = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{name} - Authorize access</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="/link/static/link.css"></head>
<body class="bank" style="--bank: {color}">
<main class="card consent">
  <header class="bank-head"><img src="data:image/png;base64,{logo}" alt="" width="40" height="40">
    <h1>{name}</h1></header>
  <p>{client} (via the Plaid emulator) is asking to access your accounts at {name}:</p>
  <ul class="scopes"><li>Account names, numbers and balances</li><li>Transaction history</li></ul>
  <form method="post" action="/link/oauth/approve">
    <input type="hidden" name="state" value="{state}">
    <button class="primary" type="submit" name="decision" value="approve">Authorize</button>
    <button class="secondary" type="submit" name="decision" value="deny">Cancel</button>
  </form>
  <p class="fine">This page stands in for {name}'s own website.</p>
</main></body></html>"""


def page(handler, path: str, query: dict) -> None:
    if path == "/link/ui":
        return handler.send_html(200, UI_HTML)
    state = (query.get("state") or [""])[0]
    rec = handler.emu.store.oauth_states.get(state)
    if rec is None:
        return handler.send_html(400, "<h1>Unknown or expired OAuth request</h1>")
    inst = institutions.BY_ID[rec["institution_id"]]
    token_rec = handler.emu.store.link_tokens.get(rec["link_token"]) or {}
    handler.send_html(
        200,
        CONSENT_HTML.format(
            client=html.escape(token_rec.get("client_name", "An application")),
            name=html.escape(inst["name"]),
            color=inst["primary_color"],
            logo=institutions.logo(inst["institution_id"]),
            state=html.escape(state),
        ),
    )


def _error(e: PlaidError) -> dict:
    return {"error": e.body(new_request_id())}


def _inst_public(inst: dict) -> dict:
    return {
        "institution_id": inst["institution_id"],
        "name": inst["name"],
        "oauth": inst["kind"] == "oauth",
        "primary_color": inst["primary_color"],
        "logo": institutions.logo(inst["institution_id"]),
    }


def _accounts_step(session: dict, item) -> dict:
    session["item_id"] = item.item_id
    return {
        "step": "accounts",
        "accounts": [
            {
                "id": a["account_id"],
                "name": a["name"],
                "mask": a["mask"],
                "type": a["type"],
                "subtype": a["subtype"],
                "selected": a["selected"] or session["mode"] == "new",
                # Update mode: accounts the user has not shared yet (NEW_ACCOUNTS_AVAILABLE).
                "new": session["mode"] == "update" and not a["selected"],
            }
            for a in item.accounts
        ],
        "account_selection": session["mode"] == "new" or session["account_selection"],
    }


def _authenticated(emu, session: dict) -> dict:
    store = emu.store
    inst = institutions.BY_ID[session["institution_id"]]
    if session["mode"] == "update":
        item = store.items[session["item_id"]]
    else:
        rec = session["token_rec"]
        prods, consented = products.resolve(
            inst,
            rec["products"],
            rec.get("required_if_supported"),
            rec.get("optional"),
            rec.get("additional_consented"),
        )
        item = store.create_item(
            inst["institution_id"],
            session["username"],
            webhook=rec["webhook"],
            products=prods,
            consented=consented,
            days_requested=rec["days_requested"],
            start=False,
            custom=session.get("custom"),
        )
    return _accounts_step(session, item)


def api(handler, path: str, body) -> None:
    emu = handler.emu
    if path == "/link/oauth/approve":
        return _approve(handler, body or {})
    body = body or {}
    try:
        with emu.store.lock:
            result = _dispatch(emu, path, body)
    except PlaidError as e:
        result = _error(e)
    except (TypeError, ValueError, KeyError, AttributeError):
        # Our own page never sends these; anything else hand-made gets an error, not a 500.
        result = _error(PlaidError("INVALID_FIELD", "malformed Link request"))
    handler.send_json(200, result)


def _session(emu, body) -> dict:
    s = emu.store.link_sessions.get(body.get("link_session_id"))
    if s is None:
        raise PlaidError("INVALID_LINK_TOKEN", "link session not found")
    emu.store.link_token(s["link_token"])  # still valid?
    return s


def _dispatch(emu, path: str, body: dict) -> dict:
    store = emu.store
    if path == "/link/api/init":
        token = body.get("token")
        rec = store.link_token(token)
        sid = str(uuid.uuid4())
        session = {
            "link_session_id": sid,
            "link_token": token,
            "token_rec": rec,
            "mode": "update" if rec["item_id"] else "new",
            "item_id": rec["item_id"],
            "account_selection": rec["account_selection"],
            "institution_id": None,
            "username": None,
        }
        store.link_sessions[sid] = session
        out = {
            "link_session_id": sid,
            "client_name": rec["client_name"][:30]
            if len(rec["client_name"]) <= 30
            else "This Application",
            "mode": session["mode"],
            # Plaid shows only banks in the token's countries that support every product.
            "institutions": [
                _inst_public(i)
                for i in institutions.search("", rec["country_codes"], rec["products"])
            ],
        }
        if rec["item_id"]:
            item = store.items.get(rec["item_id"])
            if item is None:
                raise PlaidError("ITEM_NOT_FOUND")
            session["institution_id"] = item.institution_id
            session["username"] = item.username
            out["institution"] = _inst_public(institutions.BY_ID[item.institution_id])
        received = body.get("received_redirect_uri")
        if received:
            out.update(_oauth_return(emu, session, received))
        return out
    session = _session(emu, body)
    if path == "/link/api/select":
        inst = institutions.BY_ID.get(body.get("institution_id"))
        if inst is None or inst["country"] not in session["token_rec"]["country_codes"]:
            raise PlaidError("INVALID_INSTITUTION")
        session["institution_id"] = inst["institution_id"]
        return {
            "step": "oauth" if inst["kind"] == "oauth" else "credentials",
            "institution": _inst_public(inst),
        }
    inst = institutions.BY_ID.get(session["institution_id"] or "")
    if inst is None:
        raise PlaidError("INVALID_INSTITUTION")
    if path == "/link/api/credentials":
        username, password = str(body.get("username") or ""), str(body.get("password") or "")
        who = credentials.login(username, password, inst)
        if session["mode"] == "update" and username != session["username"]:
            raise PlaidError("INVALID_CREDENTIALS")
        session["username"], session["custom"] = who.username, who.custom
        if who.mfa:
            session["mfa"], session["mfa_round"] = who.mfa, 0
            return {"step": "mfa", **credentials.challenge(who.mfa, 0, inst)}
        return _authenticated(emu, session)
    if path == "/link/api/mfa":
        mfa = session.get("mfa")
        if not mfa:
            raise PlaidError("INVALID_MFA", "no MFA challenge is pending")
        n = session["mfa_round"]
        if not credentials.answer_ok(mfa, n, inst, body):
            raise PlaidError("INVALID_MFA")
        if n + 1 < mfa.get("rounds", 1):
            session["mfa_round"] = n + 1
            return {"step": "mfa", **credentials.challenge(mfa, n + 1, inst)}
        session["mfa"] = None
        return _authenticated(emu, session)
    if path == "/link/api/oauth":
        state = str(uuid.uuid4())
        store.oauth_states[state] = {
            "link_token": session["link_token"],
            "link_session_id": session["link_session_id"],
            "institution_id": inst["institution_id"],
            "decision": None,
            "processed": False,
        }
        return {
            "step": "redirect",
            "url": f"{emu.base_url}/link/oauth/consent?state={state}",
            "in_frame": not session["token_rec"]["redirect_uri"],
        }
    if path == "/link/api/complete":
        return _complete(emu, session, set(body.get("account_ids") or []))
    raise PlaidError("NOT_FOUND", f"unknown Link call {path}")


def _oauth_return(emu, session: dict, received: str) -> dict:
    """Re-initialisation after the bank: Plaid checks the oauth_state_id and will not accept
    the same one twice."""
    state = (parse_qs(urlsplit(received).query).get("oauth_state_id") or [""])[0]
    if not state:
        raise PlaidError(
            "INVALID_FIELD", "oauth uri does not contain a valid oauth_state_id query parameter"
        )
    rec = emu.store.oauth_states.get(state)
    if rec is None or rec["link_token"] != session["link_token"]:
        raise PlaidError("INCORRECT_OAUTH_NONCE")
    if rec["processed"]:
        raise PlaidError("OAUTH_STATE_ID_ALREADY_PROCESSED")
    rec["processed"] = True
    if rec["decision"] != "approve":
        raise PlaidError(
            "ACCESS_NOT_GRANTED",
            "the user did not grant access at the bank",
            error_type="ITEM_ERROR",
            status=400,
        )
    session["institution_id"] = rec["institution_id"]
    session["username"] = session["username"] or "user_good"
    return {
        "institution": _inst_public(institutions.BY_ID[rec["institution_id"]]),
        **_authenticated(emu, session),
    }


def _approve(handler, form: dict) -> None:
    emu = handler.emu
    with emu.store.lock:
        rec = emu.store.oauth_states.get(form.get("state"))
        if rec is None or rec["decision"] is not None:
            return handler.send_html(400, "<h1>This authorization request was already used</h1>")
        rec["decision"] = "approve" if form.get("decision") == "approve" else "deny"
        token_rec = emu.store.link_tokens.get(rec["link_token"])
    state = form["state"]
    if token_rec and token_rec["redirect_uri"]:
        return handler.redirect(f"{token_rec['redirect_uri']}?oauth_state_id={state}")
    # No redirect_uri: the consent page ran inside the Link iframe; go back to it.
    qs = urlencode(
        {
            "token": rec["link_token"],
            "received_redirect_uri": f"{emu.base_url}/link/ui?oauth_state_id={state}",
        }
    )
    handler.redirect(f"/link/ui?{qs}")


def _complete(emu, session: dict, chosen: set[str]) -> dict:
    store = emu.store
    item = store.items.get(session.get("item_id") or "")
    if item is None:
        raise PlaidError("INVALID_LINK_TOKEN", "the Link session has not authenticated")
    if session["mode"] == "new" or session["account_selection"]:
        chosen &= {a["account_id"] for a in item.accounts}
        if not chosen:
            raise PlaidError(
                "NO_ACCOUNTS",
                "no accounts were selected",
                error_type="ITEM_ERROR",
                display_message="Select at least one account.",
            )
        item.select_accounts(chosen)
    if session["mode"] == "new":
        store.start_item(item)
    else:
        repaired = item.error is not None
        item.error = None
        item.version += 1
        if repaired:
            item.last_update = time.time()
    inst = institutions.BY_ID[item.institution_id]
    metadata = {
        "institution": {"name": inst["name"], "institution_id": inst["institution_id"]},
        "accounts": [
            {
                "id": a["account_id"],
                "name": a["name"],
                "mask": a["mask"],
                "type": a["type"],
                "subtype": a["subtype"],
                "verification_status": None,
                "class_type": None,
            }
            for a in item.shared_accounts()
        ],
        "link_session_id": session["link_session_id"],
        "transfer_status": None,
    }
    public_token = store.new_public_token(item)
    metadata["public_token"] = public_token
    store.link_sessions.pop(session["link_session_id"], None)
    return {"step": "success", "public_token": public_token, "metadata": metadata}
