import time

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value


def totp_code(secret: str, step: int = 0) -> str:
    """The authenticator app's code, `step` periods from now (allauth's own HMAC helpers)."""
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30 + step))


def verify_email(user):
    # allauth allows TOTP only on a verified address (production verifies at sign-up).
    EmailAddress.objects.update_or_create(
        user=user, email=user.email, defaults={"verified": True, "primary": True}
    )


def login(client, email, password):
    response = client.post("/accounts/login/", {"login": email, "password": password})
    assert response.status_code == 302, response.content.decode()[:2000]
    return response


@pytest.fixture
def mfa_tolerance(settings):
    # A code is accepted once (replay protection); one period of tolerance lets a test log in
    # with the *next* code right after activating with the current one, without waiting 30 s.
    settings.MFA_TOTP_TOLERANCE = 1
    return settings


@pytest.fixture
def staff(django_user_model):
    user = django_user_model.objects.create_user(
        email="staff@example.com", password="staff-pass-1234", is_staff=True, is_superuser=True
    )
    verify_email(user)
    return user


SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


@pytest.fixture
def staff_with_totp(staff):
    TOTP.activate(staff, SECRET)
    return staff


def signed_in_recently(client, user, password="alice-pass-123"):
    """Signed in, with the password entered again just now (allauth's re-authentication)."""
    client.force_login(user)
    response = client.post("/accounts/reauthenticate/", {"password": password})
    assert response.status_code == 302, response.content.decode()[:2000]
    return client
