"""Sign-up, login, logout, password reset and change, and the bad input around them."""

import re

import pytest
from django.core import mail
from django.test import Client

pytestmark = pytest.mark.django_db

STRONG = "a-Strong-passphrase-42"


def _signup(client, email="carol@example.com", password1=STRONG, password2=STRONG):
    return client.post(
        "/accounts/signup/",
        {"email": email, "password1": password1, "password2": password2},
    )


def test_it_signs_up_a_new_user_and_logs_them_in(client, django_user_model):
    response = _signup(client)
    assert response.status_code == 302
    user = django_user_model.objects.get(email="carol@example.com")
    assert user.check_password(STRONG)
    assert client.get("/accounts/profile/").status_code == 200


def test_the_signup_page_uses_the_site_layout(client):
    response = client.get("/accounts/signup/")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'class="site-header"' in html
    assert 'class="form stack"' in html
    assert '<label for="id_email"' in html


def test_it_rejects_a_weak_password_and_creates_nothing(client, django_user_model):
    response = _signup(client, password1="password", password2="password")
    assert response.status_code == 200
    assert "This password is too common" in response.content.decode()
    assert not django_user_model.objects.filter(email="carol@example.com").exists()


def test_it_rejects_mismatched_passwords_and_creates_nothing(client, django_user_model):
    response = _signup(client, password2=STRONG + "x")
    assert response.status_code == 200
    assert "You must type the same password each time" in response.content.decode()
    assert not django_user_model.objects.filter(email="carol@example.com").exists()


def test_it_rejects_a_duplicate_email_and_creates_nothing(client, alice, django_user_model):
    response = _signup(client, email="Alice@Example.com")
    assert response.status_code == 200
    assert "A user is already registered with this email address" in response.content.decode()
    assert django_user_model.objects.filter(email__iexact="alice@example.com").count() == 1


def test_it_rejects_an_invalid_email(client, django_user_model):
    response = _signup(client, email="not-an-email")
    assert response.status_code == 200
    assert "Enter a valid email address" in response.content.decode()
    assert django_user_model.objects.count() == 0


def test_it_refuses_a_signup_without_a_csrf_token(django_user_model):
    csrf_client = Client(enforce_csrf_checks=True)
    response = _signup(csrf_client)
    assert response.status_code == 403
    assert "security check (CSRF) failed. Nothing was saved." in response.content.decode()
    assert not django_user_model.objects.exists()


def test_it_refuses_a_login_without_a_csrf_token(alice):
    csrf_client = Client(enforce_csrf_checks=True)
    response = csrf_client.post(
        "/accounts/login/", {"login": "alice@example.com", "password": "alice-pass-123"}
    )
    assert response.status_code == 403
    assert "_auth_user_id" not in csrf_client.session


def test_it_accepts_a_signup_with_the_csrf_token_from_the_form(django_user_model):
    csrf_client = Client(enforce_csrf_checks=True)
    page = csrf_client.get("/accounts/signup/").content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    response = csrf_client.post(
        "/accounts/signup/",
        {
            "email": "dave@example.com",
            "password1": STRONG,
            "password2": STRONG,
            "csrfmiddlewaretoken": token,
        },
    )
    assert response.status_code == 302
    assert django_user_model.objects.filter(email="dave@example.com").exists()


def test_it_logs_in_with_email_and_password(client, alice):
    response = client.post(
        "/accounts/login/", {"login": "alice@example.com", "password": "alice-pass-123"}
    )
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(alice.pk)


def test_it_shows_a_clear_error_for_a_wrong_password(client, alice):
    response = client.post(
        "/accounts/login/", {"login": "alice@example.com", "password": "wrong-password"}
    )
    assert response.status_code == 200
    assert "The email address and/or password you specified are not correct" in (
        response.content.decode()
    )
    assert "_auth_user_id" not in client.session


def test_it_shows_the_same_error_for_an_unknown_email(client, alice):
    response = client.post(
        "/accounts/login/", {"login": "nobody@example.com", "password": "alice-pass-123"}
    )
    assert response.status_code == 200
    assert "The email address and/or password you specified are not correct" in (
        response.content.decode()
    )
    assert "_auth_user_id" not in client.session


def test_it_locks_the_account_out_after_repeated_bad_passwords(client, alice):
    for _ in range(5):
        client.post("/accounts/login/", {"login": "alice@example.com", "password": "nope-nope"})
    # Even the right password is refused while the lockout lasts.
    response = client.post(
        "/accounts/login/", {"login": "alice@example.com", "password": "alice-pass-123"}
    )
    assert "Too many failed sign-in attempts. Try again in 5 minutes." in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_lockout_does_not_touch_other_accounts(client, alice, bob):
    for _ in range(5):
        client.post("/accounts/login/", {"login": "alice@example.com", "password": "nope-nope"})
    response = client.post(
        "/accounts/login/", {"login": "bob@example.com", "password": "bob-pass-1234"}
    )
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(bob.pk)


def test_it_logs_out_on_post(alice_client):
    response = alice_client.post("/accounts/logout/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/"
    assert "_auth_user_id" not in alice_client.session


def test_it_changes_the_password(alice_client, alice):
    response = alice_client.post(
        "/accounts/password/change/",
        {"oldpassword": "alice-pass-123", "password1": STRONG, "password2": STRONG},
    )
    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.check_password(STRONG)


def test_it_refuses_a_password_change_with_the_wrong_current_password(alice_client, alice):
    response = alice_client.post(
        "/accounts/password/change/",
        {"oldpassword": "not-it-at-all", "password1": STRONG, "password2": STRONG},
    )
    assert response.status_code == 200
    assert "Please type your current password" in response.content.decode()
    alice.refresh_from_db()
    assert alice.check_password("alice-pass-123")


def test_it_resets_a_forgotten_password_by_email(client, alice):
    response = client.post("/accounts/password/reset/", {"email": "alice@example.com"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = re.search(r"http://testserver(/accounts/password/reset/key/\S+/)", mail.outbox[0].body)
    assert link, mail.outbox[0].body
    # allauth stores the key in the session and redirects to a key-less URL.
    form_url = client.get(link.group(1)).url
    response = client.post(form_url, {"password1": STRONG, "password2": STRONG})
    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.check_password(STRONG)


def test_a_reset_for_an_unknown_email_creates_nothing_and_reveals_nothing(
    client, django_user_model
):
    response = client.post("/accounts/password/reset/", {"email": "nobody@example.com"})
    # The same "check your inbox" redirect as for a real account (no account enumeration).
    assert response.status_code == 302
    assert not django_user_model.objects.exists()
    assert all("reset/key" not in message.body for message in mail.outbox)


def test_the_profile_page_needs_a_login(client):
    response = client.get("/accounts/profile/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_emails_carry_the_site_name_not_the_host(client, alice, settings):
    assert settings.SITE_NAME == "Ledgerline"

    client.post("/accounts/password/reset/", {"email": "alice@example.com"})

    message = mail.outbox[0]
    assert message.subject.startswith("[Ledgerline] ")
    assert "Hello from Ledgerline!" in message.body
    assert "testserver!" not in message.body and "[testserver]" not in message.subject
    html, kind = message.alternatives[0]
    assert kind == "text/html"
    assert "Hello from Ledgerline!" in html and "/accounts/password/reset/key/" in html
