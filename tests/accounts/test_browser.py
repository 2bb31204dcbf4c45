"""The whole account journey in real Chromium: sign up, confirm email, log out, log in,
turn on TOTP, log out, log in with a code. Screenshots go to test-artifacts/."""

import re
from pathlib import Path

import pytest
from django.core import mail

from tests.browser import launch_chromium

from .conftest import totp_code

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
EMAIL = "erin@example.com"
PASSWORD = "a-Strong-passphrase-42"


@pytest.fixture
def page(live_server):
    ARTIFACTS.mkdir(exist_ok=True)
    with launch_chromium() as browser:
        page = browser.new_page()
        page.set_default_timeout(15000)
        yield page


def submit(page):
    # Waits for the answer's page: after a bare click the old page may still be the one shown
    # (and the server may not have read the form yet).
    with page.expect_navigation():
        page.locator("main button[type=submit]").first.click()


def log_in(page, base):
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_login", EMAIL)
    page.fill("#id_password", PASSWORD)
    submit(page)


def log_out(page, base):
    page.goto(f"{base}/accounts/logout/")
    submit(page)
    assert page.url == f"{base}/accounts/login/"


def test_sign_up_log_in_and_log_in_again_with_totp(page, live_server, settings):
    settings.MFA_TOTP_TOLERANCE = 1  # log in with the next code right after activating
    base = live_server.url
    console_errors = []
    page.on("console", lambda m: console_errors.append(m.text) if m.type == "error" else None)

    page.goto(f"{base}/accounts/signup/")
    page.fill("#id_email", EMAIL)
    page.fill("#id_password1", PASSWORD)
    page.fill("#id_password2", PASSWORD)
    submit(page)

    # Confirm the address with the link from the email (TOTP needs a verified address).
    link = re.search(r"http://\S+/accounts/confirm-email/\S+/", mail.outbox[-1].body).group(0)
    page.goto(link.replace("http://testserver", base))
    submit(page)

    log_out(page, base)
    log_in(page, base)
    page.goto(f"{base}/accounts/profile/")
    assert page.locator("main").get_by_text(EMAIL).count() == 1

    page.goto(f"{base}/accounts/2fa/totp/activate/")
    if "/reauthenticate/" in page.url:  # changing MFA asks for the password again
        page.fill("#id_password", PASSWORD)
        submit(page)
    secret = page.input_value("#authenticator_secret")
    page.screenshot(path=str(ARTIFACTS / "totp-activate.png"), full_page=True)
    page.fill("#id_code", totp_code(secret))
    submit(page)
    page.goto(f"{base}/accounts/profile/")
    assert page.get_by_text("Turn off the authenticator app").count() == 1

    log_out(page, base)
    log_in(page, base)
    assert page.url == f"{base}/accounts/2fa/authenticate/"
    page.fill("#id_code", totp_code(secret, step=1))
    submit(page)
    assert "/accounts/login/" not in page.url and "/2fa/" not in page.url

    page.goto(f"{base}/accounts/profile/")
    assert page.get_by_text(EMAIL).count() >= 1
    page.goto(f"{base}/")
    page.screenshot(path=str(ARTIFACTS / "home.png"), full_page=True)
    assert (ARTIFACTS / "home.png").stat().st_size > 1000
    assert not [e for e in console_errors if "Content Security Policy" in e]
