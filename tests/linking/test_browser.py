"""Linking banks in real Chromium against the emulator's Link look-alike.

Screenshots go to test-artifacts/linking/.
"""

from pathlib import Path

import pytest

from banking import plaid as plaid_api
from banking.models import PlaidItem
from tests.browser import (
    LINK_FRAME,
    launch_chromium,
    link_choose,
    link_finish,
    link_open,
    link_sign_in,
    watched_page,
)

from .conftest import emulator_items

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "linking"


@pytest.fixture(scope="module")
def browser():
    with launch_chromium() as browser:
        yield browser


@pytest.fixture
def page(browser, site, alice, emulator):
    # The emulator's stand-in for the bank's OAuth page is a whole page of its own, with no
    # favicon; that is the "bank's" site, not ours.
    favicon = f"{emulator.url}/favicon.ico"
    with watched_page(
        browser, user=alice, url=site.url, ignore=lambda e: "status of 404" in e and favicon in e
    ) as page:
        yield page


def shot(page, name):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_it_links_first_platypus_bank_with_credentials(page, site, alice):
    link = link_open(page, site.url)
    link_choose(link, "First Platypus Bank")
    link_sign_in(link)
    shot(page, "01-link-accounts")
    link_finish(link, page)
    item = PlaidItem.objects.get(user=alice)
    assert item.institution.name == "First Platypus Bank"
    page.goto(site.url + "/banks/")
    assert page.locator(".institution h2", has_text="First Platypus Bank").is_visible()
    assert page.locator(".account", has_text="Plaid Checking").count() >= 1
    assert "$" in page.locator(".account-balance").first.inner_text()
    shot(page, "02-banks-after-link")


def test_it_links_the_mfa_bank(page, site, alice):
    link = link_open(page, site.url)
    link_choose(link, "First Gingham")
    link_sign_in(link)
    link.locator("#code").fill("1234")
    link.locator("button[type=submit]").click()
    link_finish(link, page)
    assert PlaidItem.objects.get(user=alice).institution.institution_id == "ins_109509"


def test_it_shows_a_clear_error_for_a_wrong_password(page, site):
    link = link_open(page, site.url)
    link_choose(link, "First Platypus Bank")
    link_sign_in(link, password="wrong")
    link.locator("#link-alert.on").wait_for()
    assert not PlaidItem.objects.exists()


def test_it_links_the_oauth_bank_through_the_redirect(page, site, alice):
    link = link_open(page, site.url)
    link_choose(link, "Platypus OAuth Bank")
    link.get_by_role("button", name="Continue").click()
    # The whole window goes to the bank's consent page, then back to /oauth-callback.
    page.get_by_role("button", name="Authorize").click()
    page.wait_for_url("**/oauth-callback?oauth_state_id=*")
    shot(page, "03-oauth-return")
    link = page.frame_locator(LINK_FRAME)
    link_finish(link, page)
    item = PlaidItem.objects.get(user=alice)
    assert item.institution.institution_id == "ins_127287"


def test_it_reconnects_after_a_login_reset(page, site, linked_item):
    plaid_api.sandbox_item_reset_login(linked_item)
    PlaidItem.objects.filter(pk=linked_item.pk).update(
        status="login_required", error_code="ITEM_LOGIN_REQUIRED"
    )
    page.goto(site.url + "/banks/")
    assert page.get_by_text("Needs you to sign in again").is_visible()
    shot(page, "04-needs-reconnect")
    page.get_by_role("link", name="Reconnect").click()
    page.click("[data-link-open]")
    link = page.frame_locator(LINK_FRAME)
    link_sign_in(link)
    link.get_by_role("heading", name="Success").wait_for()
    link.get_by_role("button", name="Continue").click()
    page.wait_for_url(f"**/banks/{linked_item.public_id}/")
    linked_item.refresh_from_db()
    assert linked_item.status == "healthy"
    assert page.locator(".badge", has_text="Connected").is_visible()
    shot(page, "05-reconnected")


def test_it_removes_a_bank(page, site, linked_item, emulator):
    page.goto(site.url + f"/banks/{linked_item.public_id}/")
    page.get_by_role("link", name="Remove").click()
    page.get_by_role("button", name="Remove First Platypus Bank").click()
    # Removing a bank asks for the password again; allauth then replays the removal.
    page.wait_for_url("**/accounts/reauthenticate/**")
    page.fill("#id_password", "alice-pass-123")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/banks/")
    assert page.get_by_text("No banks connected yet").is_visible()
    shot(page, "06-removed")
    assert not PlaidItem.objects.exists()
    assert emulator_items(emulator)["items"] == []
