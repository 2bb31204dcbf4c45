"""Investments and liabilities in real Chromium: link the emulator's credit union through Link,
see holdings with gains and the card's due date and minimum payment, move the emulator 30 days
on and see prices, a dividend and the loans move. Desktop and a 390 px phone, through axe.

Tasks run eagerly here: linking syncs on commit, and the sync's outbox queues the liabilities
and investments refresh, all inside the requests.
"""

import time
from pathlib import Path

import pytest

from banking.models import PlaidItem
from tests.browser import axe_violations, launch_chromium, link_bank, watched_page
from tests.emulator_client import emulator_call
from tests.finance.test_every_page_browser import OVERFLOW

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts" / "wealth"
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def browser():
    with launch_chromium() as browser:
        yield browser


def shot(page, name):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def texts(page, selector):
    return page.locator(selector).all_inner_texts()


def until_changed(page, url, selector, before, timeout=60):
    """Reload `url` until `selector`'s texts differ from `before` (the refresh runs in the
    background of the webhooks and "Refresh now")."""
    deadline = time.monotonic() + timeout
    while True:
        page.goto(url)
        now = texts(page, selector)
        if now != before or time.monotonic() > deadline:
            return now
        time.sleep(1)


def test_it_follows_holdings_and_loans_over_30_days(browser, site, alice, emulator):
    favicon = f"{emulator.url}/favicon.ico"
    with watched_page(
        browser, user=alice, url=site.url, ignore=lambda e: "status of 404" in e and favicon in e
    ) as page:
        link_bank(page, site.url, "Tattersall Federal Credit Union")
        item = PlaidItem.objects.get(user=alice)
        assert {"investments", "liabilities"} <= set(item.products)

        page.goto(site.url + "/investments/")
        assert page.locator(".js-holding").count() == 7
        assert all("%" in g for g in texts(page, ".js-holding .js-gain"))
        assert page.locator(".js-by-type li", has_text="ETFs").is_visible()
        prices = texts(page, ".js-holding .js-price")
        dividends = texts(
            page, '.js-investment-transaction[data-subtype="dividend"] td:first-child'
        )
        assert dividends
        assert axe_violations(page) == []
        shot(page, "portfolio-desktop")

        page.goto(site.url + "/liabilities/")
        card = page.locator(".js-card")
        assert card.locator(".js-due").inner_text() != "—"
        assert card.locator(".js-minimum").inner_text().startswith("$")
        principal = texts(page, ".js-loan .js-principal")
        assert len(principal) == 2  # the mortgage and the student loan (Plaid has no auto loans)
        assert axe_violations(page) == []
        shot(page, "liabilities-desktop")

        emulator_call(emulator, "POST", f"/emulator/items/{item.item_id}/advance", {"days": 30})
        page.goto(site.url + f"/banks/{item.public_id}/")
        page.get_by_role("button", name="Refresh now").click()

        moved = until_changed(page, site.url + "/investments/", ".js-holding .js-price", prices)
        assert moved != prices
        # The transactions are stored a moment after the holdings.
        dividend_dates = '.js-investment-transaction[data-subtype="dividend"] td:first-child'
        later = until_changed(page, site.url + "/investments/", dividend_dates, dividends)
        assert later[0] != dividends[0]  # a newer dividend arrived
        owed = until_changed(page, site.url + "/liabilities/", ".js-loan .js-principal", principal)
        amounts = lambda xs: [float(x.replace("$", "").replace(",", "")) for x in xs]  # noqa: E731
        assert sum(amounts(owed)) < sum(amounts(principal))
        shot(page, "liabilities-after-30-days")

    with watched_page(browser, user=alice, url=site.url, viewport=PHONE) as phone:
        for url, name in (("/investments/", "portfolio"), ("/liabilities/", "liabilities")):
            phone.goto(site.url + url)
            # Nothing sticks out past the phone's edge (the every-page test's check).
            assert phone.evaluate(OVERFLOW) == [], url
            assert axe_violations(phone) == []
            shot(phone, f"{name}-phone")
