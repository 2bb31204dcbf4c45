"""The admin needs a session that passed MFA; enrolling a staff authenticator needs the
password again and leaves an entry in the security log (and an email) for the owner."""

import pytest
from django.core import mail

from accounts.models import SecurityEvent

from .conftest import SECRET, totp_code

pytestmark = pytest.mark.django_db


@pytest.fixture
def required(settings):
    settings.MFA_REQUIRED_FOR_STAFF = True
    settings.MFA_TOTP_TOLERANCE = 1
    return settings


def test_having_a_totp_is_not_enough_this_session_must_pass_it(client, staff_with_totp, required):
    client.force_login(staff_with_totp)  # a session that never saw a code
    response = client.get("/admin/accounts/user/")
    assert response.status_code == 302
    assert (
        response["Location"] == "/accounts/2fa/reauthenticate/?next=%2Fadmin%2Faccounts%2Fuser%2F"
    )
    response = client.post(response["Location"], {"code": totp_code(SECRET)})
    assert response["Location"] == "/admin/accounts/user/"
    assert client.get("/admin/accounts/user/").status_code == 200


def test_a_wrong_code_keeps_the_admin_closed(client, staff_with_totp, required):
    client.force_login(staff_with_totp)
    wrong = "000000" if totp_code(SECRET) != "000000" else "111111"
    client.post("/accounts/2fa/reauthenticate/?next=/admin/", {"code": wrong})
    assert client.get("/admin/").status_code == 302


# Real commits: allauth sends its signal and email from on_commit, inside the request.
@pytest.mark.django_db(transaction=True)
def test_enrolment_asks_for_the_password_and_is_logged_and_emailed(client, staff, required):
    client.force_login(staff)
    response = client.get("/admin/")
    assert response["Location"] == "/accounts/2fa/totp/activate/?next=%2Fadmin%2F"
    # Whoever holds only a session (not the password) cannot enrol an authenticator.
    response = client.get(response["Location"])
    assert response["Location"].startswith("/accounts/reauthenticate/")
    client.post(response["Location"], {"password": "staff-pass-1234"})
    client.get("/accounts/2fa/totp/activate/")
    secret = client.session["mfa.totp.secret"]
    response = client.post("/accounts/2fa/totp/activate/", {"code": totp_code(secret)})
    assert response.status_code == 302

    event = SecurityEvent.objects.get(user=staff, kind="mfa_enabled")
    assert event.details == {"type": "totp"}
    shown = client.get("/accounts/profile/").content.decode()
    assert "Recorded in your security log: two-factor authentication turned on from" in shown
    assert (
        "Two-factor authentication turned on" in client.get("/accounts/security/").content.decode()
    )
    assert any(staff.email in m.to for m in mail.outbox)
    # Enrolling is not passing MFA: the admin still wants a code from the new authenticator.
    response = client.get("/admin/")
    assert response["Location"].startswith("/accounts/2fa/reauthenticate/")
    client.post(response["Location"], {"code": totp_code(secret, step=1)})
    assert client.get("/admin/").status_code == 200


@pytest.mark.django_db(transaction=True)
def test_turning_mfa_off_asks_for_the_password_again_and_is_logged(client, alice, mfa_tolerance):
    from allauth.mfa.totp.internal.auth import TOTP

    from .conftest import verify_email

    verify_email(alice)
    TOTP.activate(alice, SECRET)
    client.force_login(alice)
    response = client.post("/accounts/2fa/totp/deactivate/")
    assert response["Location"].startswith("/accounts/reauthenticate/")
    assert alice.authenticator_set.exists()
    # With MFA on, a code re-authenticates as well as the password.
    client.post("/accounts/2fa/reauthenticate/", {"code": totp_code(SECRET)})
    client.post("/accounts/2fa/totp/deactivate/")
    assert not alice.authenticator_set.filter(type="totp").exists()
    assert SecurityEvent.objects.filter(user=alice, kind="mfa_disabled").exists()
