"""Done when: link a bank in Chromium, see its subscriptions and next bills; the emulator raises
a subscription's price, its webhooks reach the site, and the page shows the increase."""

import copy
import time
from datetime import date
from decimal import Decimal

import pytest

from banking.models import PlaidItem, WebhookEvent
from finance.models import RecurringStream
from tests.browser import axe_violations, launch_chromium, link_bank, watched_page
from tests.emulator_client import emulator_call
from tests.finance.test_browser import PHONE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SUBSCRIPTIONS = {"Hulu", "Disney+", "Apple", "The New York Times", "Audible", "Adobe"}


@pytest.fixture(scope="module")
def browser():
    with launch_chromium() as browser:
        yield browser


@pytest.fixture
def site(plaid_settings, live_server, emulator):
    """The live server as the site (webhooks go to it), Link from this emulator."""
    plaid_settings.SITE_URL = live_server.url
    policy = copy.deepcopy(plaid_settings.CONTENT_SECURITY_POLICY)
    for directive in ("script-src", "frame-src", "connect-src", "img-src"):
        policy["DIRECTIVES"][directive] = [*policy["DIRECTIVES"][directive], emulator.url]
    plaid_settings.CONTENT_SECURITY_POLICY = policy
    return live_server


def _ignore(error: str) -> bool:
    # The emulator's favicon and the made-up merchant logo hosts are not reachable offline.
    return "favicon.ico" in error or "plaid-merchant-logos" in error or "ERR_" in error


def _wait(predicate, timeout=60.0, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}")


def test_a_linked_bank_shows_its_subscriptions_and_a_price_increase_after_the_webhook(
    browser, site, alice, emulator
):
    with watched_page(browser, user=alice, url=site.url, ignore=_ignore) as page:
        link_bank(page, site.url)
        page.get_by_role("heading", name="Upcoming bills, next 30 days").wait_for()
        assert page.locator(".js-upcoming").count() > 0

        page.goto(site.url + "/recurring/")
        names = page.locator("#rec-out-title + table .js-stream-name").all_inner_texts()
        subs = SUBSCRIPTIONS & set(names)
        assert subs and "RENT PAYMENT - SUNSET APARTMENTS" in names
        assert page.locator(".js-price-up").count() == 0
        assert axe_violations(page) == []

        # This user's bank: the emulator also holds the items of tests that ran before.
        item_id = PlaidItem.objects.get(user=alice).item_id
        truth = emulator_call(emulator, "GET", f"/emulator/items/{item_id}/recurring-truth")
        sub = next(s for s in truth["streams"] if s["merchant_name"] in subs)
        # A Decimal, as the column holds: a float looked up against a DecimalField becomes
        # e.g. Decimal("6.99000000000000021") (max_digits of precision), which PostgreSQL's
        # numeric never equals (SQLite compares as REAL and hid this).
        new_price = Decimal(str(round(sub["amount"] + 4, 2)))
        emulator_call(
            emulator,
            "POST",
            f"/emulator/items/{item_id}/streams/{sub['stream_id']}",
            {"amount": float(new_price)},
        )
        days = (
            date.fromisoformat(sub["predicted_next_date"]) - date.fromisoformat(truth["today"])
        ).days
        emulator_call(emulator, "POST", f"/emulator/items/{item_id}/advance", {"days": days + 1})

        _wait(
            lambda: WebhookEvent.objects.filter(
                plaid_item_id=item_id,
                webhook_code="RECURRING_TRANSACTIONS_UPDATE",
                processed_at__isnull=False,
            ).exists(),
            what="the recurring webhook, processed",
        )
        _wait(
            lambda: RecurringStream.objects.filter(
                user=alice, merchant_name=sub["merchant_name"], last_amount=new_price
            ).exists(),
            what="the new price in the stream",
        )
        page.reload()
        row = page.locator(".js-stream", has_text=sub["merchant_name"])
        assert "Price up $4.00" in row.locator(".js-price-up").inner_text()

    with watched_page(browser, user=alice, url=site.url, viewport=PHONE, ignore=_ignore) as phone:
        phone.goto(site.url + "/recurring/")
        phone.locator(".js-price-up").first.wait_for()
        assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
