"""The item page's "Refresh now" in real Chromium: the finished run appears in place.

Tasks run eagerly here, so the sync runs inside the refresh request (htmx posts it and swaps
the answer in); the emulator's latency makes that request take a while, which a test of end
states does not mind.
"""

from pathlib import Path

import pytest

from banking.models import SyncRun
from tests.browser import launch_chromium, watched_page
from tests.emulator_client import add_fault

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "sync"
STATUS = "#bank-live [data-sync-phase]"


@pytest.fixture(scope="module")
def browser():
    with launch_chromium() as browser:
        yield browser


def slow_down_syncs(emulator, latency_ms):
    add_fault(emulator, "/transactions/sync", latency_ms=latency_ms)


@pytest.fixture
def page(browser, live_server, plaid_settings, alice):
    plaid_settings.SITE_URL = live_server.url
    with watched_page(browser, user=alice, url=live_server.url) as page:
        yield page


def test_it_shows_the_new_run_after_refresh_now_without_a_manual_reload(
    linked_item, page, live_server, emulator
):
    # linked_item comes first: linked before the site points at the live server, so the
    # emulator's link-time webhooks cannot race the exchange for SQLite's write lock.
    # Linking ran the first sync (on commit, eagerly).
    assert list(SyncRun.objects.values_list("trigger", flat=True)) == ["initial"]
    page.goto(live_server.url + f"/banks/{linked_item.public_id}/")
    assert page.locator(".sync-run").count() == 1
    slow_down_syncs(emulator, 1500)

    page.evaluate("window.stillTheSamePage = true")
    page.get_by_role("button", name="Refresh now").click()
    # Only end states are waited for: "requested" and "updating" may come and go faster than
    # any check could see them (with eager tasks the sync runs inside the refresh request).
    page.locator(".sync-run", has_text="you asked").wait_for()
    page.locator(f'{STATUS}[data-sync-phase="idle"]').wait_for()
    page.locator("[data-sync-status-text]", has_text="Up to date.").wait_for()
    assert page.locator(".sync-run").count() == 2
    assert page.locator(".sync-run-success", has_text="you asked").count() == 1
    assert page.evaluate("window.stillTheSamePage") is True
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "refresh-done.png"), full_page=True)
    run = SyncRun.objects.get(trigger="manual")
    assert run.outcome == "success"

    # A second click within the throttle says so in place, and starts nothing.
    page.get_by_role("button", name="Refresh now").click()
    page.locator("[data-sync-status-text]", has_text="refreshed recently").wait_for()
    page.get_by_role("button", name="Refresh now").wait_for()
    assert page.get_by_role("button", name="Refresh now").is_enabled()
    assert SyncRun.objects.count() == 2
