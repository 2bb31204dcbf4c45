"""TOTP two-factor authentication, and the admin behind allauth's login with MFA for staff."""

import pytest
from allauth.mfa.models import Authenticator

from .conftest import SECRET, login, totp_code, verify_email

pytestmark = pytest.mark.django_db


def test_it_enables_totp_and_then_asks_for_a_code_at_login(client, alice, mfa_tolerance):
    verify_email(alice)
    login(client, "alice@example.com", "alice-pass-123")
    # Changing MFA asks for the password again (allauth's reauthentication), then returns.
    response = client.get("/accounts/2fa/totp/activate/")
    assert (
        response["Location"]
        == "/accounts/reauthenticate/?next=%2Faccounts%2F2fa%2Ftotp%2Factivate%2F"
    )
    response = client.post(response["Location"], {"password": "alice-pass-123"})
    assert response["Location"] == "/accounts/2fa/totp/activate/"
    page = client.get("/accounts/2fa/totp/activate/")
    assert page.status_code == 200
    assert 'class="form stack"' in page.content.decode()
    secret = client.session["mfa.totp.secret"]

    response = client.post("/accounts/2fa/totp/activate/", {"code": totp_code(secret)})
    assert response.status_code == 302
    assert Authenticator.objects.filter(user=alice, type=Authenticator.Type.TOTP).exists()

    client.post("/accounts/logout/")
    response = login(client, "alice@example.com", "alice-pass-123")
    assert response["Location"] == "/accounts/2fa/authenticate/"
    assert "_auth_user_id" not in client.session  # the password alone is not enough

    response = client.post("/accounts/2fa/authenticate/", {"code": totp_code(secret, step=1)})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(alice.pk)


def test_it_rejects_a_wrong_totp_code_at_login(client, alice):
    verify_email(alice)
    from allauth.mfa.totp.internal.auth import TOTP

    TOTP.activate(alice, SECRET)
    login(client, "alice@example.com", "alice-pass-123")
    wrong = "000000" if totp_code(SECRET) != "000000" else "111111"
    response = client.post("/accounts/2fa/authenticate/", {"code": wrong})
    assert response.status_code == 200
    assert "Incorrect code." in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_it_refuses_an_activation_code_that_is_wrong(client, alice):
    verify_email(alice)
    login(client, "alice@example.com", "alice-pass-123")
    client.post("/accounts/reauthenticate/", {"password": "alice-pass-123"})
    client.get("/accounts/2fa/totp/activate/")
    response = client.post("/accounts/2fa/totp/activate/", {"code": "12345"})
    assert response.status_code == 200
    assert "Incorrect code." in response.content.decode()
    assert not Authenticator.objects.filter(user=alice).exists()


def test_the_profile_page_shows_mfa_status_and_links(client, alice):
    client.force_login(alice)
    html = client.get("/accounts/profile/").content.decode()
    assert "alice@example.com" in html
    assert 'href="/accounts/2fa/totp/activate/"' in html
    assert 'href="/accounts/password/change/"' in html

    from allauth.mfa.totp.internal.auth import TOTP

    TOTP.activate(alice, SECRET)
    html = client.get("/accounts/profile/").content.decode()
    assert 'href="/accounts/2fa/totp/deactivate/"' in html
    assert 'href="/accounts/2fa/recovery-codes/"' in html


def test_admin_login_goes_through_allauth(client):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=%2Fadmin%2F"


def test_admin_index_sends_anonymous_visitors_to_the_allauth_login(client):
    response = client.get("/admin/", follow=True)
    assert response.redirect_chain[-1][0] == "/accounts/login/?next=%2Fadmin%2F"


def test_a_non_staff_user_cannot_use_the_admin_login(alice_client):
    assert alice_client.get("/admin/login/").status_code == 403


def test_staff_without_mfa_are_sent_to_set_it_up(client, staff, settings):
    settings.MFA_REQUIRED_FOR_STAFF = True
    client.force_login(staff)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/totp/activate/?next=%2Fadmin%2F"
    assert client.get("/admin/accounts/user/").status_code == 302


def test_staff_without_mfa_may_use_the_admin_when_not_required(client, staff, settings):
    settings.MFA_REQUIRED_FOR_STAFF = False
    client.force_login(staff)
    assert client.get("/admin/").status_code == 200


def test_staff_with_totp_reach_the_admin_after_the_code_step(
    client, staff_with_totp, mfa_tolerance, settings
):
    settings.MFA_REQUIRED_FOR_STAFF = True
    response = client.post(
        "/accounts/login/?next=/admin/",
        {"login": "staff@example.com", "password": "staff-pass-1234", "next": "/admin/"},
    )
    assert response["Location"] == "/accounts/2fa/authenticate/"
    response = client.post("/accounts/2fa/authenticate/", {"code": totp_code(SECRET)})
    assert response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_the_mfa_prompt_says_a_recovery_code_works_too(client, alice):
    from django.template.loader import render_to_string

    html = render_to_string("mfa/authenticate.html", {"form": None})

    assert "recovery codes" in html


def test_the_recovery_codes_page_has_a_way_back(client, alice):
    from django.template.loader import render_to_string

    html = render_to_string("mfa/recovery_codes/index.html", {"unused_codes": [], "total_count": 0})

    assert 'href="/accounts/2fa/"' in html
