"""With production's mandatory verification, sign-up, login and reset answer the same for an
email that has an account and one that does not."""

import pytest
from django.core import mail

pytestmark = pytest.mark.django_db
STRONG = "a-Strong-passphrase-42"


@pytest.fixture
def production_accounts(settings):
    settings.ACCOUNT_EMAIL_VERIFICATION = "mandatory"
    settings.ACCOUNT_PREVENT_ENUMERATION = True
    return settings


def signup(client, email):
    return client.post(
        "/accounts/signup/", {"email": email, "password1": STRONG, "password2": STRONG}
    )


def test_sign_up_answers_the_same_for_a_taken_and_a_new_email(
    client, alice, production_accounts, django_user_model
):
    taken = signup(client, "alice@example.com")
    client.cookies.clear()
    new = signup(client, "carol@example.com")
    assert taken.status_code == new.status_code == 302
    assert taken["Location"] == new["Location"]
    assert django_user_model.objects.filter(email__iexact="alice@example.com").count() == 1
    # The owner of the taken address hears about it by email, not the person signing up.
    assert any(m.to == ["alice@example.com"] for m in mail.outbox)


def test_sign_up_never_says_an_email_is_registered(client, alice, production_accounts):
    response = signup(client, "alice@example.com")
    follow = client.get(response["Location"])
    assert "already registered" not in follow.content.decode()


def test_login_answers_the_same_for_a_known_and_an_unknown_email(
    client, alice, production_accounts
):
    known = client.post("/accounts/login/", {"login": "alice@example.com", "password": "nope-1"})
    unknown = client.post("/accounts/login/", {"login": "zed@example.com", "password": "nope-1"})
    assert known.status_code == unknown.status_code == 200
    assert known.context["form"].errors == unknown.context["form"].errors


def test_reset_answers_the_same_for_a_known_and_an_unknown_email(
    client, alice, production_accounts
):
    known = client.post("/accounts/password/reset/", {"email": "alice@example.com"})
    unknown = client.post("/accounts/password/reset/", {"email": "zed@example.com"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]


def test_the_demo_sign_up_page_says_verification_is_optional(client, settings):
    settings.ACCOUNT_EMAIL_VERIFICATION = "optional"
    assert "email verification is optional here" in client.get("/accounts/signup/").content.decode()


def test_the_production_sign_up_page_does_not(client, production_accounts):
    assert "email verification is optional" not in client.get("/accounts/signup/").content.decode()
