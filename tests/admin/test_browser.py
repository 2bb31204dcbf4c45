"""Staff open the admin changelists in Chromium; screenshots land in test-artifacts/."""

import os
from pathlib import Path

import pytest
from django.test import Client

from tests.browser import launch_chromium

from .conftest import pass_mfa

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

CHANGELISTS = {
    "items": "/admin/banking/plaiditem/",
    "transactions": "/admin/banking/transaction/",
    "sync-runs": "/admin/banking/syncrun/",
    "webhook-events": "/admin/banking/webhookevent/",
    "api-calls": "/admin/banking/plaidapicall/",
}


@pytest.fixture
def page(live_server, superuser, admin_data):
    # Signed in as the staff user by session cookie: the login page (allauth + TOTP) has its
    # own browser tests in tests/accounts.
    django_client = Client()
    pass_mfa(django_client, superuser)
    session = django_client.cookies["sessionid"].value
    with launch_chromium() as browser:
        context = browser.new_context(viewport={"width": 1400, "height": 900})
        context.add_cookies([{"name": "sessionid", "value": session, "url": live_server.url}])
        page = context.new_page()
        # Broken assets and CSP refusals (inline script or style) both show up here; the
        # missing favicon is the one 404 nobody cares about.
        problems = []

        def on_console(message):
            if message.type == "error" and "Failed to load resource" not in message.text:
                problems.append(message.text)

        def on_response(response):
            if response.status >= 400 and not response.url.endswith("/favicon.ico"):
                problems.append(f"{response.status} {response.url}")

        page.on("console", on_console)
        page.on("response", on_response)
        page.problems = problems
        yield page


@pytest.mark.parametrize("name", CHANGELISTS)
def test_staff_can_open_the_changelist(page, live_server, name):
    ARTIFACTS.mkdir(exist_ok=True)
    response = page.goto(live_server.url + CHANGELISTS[name])
    assert response.status == 200
    assert page.locator("#result_list tbody tr").count() >= 1
    assert "access-" not in page.content()
    page.screenshot(path=str(ARTIFACTS / f"admin-{name}.png"), full_page=True)
    assert page.problems == []


def test_staff_can_run_an_item_action_from_the_browser(page, live_server, mailoutbox):
    page.goto(live_server.url + "/admin/banking/plaiditem/?status__exact=login_required")
    page.locator("#result_list tbody input.action-select").first.check()
    page.select_option("select[name=action]", "send_reauth_reminder")
    page.locator("button[name=index]").click()
    page.wait_for_selector(".messagelist")
    assert "Sent 1 reminder(s)." in page.locator(".messagelist").inner_text()
    assert len(mailoutbox) == 1


def test_api_call_usage_page_shows_the_table(page, live_server):
    ARTIFACTS.mkdir(exist_ok=True)
    page.goto(live_server.url + "/admin/banking/plaidapicall/")
    page.get_by_role("link", name="Calls per day and endpoint").click()
    table = page.locator("#api-usage")
    assert "/transactions/sync" in table.text_content()
    page.screenshot(path=str(ARTIFACTS / "admin-api-usage.png"), full_page=True)
    assert os.path.getsize(ARTIFACTS / "admin-api-usage.png") > 0
