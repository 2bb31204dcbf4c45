"""Chromium links the OAuth bank and the MFA bank through the Link look-alike, from a tiny
host page served by the test on another origin (as our Django pages will be)."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from plaid.model.accounts_get_request import AccountsGetRequest
from plaid.model.item_get_request import ItemGetRequest
from plaid.model.item_public_token_exchange_request import ItemPublicTokenExchangeRequest
from plaid.model.link_token_create_request_update import LinkTokenCreateRequestUpdate

from tests.browser import launch_chromium

from .helpers import link_item, link_token, post, sync_all

pytestmark = pytest.mark.browser
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

HOST_PAGE = """<!doctype html><html><head><title>host</title>
<script src="{emulator}/link/v2/stable/link-initialize.js"></script></head><body>
<button id="go">Link account</button><pre id="out"></pre>
<script>
  const params = new URLSearchParams(location.search);
  const oauth = location.pathname === "/oauth";
  if (!oauth) localStorage.setItem("link_token", params.get("token"));
  window.events = [];
  const handler = Plaid.create({{
    token: localStorage.getItem("link_token"),
    receivedRedirectUri: oauth ? location.href : undefined,
    onSuccess: (public_token, metadata) => {{ window.result = {{public_token, metadata}}; }},
    onExit: (error, metadata) => {{ window.exited = {{error, metadata}}; }},
    onEvent: (name, metadata) => window.events.push(name),
    onLoad: () => {{ window.loaded = true; if (oauth) handler.open(); }},
  }});
  window.handler = handler;
  document.getElementById("go").onclick = () => handler.open();
</script></body></html>"""


@pytest.fixture(scope="module")
def browser():
    with launch_chromium() as b:
        yield b


@pytest.fixture
def host(emulator):
    page_html = HOST_PAGE.format(emulator=emulator.url).encode()

    class H(BaseHTTPRequestHandler):
        def log_message(self, *a):
            pass

        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(page_html)))
            self.end_headers()
            self.wfile.write(page_html)

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), H)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def page(browser):
    ctx = browser.new_context()
    pg = ctx.new_page()
    pg.set_default_timeout(5000)
    yield pg
    ctx.close()


def shot(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"emulator-{name}.png"))


def test_it_links_the_oauth_bank_through_the_bank_consent_page(plaid_client, host, page):
    token = link_token(plaid_client, redirect_uri=f"{host}/oauth")
    page.goto(f"{host}/?token={token}")
    page.get_by_role("button", name="Link account").click()
    link = page.frame_locator("#plaid-link-iframe")
    link.get_by_role("button", name="Platypus OAuth Bank").click()
    shot(page, "oauth-intro")
    link.get_by_role("button", name="Continue").click()
    page.get_by_role("button", name="Authorize").wait_for()
    shot(page, "oauth-consent")
    page.get_by_role("button", name="Authorize").click()
    page.wait_for_url(f"{host}/oauth?oauth_state_id=*")
    link.get_by_label("Plaid Checking").wait_for()
    shot(page, "oauth-accounts")
    link.get_by_role("button", name="Continue").click()
    link.get_by_role("heading", name="Success").wait_for()
    link.get_by_role("button", name="Continue").click()
    page.wait_for_function("window.result !== undefined")
    result = page.evaluate("window.result")
    md = result["metadata"]
    assert md["institution"] == {"name": "Platypus OAuth Bank", "institution_id": "ins_127287"}
    assert len(md["accounts"]) == 3 and md["link_session_id"]
    assert {"id", "name", "mask", "type", "subtype"} <= set(md["accounts"][0])
    assert result["public_token"].startswith("public-sandbox-")
    ex = plaid_client.item_public_token_exchange(
        ItemPublicTokenExchangeRequest(public_token=result["public_token"])
    )
    accounts = plaid_client.accounts_get(AccountsGetRequest(access_token=ex.access_token))
    assert {a.account_id for a in accounts.accounts} == {a["id"] for a in md["accounts"]}
    assert "OPEN" in page.evaluate("window.events")

    # Reloading the callback page reuses the oauth_state_id, which Plaid refuses.
    page.reload()
    page.wait_for_function("window.exited !== undefined")
    exited = page.evaluate("window.exited")
    assert exited["error"]["error_code"] == "OAUTH_STATE_ID_ALREADY_PROCESSED"


def test_it_links_the_mfa_bank_after_a_wrong_code(plaid_client, host, page):
    token = link_token(plaid_client)
    page.goto(f"{host}/?token={token}")
    page.get_by_role("button", name="Link account").click()
    link = page.frame_locator("#plaid-link-iframe")
    link.get_by_label("Search for your bank").fill("gingham")
    link.get_by_role("button", name="First Gingham Credit Union").click()
    link.get_by_label("Username").fill("user_good")
    link.get_by_label("Password").fill("pass_good")
    shot(page, "mfa-credentials")
    link.get_by_role("button", name="Submit").click()
    link.get_by_label("Verification code").fill("0000")
    link.get_by_role("button", name="Submit").click()
    assert "not correct" in link.get_by_role("alert").inner_text()
    link.get_by_label("Verification code").fill("1234")
    shot(page, "mfa-code")
    link.get_by_role("button", name="Submit").click()
    link.get_by_label("Plaid Saving").uncheck()
    link.get_by_role("button", name="Continue").click()
    link.get_by_role("button", name="Continue").click()
    page.wait_for_function("window.result !== undefined")
    md = page.evaluate("window.result.metadata")
    assert md["institution"]["institution_id"] == "ins_109509"
    assert sorted(a["name"] for a in md["accounts"]) == ["Plaid Checking", "Plaid Credit Card"]


def test_it_rejects_a_wrong_password_and_reports_exit(plaid_client, host, page):
    token = link_token(plaid_client)
    page.goto(f"{host}/?token={token}")
    page.get_by_role("button", name="Link account").click()
    link = page.frame_locator("#plaid-link-iframe")
    link.get_by_role("button", name="First Platypus Bank").click()
    link.get_by_label("Username").fill("user_good")
    link.get_by_label("Password").fill("wrong")
    link.get_by_role("button", name="Submit").click()
    assert "credentials were not correct" in link.get_by_role("alert").inner_text()
    link.get_by_role("button", name="Close").click()
    page.wait_for_function("window.exited !== undefined")
    exited = page.evaluate("window.exited")
    assert exited["error"]["error_code"] == "INVALID_CREDENTIALS"
    assert exited["metadata"]["status"] == "requires_credentials"


def test_it_exits_with_invalid_link_token_for_a_bad_token(host, page):
    page.goto(f"{host}/?token=link-sandbox-nope")
    page.get_by_role("button", name="Link account").click()
    page.wait_for_function("window.exited !== undefined")
    assert page.evaluate("window.exited.error.error_code") == "INVALID_LINK_TOKEN"


def test_it_repairs_an_item_in_update_mode(emulator, plaid_client, host, page):
    access_token, item_id = link_item(plaid_client)
    post(emulator.url, f"/emulator/items/{item_id}/reset_login", creds=False)
    token = link_token(plaid_client, access_token=access_token)
    page.goto(f"{host}/?token={token}")
    page.get_by_role("button", name="Link account").click()
    link = page.frame_locator("#plaid-link-iframe")
    brand = link.locator("#link-brand")
    assert brand.inner_text().split("\n")[0].strip() == "Pennywise uses Plaid to connect your bank"
    assert brand.locator(".badge").inner_text().lower() == "emulator"
    assert "First Platypus Bank" in link.get_by_role("heading").first.inner_text()
    shot(page, "update-login")
    link.get_by_label("Username").fill("user_good")
    link.get_by_label("Password").fill("pass_good")
    link.get_by_role("button", name="Submit").click()
    link.get_by_role("heading", name="Success").wait_for()
    shot(page, "update-success")
    link.get_by_role("button", name="Continue").click()
    page.wait_for_function("window.result !== undefined")
    result = page.evaluate("window.result")
    assert len(result["metadata"]["accounts"]) == 3
    # Update mode: exchanging is optional and keeps the same access token.
    ex = plaid_client.item_public_token_exchange(
        ItemPublicTokenExchangeRequest(public_token=result["public_token"])
    )
    assert ex.access_token == access_token
    item = plaid_client.item_get(ItemGetRequest(access_token=access_token)).item
    assert item.error is None


def test_it_lets_the_user_share_a_new_account_in_update_mode(emulator, plaid_client, host, page):
    access_token, item_id = link_item(plaid_client)
    *_, cursor, _ = sync_all(plaid_client, access_token)
    new = post(
        emulator.url,
        f"/emulator/items/{item_id}/accounts",
        {"name": "Vacation Fund", "subtype": "savings"},
        creds=False,
    )[1]["account"]
    token = link_token(
        plaid_client,
        access_token=access_token,
        update=LinkTokenCreateRequestUpdate(account_selection_enabled=True),
    )
    page.goto(f"{host}/?token={token}")
    page.get_by_role("button", name="Link account").click()
    link = page.frame_locator("#plaid-link-iframe")
    link.get_by_label("Username").fill("user_good")
    link.get_by_label("Password").fill("pass_good")
    link.get_by_role("button", name="Submit").click()
    fund = link.get_by_label("Vacation Fund")
    fund.wait_for()
    assert not fund.is_checked() and link.get_by_label("Plaid Checking").is_checked()
    fund.check()
    shot(page, "update-new-account")
    link.get_by_role("button", name="Continue").click()
    link.get_by_role("heading", name="Success").wait_for()
    link.get_by_role("button", name="Continue").click()
    page.wait_for_function("window.result !== undefined")
    md = page.evaluate("window.result.metadata")
    assert sorted(a["name"] for a in md["accounts"]) == [
        "Plaid Checking",
        "Plaid Credit Card",
        "Plaid Saving",
        "Vacation Fund",
    ]
    shared = next(a for a in md["accounts"] if a["name"] == "Vacation Fund")
    assert shared["id"] == new["account_id"] and shared["subtype"] == "savings"
    accounts = plaid_client.accounts_get(AccountsGetRequest(access_token=access_token)).accounts
    assert new["account_id"] in {a.account_id for a in accounts}
    added, *_ = sync_all(plaid_client, access_token, cursor)
    assert added and {t.account_id for t in added} == {new["account_id"]}
