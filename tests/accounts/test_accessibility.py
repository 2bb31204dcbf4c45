"""The sign-in pages in real Chromium pass axe-core: no serious or critical violations."""

import pytest

from tests.browser import axe_violations, launch_chromium, watched_page

from .conftest import verify_email

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="module")
def browser():
    with launch_chromium() as browser:
        yield browser


@pytest.fixture
def page(browser):
    with watched_page(browser) as page:
        yield page


def test_the_login_and_signup_pages_pass_axe(page, live_server):
    page.goto(live_server.url + "/accounts/login/")
    assert page.get_by_label("Email").is_visible()
    assert axe_violations(page) == []
    page.goto(live_server.url + "/accounts/signup/")
    assert page.get_by_label("Password (again)").is_visible()
    assert axe_violations(page) == []


def test_a_login_with_errors_passes_axe(page, live_server, alice):
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Email").fill("alice@example.com")
    page.get_by_label("Password").fill("not-her-password")
    with page.expect_navigation():  # the answer's page, not the form still shown
        page.locator("main button[type=submit]").click()
    assert page.get_by_text("not correct").is_visible()
    assert axe_violations(page) == []


def test_the_profile_and_authenticator_setup_pages_pass_axe(page, live_server, alice):
    verify_email(alice)  # allauth offers TOTP only on a verified address
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Email").fill("alice@example.com")
    page.get_by_label("Password").fill("alice-pass-123")
    page.locator("main button[type=submit]").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)

    page.goto(live_server.url + "/accounts/profile/")
    assert page.locator("main").get_by_text("alice@example.com").count() >= 1
    assert axe_violations(page) == []
    page.goto(live_server.url + "/accounts/2fa/totp/activate/")
    if "/accounts/reauthenticate/" in page.url:  # changing MFA asks for the password again
        assert axe_violations(page) == []
        page.get_by_label("Password").fill("alice-pass-123")
        page.locator("main button[type=submit]").click()
        page.wait_for_url("**/accounts/2fa/totp/activate/")
    assert page.locator("#authenticator_secret").is_visible()
    assert axe_violations(page) == []


def test_the_security_and_sessions_pages_pass_axe(page, live_server, alice):
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Email").fill("alice@example.com")
    page.get_by_label("Password").fill("alice-pass-123")
    page.locator("main button[type=submit]").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)

    page.goto(live_server.url + "/accounts/security/")
    assert page.locator("main").get_by_text("Signed in").count() >= 1
    assert axe_violations(page) == []
    page.goto(live_server.url + "/accounts/sessions/")
    assert axe_violations(page) == []
