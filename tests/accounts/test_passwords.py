"""Passwords are hashed with Argon2 in production; older hashes are upgraded at sign-in."""

import pytest
from django.contrib.auth.hashers import make_password

from config import settings as production_settings

pytestmark = pytest.mark.django_db


@pytest.fixture
def production_hashers(settings):
    # The suite runs a fast hasher; these tests use the production list itself.
    settings.PASSWORD_HASHERS = production_settings.PASSWORD_HASHERS
    return settings


def test_production_hashes_new_passwords_with_argon2(production_hashers):
    assert make_password("correct horse battery").startswith("argon2$argon2id$")


def test_an_old_pbkdf2_hash_is_upgraded_to_argon2_at_sign_in(
    client, production_hashers, django_user_model
):
    old = make_password("old-but-valid-pass", hasher="pbkdf2_sha256")
    user = django_user_model.objects.create(email="dora@example.com", password=old)
    response = client.post(
        "/accounts/login/", {"login": "dora@example.com", "password": "old-but-valid-pass"}
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.password.startswith("argon2$")
    assert user.check_password("old-but-valid-pass")


def test_argon2_is_pinned_in_the_requirements():
    from pathlib import Path

    requirements = Path(production_settings.BASE_DIR, "requirements.txt").read_text()
    assert "argon2-cffi==" in requirements
