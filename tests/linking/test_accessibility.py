"""The bank pages in real Chromium pass axe-core: no serious or critical violations."""

import pytest

from tests.browser import axe_violations, launch_chromium, watched_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="module")
def browser():
    with launch_chromium() as browser:
        yield browser


@pytest.fixture
def page(browser, site, alice):
    with watched_page(browser, user=alice, url=site.url) as page:
        yield page


def test_the_empty_banks_page_and_the_link_page_pass_axe(page, site):
    page.goto(site.url + "/banks/")
    assert page.get_by_text("No banks connected yet").is_visible()
    assert axe_violations(page) == []
    page.goto(site.url + "/link/")
    assert page.locator("[data-link-open]").is_visible()
    assert axe_violations(page) == []


def test_the_pages_of_a_linked_bank_pass_axe(linked_item, page, site):
    # linked_item comes first: linked before the site points at the live server, so the
    # emulator's link-time webhooks cannot race the exchange for SQLite's write lock.
    page.goto(site.url + "/banks/")
    assert page.locator(".institution h2", has_text="First Platypus Bank").is_visible()
    assert axe_violations(page) == []
    page.goto(site.url + f"/banks/{linked_item.public_id}/")
    assert page.locator(".sync-run").count() == 1
    assert axe_violations(page) == []
    page.goto(site.url + f"/banks/{linked_item.public_id}/remove/")
    assert page.get_by_role("button", name="Remove First Platypus Bank").is_visible()
    assert axe_violations(page) == []


def test_a_bank_that_needs_signing_in_again_passes_axe(linked_item, page, site):
    linked_item.status = "login_required"
    linked_item.error_code = "ITEM_LOGIN_REQUIRED"
    linked_item.save(update_fields=["status", "error_code"])
    page.goto(site.url + "/banks/")
    assert page.get_by_text("Needs you to sign in again").is_visible()
    assert axe_violations(page) == []
    page.goto(site.url + f"/banks/{linked_item.public_id}/")
    assert axe_violations(page) == []
