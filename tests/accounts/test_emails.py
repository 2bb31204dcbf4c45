"""Every email the site sends: a text and an HTML part (the HTML on the one email base), the
site's name in the subject and the body, and never the host name as if it were our name."""

import re
from datetime import UTC, datetime
from pathlib import Path

import allauth
import pytest
from allauth.account.adapter import get_adapter
from django.conf import settings
from django.core import mail
from django.template.loader import get_template

from banking.admin.items import item_send_reauth_reminder
from config.mail import admins_mail_send
from tests import factories as f

from .conftest import login, signed_in_recently, totp_code, verify_email

pytestmark = pytest.mark.django_db

ALLAUTH_TEMPLATES = Path(allauth.__file__).parent / "templates"
# Every email our allauth apps can send (a subject and a message template), whether or not our
# settings use it today: an allauth feature switched on later is dressed already.
ALLAUTH_EMAILS = sorted(
    str(path.relative_to(ALLAUTH_TEMPLATES)).removesuffix("_message.txt")
    for app in settings.INSTALLED_APPS
    if app.startswith("allauth.")
    for path in ALLAUTH_TEMPLATES.glob(f"{app.split('.')[-1]}/email/*_message.txt")
    if path.with_name(path.name.replace("_message.txt", "_subject.txt")).exists()
)
# What any of them may read; values that show up in the text when they are used.
CONTEXT = {
    "activate_url": "http://localhost:8000/accounts/confirm-email/KEY/",
    "password_reset_url": "http://localhost:8000/accounts/password/reset/key/1-KEY/",
    "signup_url": "http://localhost:8000/accounts/signup/",
    "code": "Q7K2M9",
    "email": "alice@example.com",
    "from_email": "old@example.com",
    "to_email": "alice@example.com",
    "deleted_email": "old@example.com",
    "ip": "203.0.113.9",
    "user_agent": "Firefox/140.0",
    "timestamp": datetime(2026, 12, 3, 9, 30, tzinfo=UTC),
}


def assert_branded(message):
    """Text and HTML parts, the site's name in subject and both bodies, and "localhost:8000"
    only inside a link (the address a dev server really has), never as the site's name."""
    html, kind = message.alternatives[0]
    assert kind == "text/html"
    assert message.subject.startswith("[Ledgerline] "), message.subject
    assert "localhost" not in message.subject and "testserver" not in message.subject
    for part in (message.body, html):
        assert "Ledgerline" in part
        assert not re.search(r"(?<!http://)(localhost:8000|testserver)", part), part
    assert html.lstrip().lower().startswith("<!doctype html>")
    assert 'lang="en"' in html
    return html


def test_the_list_of_allauth_emails_is_not_empty():
    assert "account/email/password_reset_key" in ALLAUTH_EMAILS
    assert "mfa/email/totp_activated" in ALLAUTH_EMAILS


@pytest.mark.parametrize("prefix", ALLAUTH_EMAILS)
def test_every_allauth_email_has_our_text_and_html_templates(prefix, alice, settings, rf):
    settings.SITE_URL = "http://localhost:8000"
    # Our own templates, not allauth's text with a generic wrapper.
    ours = str(settings.BASE_DIR / "templates")
    assert get_template(f"{prefix}_message.html").origin.name.startswith(ours)
    assert get_template(f"{prefix}_message.txt").origin.name.startswith(ours)

    message = get_adapter(rf.get("/")).render_mail(
        prefix, "alice@example.com", {**CONTEXT, "user": alice}
    )

    html = assert_branded(message)
    for value in ("activate_url", "password_reset_url", "signup_url", "code", "ip"):
        # A link or code the text part gives, the HTML part gives too.
        assert (CONTEXT[value] in message.body) == (CONTEXT[value] in html), value


def test_the_sign_up_confirmation_email_is_branded(client, settings):
    settings.ACCOUNT_EMAIL_VERIFICATION = "mandatory"
    password = "a-long-enough-passphrase-1"
    client.post(
        "/accounts/signup/",
        {"email": "carol@example.com", "password1": password, "password2": password},
    )

    (message,) = mail.outbox
    html = assert_branded(message)
    link = re.search(r"http://testserver/accounts/confirm-email/\S+/", message.body)
    assert link and link.group(0) in html
    assert "Confirm my email address" in html


def test_the_password_reset_email_is_branded(client, alice):
    client.post("/accounts/password/reset/", {"email": "alice@example.com"})

    (message,) = mail.outbox
    html = assert_branded(message)
    assert "/accounts/password/reset/key/" in message.body and "Choose a new password" in html


def test_a_reset_for_an_unknown_address_sends_a_branded_unknown_account_email(client, settings):
    settings.ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = True
    client.post("/accounts/password/reset/", {"email": "nobody@example.com"})

    (message,) = mail.outbox
    html = assert_branded(message)
    assert "no Ledgerline account" in message.body and "no Ledgerline account" in html


def test_a_password_change_notice_is_branded_and_links_the_security_page(client, alice):
    verify_email(alice)
    login(client, "alice@example.com", "alice-pass-123")
    new = "a-much-better-passphrase-42"
    client.post(
        "/accounts/password/change/",
        {"oldpassword": "alice-pass-123", "password1": new, "password2": new},
    )

    (message,) = [m for m in mail.outbox if "password was changed" in m.body]
    html = assert_branded(message)
    assert "/accounts/security/" in message.body and "/accounts/security/" in html


# allauth mails this after commit, from inside the request: a real commit, not a test's rollback.
@pytest.mark.django_db(transaction=True)
def test_turning_on_an_authenticator_app_sends_a_branded_notice(client, alice, mfa_tolerance):
    verify_email(alice)
    signed_in_recently(client, alice)
    client.get("/accounts/2fa/totp/activate/")
    secret = client.session["mfa.totp.secret"]
    client.post("/accounts/2fa/totp/activate/", {"code": totp_code(secret)})

    (message,) = [m for m in mail.outbox if "authenticator app was turned on" in m.body]
    assert_branded(message)


def test_a_sign_in_from_a_new_browser_sends_a_branded_notice(client, alice):
    verify_email(alice)
    client.defaults["HTTP_USER_AGENT"] = "Firefox/140.0"
    login(client, "alice@example.com", "alice-pass-123")
    client.post("/accounts/logout/")
    client.defaults["HTTP_USER_AGENT"] = "Chrome/140.0"
    login(client, "alice@example.com", "alice-pass-123")

    (message,) = mail.outbox
    html = assert_branded(message)
    assert "has not been used from before" in html and "Chrome/140.0" in html


def test_the_staff_reauth_reminder_is_branded(alice, settings):
    settings.SITE_URL = "http://localhost:8000"
    item = f.PlaidItemFactory(user=alice, status="login_required")

    item_send_reauth_reminder(item=item)

    (message,) = mail.outbox
    html = assert_branded(message)
    reconnect = f"http://localhost:8000/banks/{item.public_id}/reconnect/"
    assert reconnect in message.body and reconnect in html
    assert item.access_token not in message.body + html


def test_an_operators_alert_is_branded(settings):
    settings.ADMINS = [("Ops", "ops@example.com")]

    admins_mail_send(subject="Plaid calls stopped", body="Check PLAID_SECRET.")

    (message,) = mail.outbox
    assert message.to == ["ops@example.com"]
    html = assert_branded(message)
    assert "Check PLAID_SECRET." in html
