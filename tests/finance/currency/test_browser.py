"""The two-currency dashboard in Chromium, desktop and a 390 px phone: every total read off the
page and checked to the cent against the hand sums; the breakdown opens with one click."""

import pytest

from finance.currency.home import home_currency_set
from finance.templatetags.money import format_money
from tests.browser import axe_violations, launch_chromium, watched_page

from .hand import THIS_MONTH, TODAY, expected_net_worth, expected_spending

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def browser():
    with launch_chromium() as browser:
        yield browser


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_two_currency_dashboard_totals_are_right_to_the_cent(
    browser, live_server, alice, two_banks, viewport
):
    home_currency_set(user=alice, code="GBP")
    spent, categories = expected_spending(alice, "GBP", THIS_MONTH, TODAY)
    with watched_page(browser, user=alice, url=live_server.url, viewport=viewport) as page:
        page.goto(live_server.url + "/")
        net = page.locator('[data-total="net-worth"]')
        assert net.inner_text() == format_money(expected_net_worth(alice, "GBP"), "GBP")
        assert page.locator('[data-total="spent-this-month"]').inner_text() == format_money(
            spent, "GBP"
        )
        for code, total in categories.items():
            cell = page.locator(f'[data-total="category-{code}"]')
            if cell.count():
                assert cell.inner_text() == format_money(total, "GBP"), code
        assert page.locator('[data-total^="category-"]').count() == min(5, len(categories))

        breakdown = page.get_by_text("By currency for net worth")
        parts = page.locator("#dashboard-live details.currency-breakdown").first
        assert not parts.locator("li").first.is_visible()
        page.locator("#dashboard-live details.currency-breakdown summary").first.click()
        assert parts.locator("li").first.is_visible()
        assert "$" in parts.inner_text() and "£" in parts.inner_text()
        assert breakdown.count() == 1
        if viewport == PHONE:
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= PHONE["width"], "the dashboard scrolls sideways on a phone"
        assert axe_violations(page) == []
