"""What the account's owner sees and hears about its security: the log, sessions, emails."""

import pytest
from allauth.usersessions.models import UserSession
from django.core import mail

from accounts.models import SecurityEvent
from accounts.security import security_event_record

from .conftest import login, verify_email

pytestmark = pytest.mark.django_db
FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0"
CHROME = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/140.0 Safari/537.36"


def kinds(user):
    return list(SecurityEvent.objects.filter(user=user).values_list("kind", flat=True))


def sign_in(client, user_agent, password="alice-pass-123"):
    client.defaults["HTTP_USER_AGENT"] = user_agent
    return login(client, "alice@example.com", password)


def test_sign_ins_and_failures_are_in_the_owners_log(client, alice):
    client.post("/accounts/login/", {"login": "alice@example.com", "password": "wrong-wrong"})
    sign_in(client, FIREFOX)
    html = client.get("/accounts/security/").content.decode()
    assert "Failed sign-in" in html
    assert "Signed in" in html
    assert "Firefox/140.0" in html
    assert set(kinds(alice)) == {"signed_in", "sign_in_failed"}


def test_the_log_shows_only_the_owners_events(client, alice, bob):
    security_event_record(user=bob, kind="password_changed")
    client.force_login(alice)
    assert "Password changed" not in client.get("/accounts/security/").content.decode()


def test_the_log_needs_a_login(client):
    response = client.get("/accounts/security/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_a_sign_in_from_a_new_browser_is_emailed(client, alice):
    verify_email(alice)
    sign_in(client, FIREFOX)
    assert mail.outbox == []  # the first sign-in of an account is not news
    client.post("/accounts/logout/")
    sign_in(client, FIREFOX)
    assert mail.outbox == []  # the same browser again
    client.post("/accounts/logout/")
    sign_in(client, CHROME)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["alice@example.com"]
    assert "browser it has not been used from before" in mail.outbox[0].body
    assert "new_browser" in kinds(alice)


def test_a_password_change_is_logged_and_emailed(client, alice):
    verify_email(alice)
    sign_in(client, FIREFOX)
    new = "a-much-better-passphrase-42"
    client.post(
        "/accounts/password/change/",
        {"oldpassword": "alice-pass-123", "password1": new, "password2": new},
    )
    assert "password_changed" in kinds(alice)
    assert any("Your password was changed." in m.body for m in mail.outbox)


def test_sign_out_everywhere_ends_every_session(alice):
    from django.test import Client

    laptop, phone = Client(), Client()
    sign_in(laptop, FIREFOX)
    sign_in(phone, CHROME)
    assert UserSession.objects.filter(user=alice).count() == 2
    response = laptop.post("/accounts/sessions/sign-out-everywhere/")
    assert response["Location"] == "/accounts/login/"
    assert not UserSession.objects.filter(user=alice).exists()
    assert phone.get("/accounts/profile/").status_code == 302  # signed out there too
    assert "sessions_ended" in kinds(alice)


def test_the_sessions_page_lists_the_users_sessions(client, alice):
    sign_in(client, FIREFOX)
    html = client.get("/accounts/sessions/").content.decode()
    assert "Firefox/140.0" in html


def test_other_apps_record_events_with_details_and_the_client_ip(alice, rf, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    request = rf.post("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.9")
    event = security_event_record(user=alice, kind="data_exported", request=request, rows=12)
    assert (event.kind, event.ip, event.details) == ("data_exported", "203.0.113.9", {"rows": 12})
    with pytest.raises(ValueError):
        security_event_record(user=alice, kind="not-a-kind")
