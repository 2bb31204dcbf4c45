"""Debian's Chromium driven by Playwright, the same way in every browser test.

No `playwright install`: this must work offline, so the browser is /usr/bin/chromium, started
without the background networking that a closed network refuses.
"""

import os
from contextlib import contextmanager
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


@contextmanager
def launch_chromium():
    if not Path(CHROMIUM).exists():
        # Listed at the end of the run; under CI=true a skip fails it (tests/conftest.py).
        pytest.skip(f"{CHROMIUM} is not installed (make test installs it when run as root)")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; Django's ORM refuses to run
    # inside one unless told that this is deliberate.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


AXE = Path(__file__).resolve().parents[1] / "node_modules" / "axe-core" / "axe.min.js"


def axe_violations(page):
    """axe-core's serious and critical violations on the current page, one line each."""
    if not AXE.exists():
        pytest.fail("node_modules/axe-core is missing: run `npm ci`.")
    # evaluate() runs through DevTools, so the page's CSP (no inline scripts) does not block it.
    page.evaluate(AXE.read_text())
    results = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']} -> {[n['target'] for n in v['nodes']][:3]}"
        for v in results
        if v["impact"] in ("serious", "critical")
    ]


def _session_cookie(user, url: str) -> dict:
    from django.test import Client

    client = Client()
    client.force_login(user)
    return {"name": "sessionid", "value": client.cookies["sessionid"].value, "url": url}


@contextmanager
def watched_page(browser, *, user=None, url=None, viewport=None, ignore=lambda error: False):
    """A fresh page (signed in as `user` at `url`, if given) that fails the test on any JS
    error or console error, which includes CSP violations and missing files."""
    context = browser.new_context(viewport=viewport or {"width": 1280, "height": 860})
    if user is not None:
        context.add_cookies([_session_cookie(user, url)])
    page = context.new_page()
    page.set_default_timeout(10_000)
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on(
        "console",
        lambda msg: errors.append(f"{msg.text} {msg.location}") if msg.type == "error" else None,
    )
    try:
        yield page
    finally:
        context.close()
    unexpected = [error for error in errors if not ignore(error)]
    assert unexpected == [], unexpected


# Linking a bank through the emulator's Link look-alike, the way a person does it. One copy for
# every browser test that needs a linked bank made by clicking (tests/linking, tests/finance).
LINK_FRAME = "#plaid-link-iframe"


def link_open(page, site_url: str):
    """The link page and its one button: Link's frame, asking which bank."""
    page.goto(site_url + "/link/")
    page.click("[data-link-open]")
    return page.frame_locator(LINK_FRAME)


def link_choose(link, bank: str) -> None:
    link.locator("#search").fill(bank.split()[0])
    link.locator(".inst", has_text=bank).click()


def link_sign_in(link, username: str = "user_good", password: str = "pass_good") -> None:
    link.locator("#username").fill(username)
    link.locator("#password").fill(password)
    link.locator("button[type=submit]").click()


def link_finish(link, page, *, timeout: float = 60_000) -> None:
    """Accounts (all selected), success, hand-off; waits until our site has taken the token and
    moved on (with eager tasks the first sync runs inside that request: hence the timeout)."""
    link.get_by_role("button", name="Continue").click()
    link.get_by_role("heading", name="Success").wait_for()
    link.get_by_role("button", name="Continue").click()
    page.wait_for_url(
        lambda url: "/link/" not in url and "oauth-callback" not in url, timeout=timeout
    )


def link_bank(page, site_url: str, bank: str = "First Platypus Bank") -> None:
    """Link `bank` with the Sandbox's good credentials, from the link page to our next page."""
    link = link_open(page, site_url)
    link_choose(link, bank)
    link_sign_in(link)
    link_finish(link, page)
