"""Link's failures as a person meets them, in real Chromium: a styled notice that says what
happened and what to do next (try later, pick another bank), never bare text."""

from pathlib import Path

import pytest

from banking.models import PlaidItem
from tests.browser import (
    LINK_FRAME,
    axe_violations,
    launch_chromium,
    link_choose,
    link_open,
    link_sign_in,
    watched_page,
)
from tests.emulator_client import add_fault

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "linking"
NOTICE = "[data-link-error]"


@pytest.fixture(scope="module")
def browser():
    with launch_chromium() as browser:
        yield browser


@pytest.fixture
def page(browser, site, alice, emulator):
    # A refused token request is an answer our page handles; Chromium still logs its status.
    with watched_page(
        browser, user=alice, url=site.url, ignore=lambda e: "link/token/" in e and "status of" in e
    ) as page:
        yield page


def open_link_in_one_click(page, site):
    page.goto(site.url + "/banks/")
    page.get_by_role("link", name="Connect a bank").first.click()
    return page.frame_locator(LINK_FRAME)


def test_a_bank_that_is_down_gets_a_notice_with_next_steps(page, site):
    link = open_link_in_one_click(page, site)
    link_choose(link, "First Platypus Bank")
    link_sign_in(link, password="error_INSTITUTION_DOWN")
    link.locator("#link-alert.on").wait_for()
    link.get_by_role("button", name="Close").click()

    notice = page.locator(f"{NOTICE}.banner-error")
    notice.wait_for()
    assert "Try again in a little while, or pick another bank." in notice.inner_text()
    assert page.get_by_role("button", name="Connect a bank").is_enabled()
    assert axe_violations(page) == []
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "09-bank-down.png"), full_page=True)
    assert not PlaidItem.objects.exists()


def test_closing_link_says_nothing_was_connected(page, site):
    link = open_link_in_one_click(page, site)
    link.get_by_role("button", name="Close").first.click()

    notice = page.locator(f"{NOTICE}.banner-info")
    notice.wait_for()
    assert "nothing was connected" in notice.inner_text()


def test_a_rate_limited_start_says_to_wait(page, site, emulator):
    add_fault(emulator, "/link/token/create", "RATE_LIMIT_EXCEEDED")
    link_open(page, site.url)

    notice = page.locator(f"{NOTICE}.banner-error")
    notice.wait_for()
    assert "Wait a minute, then try again." in notice.inner_text()
    assert axe_violations(page) == []
