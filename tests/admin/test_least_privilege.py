"""Staff who are not superusers: they help users, they never grant rights (to anyone, or to
themselves), never set passwords and never take over another staff account."""

import pytest
from allauth.mfa.models import Authenticator
from django.contrib.auth.models import Group, Permission

pytestmark = pytest.mark.django_db


def change_form(user, **fields):
    data = {
        "email": user.email,
        "name": user.name,
        "is_active": "on",
        "plaid_items-TOTAL_FORMS": "0",
        "plaid_items-INITIAL_FORMS": "0",
    }
    data.update(fields)
    return data


ESCALATION = {"is_staff": "on", "is_superuser": "on"}


def test_staff_cannot_make_themselves_superuser(staff_client, plain_staff):
    url = f"/admin/accounts/user/{plain_staff.pk}/change/"
    response = staff_client.post(url, change_form(plain_staff, **ESCALATION))
    assert response.status_code == 403
    plain_staff.refresh_from_db()
    assert not plain_staff.is_superuser


def test_staff_cannot_grant_rights_to_a_customer(staff_client, alice):
    group = Group.objects.create(name="Everything")
    group.permissions.set(Permission.objects.all())
    some_permission = Permission.objects.first()
    data = change_form(
        alice,
        name="Alice A.",
        groups=[group.pk],
        user_permissions=[some_permission.pk],
        **ESCALATION,
    )
    response = staff_client.post(f"/admin/accounts/user/{alice.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    alice.refresh_from_db()
    assert alice.name == "Alice A."  # the edit itself went through
    assert not alice.is_staff and not alice.is_superuser
    assert not alice.groups.exists() and not alice.user_permissions.exists()


def test_staff_see_rights_but_get_no_field_to_change_them_nor_the_password(staff_client, alice):
    html = staff_client.get(f"/admin/accounts/user/{alice.pk}/change/").content.decode()
    for field in ("is_staff", "is_superuser", "groups", "user_permissions"):
        assert f'name="{field}"' not in html
    assert "../password/" not in html


def test_the_set_password_page_is_superuser_only(staff_client, alice):
    assert staff_client.get(f"/admin/accounts/user/{alice.pk}/password/").status_code == 403
    response = staff_client.post(
        f"/admin/accounts/user/{alice.pk}/password/",
        {"password1": "a-new-pass-9876", "password2": "a-new-pass-9876"},
    )
    assert response.status_code == 403
    alice.refresh_from_db()
    assert alice.check_password("alice-pass-123")


def test_superusers_still_set_passwords_and_rights(superuser_client, alice):
    assert superuser_client.get(f"/admin/accounts/user/{alice.pk}/password/").status_code == 200
    response = superuser_client.post(
        f"/admin/accounts/user/{alice.pk}/change/", change_form(alice, is_staff="on")
    )
    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.is_staff


def test_staff_cannot_change_another_staff_account(staff_client, superuser):
    url = f"/admin/accounts/user/{superuser.pk}/change/"
    response = staff_client.post(url, change_form(superuser, email="thief@example.com"))
    assert response.status_code == 403
    superuser.refresh_from_db()
    assert superuser.email == "root@example.com"


def test_staff_cannot_add_users_or_touch_groups(staff_client):
    assert staff_client.get("/admin/accounts/user/add/").status_code == 403
    assert staff_client.get("/admin/auth/group/").status_code == 403
    assert staff_client.get("/admin/auth/group/add/").status_code == 403


def test_staff_cannot_reset_another_staff_members_mfa(staff_client, superuser):
    authenticator = Authenticator.objects.get(user=superuser)
    url = f"/admin/mfa/authenticator/{authenticator.pk}/delete/"
    assert staff_client.post(url, {"post": "yes"}).status_code == 403
    assert Authenticator.objects.filter(pk=authenticator.pk).exists()
