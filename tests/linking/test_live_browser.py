"""Live updates in real Chromium with a real Celery worker: a bank linked with no worker running
shows "Importing…" on the dashboard; once a worker imports it, the transactions appear on the
same page, with no reload.

Every step waits for a state; none asserts a transient state at a fixed instant.
"""

from pathlib import Path

import pytest
from django.utils import timezone

from banking.models import PlaidItem, SyncRun, Transaction
from tests.browser import launch_chromium, link_bank, watched_page
from tests.workers import worker_starter

pytestmark = [pytest.mark.browser, pytest.mark.worker, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "linking"
RECENT = "#dashboard-live .txn-name"


@pytest.fixture(scope="module")
def browser():
    with launch_chromium() as browser:
        yield browser


@pytest.fixture
def start_worker(emulator, tmp_path):
    # Tasks published by this test (and its live server) go to a queue only our worker reads.
    with worker_starter(emulator_url=emulator.url, log_dir=tmp_path, prefix="test-live") as start:
        yield start


@pytest.fixture
def page(browser, site, alice, emulator, start_worker):
    favicon = f"{emulator.url}/favicon.ico"
    with watched_page(
        browser, user=alice, url=site.url, ignore=lambda e: "status of 404" in e and favicon in e
    ) as page:
        yield page


def test_the_dashboard_fills_in_without_a_reload_once_the_import_commits(
    page, site, alice, start_worker
):
    link_bank(page, site.url)
    # Queued, and no worker yet: the page says so rather than "no transactions".
    page.get_by_text("Importing your transactions from First Platypus Bank…").wait_for()
    assert page.locator(RECENT).count() == 0
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "07-importing.png"), full_page=True)
    page.evaluate("window.stillTheSamePage = true")

    start_worker()
    page.locator(RECENT).first.wait_for(timeout=60_000)
    seen = timezone.now()

    assert page.evaluate("window.stillTheSamePage") is True
    run = SyncRun.objects.get(item__user=alice, outcome="success")
    # A functional bound, not a benchmark: at most a few polls after the rows committed.
    assert (seen - run.finished_at).total_seconds() < 10
    assert Transaction.objects.filter(user=alice).exists()
    page.get_by_text("Up to date.").wait_for()
    assert page.locator("#dashboard-live .stat-value").first.inner_text() != "—"
    page.screenshot(path=str(ARTIFACTS / "08-imported-live.png"), full_page=True)


def test_a_webhook_status_change_reaches_an_open_bank_page(page, site, linked_item, settings):
    settings.LIVE_POLL_IDLE_SECONDS = 2
    PlaidItem.objects.filter(pk=linked_item.pk).update(last_successful_sync_at=timezone.now())
    page.goto(site.url + f"/banks/{linked_item.public_id}/")
    page.locator('#bank-live [data-sync-phase="idle"]').wait_for()
    page.evaluate("window.stillTheSamePage = true")
    # What the webhook handler stores on ITEM_LOGIN_REQUIRED.
    PlaidItem.objects.filter(pk=linked_item.pk).update(
        status="login_required", error_code="ITEM_LOGIN_REQUIRED"
    )
    page.locator("#bank-live .badge", has_text="Needs you to sign in again").wait_for()
    assert page.evaluate("window.stillTheSamePage") is True


def test_the_dashboards_refresh_now_ends_with_up_to_date(
    linked_item, page, site, start_worker, settings
):
    # linked_item comes first: its first sync ran inside the exchange, before the queue moved.
    settings.LIVE_POLL_IDLE_SECONDS = 2
    PlaidItem.objects.filter(pk=linked_item.pk).update(last_successful_sync_at=timezone.now())
    SyncRun.objects.create(item=linked_item, trigger="initial", outcome="success")
    start_worker()
    page.goto(site.url + "/")
    page.locator('#dashboard-live[data-live-phase="idle"]').wait_for()

    with page.expect_navigation():
        page.get_by_role("button", name="Refresh now").click()
    page.evaluate("window.stillTheSamePage = true")

    # The end state only: "Updating…" may come and go before any check could see it.
    page.locator('#dashboard-live[data-live-phase="idle"]').get_by_text("Up to date.").wait_for(
        timeout=60_000
    )
    assert SyncRun.objects.get(item=linked_item, trigger="manual").outcome == "success"
    assert page.evaluate("window.stillTheSamePage") is True


def test_a_hidden_tab_asks_for_nothing_and_catches_up_when_shown(page, site, linked_item, settings):
    settings.LIVE_POLL_IDLE_SECONDS = 1
    PlaidItem.objects.filter(pk=linked_item.pk).update(last_successful_sync_at=timezone.now())
    page.goto(site.url + f"/banks/{linked_item.public_id}/")
    page.evaluate(
        """() => {
          window.livePolls = 0;
          document.addEventListener("htmx:beforeRequest", (e) => {
            if (e.target.closest("[data-live]")) window.livePolls += 1;
          });
        }"""
    )
    page.wait_for_function("() => window.livePolls >= 1")  # it polls every second while shown

    # What a browser does when the tab goes to the background; counted in the same tick.
    hidden_at = page.evaluate(
        """() => {
          Object.defineProperty(document, "hidden", {configurable: true, get: () => true});
          Object.defineProperty(document, "visibilityState",
                                {configurable: true, get: () => "hidden"});
          document.dispatchEvent(new Event("visibilitychange"));
          return window.livePolls;
        }"""
    )
    # Nothing at all while hidden, however slow the machine: three whole intervals.
    page.wait_for_timeout(3_000)
    assert page.evaluate("window.livePolls") == hidden_at

    page.evaluate(
        """() => {
          delete document.hidden;
          delete document.visibilityState;
          document.dispatchEvent(new Event("visibilitychange"));
        }"""
    )
    page.wait_for_function("(n) => window.livePolls > n", arg=hidden_at)
