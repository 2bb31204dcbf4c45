"""Deleting an account removes the user's banks at Plaid first, and never strands one."""

import pytest

from tests.emulator_client import emulator_call

from .conftest import signed_in_recently

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice_client(client, alice):
    # Deleting the account asks for the password again unless it was entered minutes ago.
    return signed_in_recently(client, alice)


def test_it_refuses_get(alice_client, django_user_model):
    assert alice_client.get("/accounts/delete/").status_code == 405
    assert django_user_model.objects.filter(email="alice@example.com").exists()


def test_it_needs_a_login(client):
    response = client.post("/accounts/delete/", {"confirm": "on"})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_it_needs_the_confirmation_box(alice_client, django_user_model):
    response = alice_client.post("/accounts/delete/", {})
    assert response.status_code == 400
    assert "Tick the box to confirm" in response.content.decode()
    assert django_user_model.objects.filter(email="alice@example.com").exists()


def test_it_deletes_an_account_without_banks_and_logs_out(alice_client, django_user_model):
    response = alice_client.post("/accounts/delete/", {"confirm": "on"}, follow=True)
    assert response.redirect_chain[0] == ("/accounts/login/", 302)
    assert "Your account and all its data have been deleted." in response.content.decode()
    assert not django_user_model.objects.filter(email="alice@example.com").exists()
    assert "_auth_user_id" not in alice_client.session


def test_it_removes_the_banks_at_plaid_before_deleting(
    client, alice, bob, linked_item, emulator, django_user_model
):
    from banking.models import PlaidItem

    assert [i["item_id"] for i in emulator_call(emulator, "GET", "/emulator/items")["items"]] == [
        linked_item.item_id
    ]
    signed_in_recently(client, alice)
    response = client.post("/accounts/delete/", {"confirm": "on"})
    assert response["Location"] == "/accounts/login/"
    assert emulator_call(emulator, "GET", "/emulator/items")["items"] == []
    assert not PlaidItem.objects.filter(pk=linked_item.pk).exists()
    assert not django_user_model.objects.filter(email="alice@example.com").exists()
    assert django_user_model.objects.filter(email="bob@example.com").exists()


def test_it_keeps_the_account_when_plaid_cannot_remove_a_bank(
    client, alice, linked_item, emulator, django_user_model
):
    emulator_call(
        emulator,
        "POST",
        "/emulator/faults",
        {"path": "/item/remove", "error_code": "INTERNAL_SERVER_ERROR"},
    )
    signed_in_recently(client, alice)
    response = client.post("/accounts/delete/", {"confirm": "on"}, follow=True)
    html = response.content.decode()
    assert response.redirect_chain == [("/accounts/profile/", 302)]
    assert "so your account was not deleted" in html
    assert django_user_model.objects.filter(email="alice@example.com").exists()
    assert len(emulator_call(emulator, "GET", "/emulator/items")["items"]) == 1


def test_it_keeps_the_account_when_the_removal_service_raises_a_plaid_error(
    alice_client, monkeypatch, django_user_model
):
    # The service boundary (banking.removal), not plaid-python, is stubbed here.
    from banking import plaid as plaid_api
    from banking import removal

    def fail(*, user):
        raise plaid_api.PlaidError("INTERNAL_SERVER_ERROR", "boom", error_type="API_ERROR")

    monkeypatch.setattr(removal, "user_items_remove", fail)
    response = alice_client.post("/accounts/delete/", {"confirm": "on"}, follow=True)
    assert "(INTERNAL_SERVER_ERROR), so your account was not deleted" in response.content.decode()
    assert django_user_model.objects.filter(email="alice@example.com").exists()


def test_it_asks_for_the_password_again_when_the_sign_in_is_not_recent(client, alice):
    client.force_login(alice)
    response = client.post("/accounts/delete/", {"confirm": "on"})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/reauthenticate/?next=%2Faccounts%2Fdelete%2F"
    assert alice.__class__.objects.filter(pk=alice.pk).exists()
    # The password, and the suspended request goes through.
    response = client.post(response["Location"], {"password": "alice-pass-123"})
    assert response["Location"] == "/accounts/login/"
    assert not alice.__class__.objects.filter(pk=alice.pk).exists()


def test_a_reauthentication_older_than_the_timeout_is_not_enough(client, alice, settings):
    signed_in_recently(client, alice)
    settings.ACCOUNT_REAUTHENTICATION_TIMEOUT = 0
    response = client.post("/accounts/delete/", {"confirm": "on"})
    assert response["Location"].startswith("/accounts/reauthenticate/")
    assert alice.__class__.objects.filter(pk=alice.pk).exists()
