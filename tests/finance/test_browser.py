"""The finance pages in real Chromium: behaviour, accessibility (axe-core) and screenshots.

Screenshots go to test-artifacts/ and, for the README, docs/screenshots/.
"""

import re
import shutil
from pathlib import Path

import pytest
from django.test import Client

from banking.models import Transaction
from tests.browser import axe_violations, launch_chromium
from tests.factories import SyncRunFactory, WebhookEventFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
SCREENSHOTS = ROOT / "docs" / "screenshots"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def browser():
    with launch_chromium() as browser:
        yield browser


def _context(browser, live_server, user, viewport):
    client = Client()
    client.force_login(user)
    phone = viewport == PHONE
    context = browser.new_context(
        viewport=viewport,
        is_mobile=phone,
        has_touch=phone,
        device_scale_factor=2 if phone else 1,
        reduced_motion="reduce",
    )
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    return context


@pytest.fixture
def page(browser, live_server, alice):
    context = _context(browser, live_server, alice, DESKTOP)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on(
        "console",
        lambda msg: errors.append(f"{msg.text} {msg.location}") if msg.type == "error" else None,
    )
    yield page
    context.close()
    # No JS errors, no missing files and no CSP violations (Chromium logs those as console
    # errors). A 400 is what a page with bad filters answers on purpose.
    assert [e for e in errors if "status of 400" not in e] == []


def shoot(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    shutil.copyfile(path, SCREENSHOTS / f"{name}.png")
    # What fits on one screen, for reviewing the layout quickly.
    page.screenshot(path=str(ARTIFACTS / f"{name}-viewport.png"))


def test_dashboard_shows_the_overview_and_passes_axe(page, live_server, rich_money):
    page.goto(live_server.url + "/")
    assert page.get_by_role("heading", name="Dashboard").is_visible()
    assert page.get_by_text("First Gingham Credit Union needs you to sign in again.").is_visible()
    assert page.get_by_role("link", name="Reconnect First Gingham Credit Union").is_visible()
    assert page.locator('[data-total="net-worth"]').inner_text() == "$5,839.75"
    assert axe_violations(page) == []


def test_the_empty_dashboard_welcomes_and_passes_axe(page, live_server):
    page.goto(live_server.url + "/")
    assert page.get_by_role("link", name="Link a bank").is_visible()
    assert axe_violations(page) == []
    shoot(page, "dashboard-empty-desktop")


def test_filter_and_search_narrow_the_list(page, live_server, rich_money):
    page.goto(live_server.url + "/transactions/")
    assert page.locator("#txn-table tbody tr").count() == 50
    assert page.get_by_role("link", name="Next →").is_visible()
    page.get_by_label("Search").fill("whole")
    page.get_by_text("More filters").click()
    page.get_by_label("Category").select_option("FOOD_AND_DRINK")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url(re.compile(r"q=whole"))
    names = page.locator("#txn-table .txn-name").all_inner_texts()
    assert names and set(names) == {"Whole Foods"}
    # The number input refuses letters, but a hand-edited link can carry them.
    page.goto(live_server.url + "/transactions/?min_amount=abc&start=2025-02-30")
    assert page.get_by_text("Enter a number.").is_visible()
    assert page.get_by_text("Enter a valid date.").is_visible()
    assert axe_violations(page) == []


def test_a_category_can_be_edited_inline(page, live_server, money):
    coffee = money["coffee"]
    page.goto(live_server.url + "/transactions/")
    row = page.locator(f"#txn-{coffee.public_id}")
    row.get_by_role("button", name=re.compile("^Edit Starbucks")).click()
    editor = page.locator(".txn-edit-row")
    editor.get_by_label("Category").select_option("ENTERTAINMENT")
    editor.get_by_label("Notes").fill("Birthday treat")
    assert axe_violations(page) == []
    editor.get_by_role("button", name="Save").click()
    page.wait_for_selector(".txn-edit-row", state="detached")
    assert row.locator(".js-category").inner_text() == "Entertainment"
    assert row.get_by_text("Birthday treat").is_visible()
    coffee.refresh_from_db()
    assert (coffee.category_override, coffee.notes) == ("ENTERTAINMENT", "Birthday treat")


def test_a_category_can_be_edited_without_javascript(browser, live_server, alice, money):
    client = Client()
    client.force_login(alice)
    context = browser.new_context(java_script_enabled=False, viewport=DESKTOP)
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    page = context.new_page()
    page.goto(live_server.url + "/transactions/?q=starbucks")
    page.get_by_role("link", name=re.compile("^Edit Starbucks")).click()
    page.get_by_label("Category").select_option("TRAVEL")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(re.compile(r"/transactions/\?q=starbucks$"))
    assert page.get_by_text("Saved your changes").is_visible()
    context.close()
    assert Transaction.objects.get(pk=money["coffee"].pk).category_override == "TRAVEL"


def test_export_downloads_the_filtered_csv(page, live_server, money):
    page.goto(live_server.url + "/transactions/?q=whole")
    page.get_by_role("link", name="Export CSV").click()
    # Exporting everything asks for the password again, then the download starts.
    page.wait_for_url("**/accounts/reauthenticate/**")
    page.fill("#id_password", "alice-pass-123")
    with page.expect_download() as info:
        page.locator("main form button[type=submit]").click()
    download = info.value
    assert re.fullmatch(r"transactions-\d{4}-\d\d-\d\d\.csv", download.suggested_filename)
    text = Path(download.path()).read_bytes().decode()
    assert text.count("\r\n") == 2 and "WHOLEFDS MKT" in text


def test_charts_render_with_their_tables(page, live_server, rich_money):
    page.goto(live_server.url + "/insights/")
    page.wait_for_selector("body[data-charts='2']")
    # Chart.js drew something: the canvas is not blank.
    blank = page.evaluate(
        """() => { const c = document.getElementById('chart-categories');
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        return !d.some((v, i) => i % 4 === 3 && v > 0); }"""
    )
    assert blank is False
    page.get_by_text("Show the numbers as a table").first.click()
    assert page.locator("#table-categories tbody tr").count() == 12
    assert axe_violations(page) == []


def test_another_users_transaction_is_404_in_the_browser(browser, live_server, bob, money):
    context = _context(browser, live_server, bob, DESKTOP)
    page = context.new_page()
    response = page.goto(live_server.url + f"/transactions/{money['coffee'].public_id}/")
    assert response.status == 404
    context.close()


def test_the_phone_menu_opens_and_closes(browser, live_server, alice, money):
    context = _context(browser, live_server, alice, PHONE)
    page = context.new_page()
    page.goto(live_server.url + "/")
    menu = page.get_by_role("button", name="Menu")
    assert page.get_by_role("link", name="Transactions").is_hidden()
    menu.click()
    assert menu.get_attribute("aria-expanded") == "true"
    page.get_by_role("link", name="Transactions").click()
    page.wait_for_url(re.compile(r"/transactions/$"))
    # Phone layout: no sideways scrolling.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    context.close()


@pytest.mark.parametrize("viewport_name", ["desktop", "phone"])
def test_rules_and_categories_are_reachable_from_the_nav(
    browser, live_server, alice, money, viewport_name
):
    viewport = DESKTOP if viewport_name == "desktop" else PHONE
    context = _context(browser, live_server, alice, viewport)
    page = context.new_page()
    page.goto(live_server.url + "/")
    nav = page.get_by_role("navigation", name="Main")
    for name, path in [("Rules", "/rules/"), ("Categories", "/categories/")]:
        if viewport_name == "phone":
            page.get_by_role("button", name="Menu").click()
        nav.get_by_role("link", name=name).click()
        page.wait_for_url(re.compile(f"{path}$"))
        # By its address: on the phone the closed menu hides the link from role queries.
        current = page.locator(f'#site-nav a[href="{path}"]').get_attribute("aria-current")
        assert current == "page"
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    page.get_by_role("navigation", name="Organise").get_by_role("link", name="Tags").click()
    page.wait_for_url(re.compile(r"/tags/$"))
    assert axe_violations(page) == []
    context.close()


@pytest.mark.parametrize("viewport_name", ["desktop", "phone"])
def test_screenshots_for_the_readme(browser, live_server, alice, rich_money, viewport_name):
    viewport = DESKTOP if viewport_name == "desktop" else PHONE
    context = _context(browser, live_server, alice, viewport)
    page = context.new_page()
    good = rich_money["good"]
    SyncRunFactory(item=good, trigger="initial", added=1618)
    SyncRunFactory(item=good, trigger="webhook", added=4, modified=1)
    WebhookEventFactory(item=good)
    for name, url in [
        ("dashboard", "/"),
        ("transactions", "/transactions/"),
        ("insights", "/insights/"),
        ("bank", f"/banks/{good.public_id}/"),
        ("not-found", "/no-such-page/"),
    ]:
        page.goto(live_server.url + url)
        if name == "insights":
            page.wait_for_selector("body[data-charts='2']")
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"], name
        assert axe_violations(page) == [], name
        shoot(page, f"{name}-{viewport_name}")
    context.close()
