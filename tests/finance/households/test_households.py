"""Forming a household: invitations (signed, expiring, single use, for one address), leaving,
removing, sharing per account, and what a member then sees and may change."""

import datetime as dt
import re
from unittest import mock

import pytest
from django.core import mail, signing
from django.test import Client, TestCase

from finance.households.services import invitation_token
from finance.models import AccountShare, Household, Invitation, Membership, TransactionAudit
from tests.reauth import recently_authenticated

from .conftest import client_for


def _invite(client, email):
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post("/household/invite/", {"email": email})
    assert response.status_code == 302
    [message] = [m for m in mail.outbox if email.lower() in m.to]
    token = re.search(r"http://\S+/household/join/(\S+)/", message.body).group(1)
    [(html, kind)] = message.alternatives
    assert kind == "text/html" and f"/household/join/{token}/" in html and "Ledgerline" in html
    return token


def test_a_user_creates_a_household_and_becomes_its_owner(alice_client, alice):
    response = alice_client.post("/household/create/", {"name": "Maple Street"})
    assert response.status_code == 302
    household = Household.objects.get()
    assert household.owner == alice and household.name == "Maple Street"
    assert Membership.objects.get(user=alice).household == household


def test_a_user_cannot_create_a_second_household(alice_client, home):
    response = alice_client.post("/household/create/", {"name": "Another"})
    assert response.status_code == 400
    assert "already in a household" in response.content.decode()
    assert Household.objects.count() == 1


def test_an_invitation_email_carries_a_link_that_lets_its_address_join(alice, carol, home):
    token = _invite(client_for(alice), "Carol@Example.com")
    carol_client = client_for(carol)
    assert "Join “Maple Street”" in carol_client.get(f"/household/join/{token}/").content.decode()
    response = carol_client.post(f"/household/join/{token}/")
    assert response.status_code == 302
    assert Membership.objects.get(user=carol).household == home
    invitation = Invitation.objects.get(email="carol@example.com")
    assert invitation.accepted_by == carol and invitation.accepted_at is not None


def test_an_invitation_link_asks_a_signed_out_visitor_to_sign_in_first(client, alice, home):
    token = _invite(client_for(alice), "newcomer@example.com")
    response = client.get(f"/household/join/{token}/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_an_invitation_cannot_be_used_twice(alice, carol, dave, home):
    token = _invite(client_for(alice), "carol@example.com")
    assert client_for(carol).post(f"/household/join/{token}/").status_code == 302
    client_for(carol).post("/household/leave/")
    response = client_for(carol).post(f"/household/join/{token}/")
    assert response.status_code == 400
    assert "already been used" in response.content.decode()
    assert not Membership.objects.filter(user=carol).exists()


def test_an_invitation_cannot_be_used_by_another_email(alice, carol, home):
    token = _invite(client_for(alice), "someone-else@example.com")
    carol_client = client_for(carol)
    assert "another email address" in carol_client.get(f"/household/join/{token}/").content.decode()
    response = carol_client.post(f"/household/join/{token}/")
    assert response.status_code == 400
    assert not Membership.objects.filter(user=carol).exists()
    assert Invitation.objects.get().accepted_at is None


def test_an_expired_or_forged_invitation_is_refused(alice, carol, home):
    invitation = Invitation.objects.create(household=home, email=carol.email, invited_by=alice)
    signed_at = dt.datetime.now(dt.UTC) - dt.timedelta(days=8)
    # Only the signing is moved back in time; the request runs now.
    with mock.patch("time.time", return_value=signed_at.timestamp()):
        old_token = invitation_token(invitation)
    response = client_for(carol).post(f"/household/join/{old_token}/")
    assert response.status_code == 400
    assert "expired" in response.content.decode()
    forged = signing.dumps(invitation.public_id.hex, salt="another.salt")
    assert client_for(carol).post(f"/household/join/{forged}/").status_code == 400
    assert not Membership.objects.filter(user=carol).exists()


def test_only_the_owner_invites(bob, home):
    response = client_for(bob).post("/household/invite/", {"email": "x@example.com"})
    assert response.status_code == 403
    assert not Invitation.objects.exists() and not mail.outbox


def test_a_bad_email_invites_no_one(alice, home):
    response = client_for(alice).post("/household/invite/", {"email": "not an email"})
    assert response.status_code == 400
    assert not Invitation.objects.exists()


def test_a_member_in_a_household_cannot_join_another(alice, bob, carol, home):
    client_for(carol).post("/household/create/", {"name": "Carol's"})
    token = _invite(client_for(carol), "bob@example.com")
    response = client_for(bob).post(f"/household/join/{token}/")
    assert response.status_code == 400
    assert Membership.objects.get(user=bob).household == home


def test_the_owner_removes_a_member_and_the_members_shares_go(alice, bob, home, banks):
    bob_account = banks["checking"].__class__.objects.create(
        item=banks["item"].__class__.objects.create(
            user=bob,
            item_id="item-bob",
            access_token="access-bob",
            institution=banks["item"].institution,
        ),
        account_id="acc-bob",
        name="Bob Checking",
        type="depository",
    )
    AccountShare.objects.create(account=bob_account, level="view")
    response = client_for(alice).post(f"/household/members/{bob.public_id}/remove/")
    assert response.status_code == 302
    assert not Membership.objects.filter(user=bob).exists()
    assert not AccountShare.objects.filter(account=bob_account).exists()


def test_a_member_cannot_remove_anyone(alice, bob, home):
    response = client_for(bob).post(f"/household/members/{alice.public_id}/remove/")
    assert response.status_code == 404
    assert Membership.objects.filter(household=home).count() == 2


def test_the_owner_leaving_ends_the_household(alice, bob, home, banks):
    client_for(alice).post("/household/leave/")
    assert not Household.objects.exists() and not Membership.objects.exists()
    assert not AccountShare.objects.exists()


def test_an_account_owner_sets_its_sharing(alice, home, banks):
    card = banks["card"]
    response = client_for(alice).post("/household/sharing/", {f"share-{card.public_id}": "edit"})
    assert response.status_code == 302
    assert AccountShare.objects.get(account=card).level == "edit"
    client_for(alice).post("/household/sharing/", {f"share-{card.public_id}": "private"})
    assert not AccountShare.objects.filter(account=card).exists()


def test_a_bad_sharing_level_changes_nothing(alice, home, banks):
    card = banks["card"]
    response = client_for(alice).post("/household/sharing/", {f"share-{card.public_id}": "own"})
    assert response.status_code == 400
    assert not AccountShare.objects.filter(account=card).exists()


def test_a_member_cannot_share_someone_elses_account(bob, home, banks):
    card = banks["card"]
    response = client_for(bob).post("/household/sharing/", {f"share-{card.public_id}": "view"})
    assert response.status_code == 302  # nothing of bob's was named: nothing saved
    assert not AccountShare.objects.filter(account=card).exists()


def test_a_member_sees_the_shared_account_and_not_the_private_one(bob, banks):
    bob_client = client_for(bob)
    page = bob_client.get("/transactions/?view=household").content.decode()
    assert str(banks["groceries"].public_id) in page
    assert "SECRET GIFT" not in page and "Secret Card" not in page
    dashboard = bob_client.get("/?view=household").content.decode()
    assert "Joint Checking" in dashboard and "Secret Card" not in dashboard


def test_the_mine_view_shows_only_ones_own(bob, banks):
    page = client_for(bob).get("/transactions/").content.decode()
    assert str(banks["groceries"].public_id) not in page


def test_a_view_only_member_cannot_edit_a_shared_transaction(bob, banks):
    txn = banks["groceries"]
    response = client_for(bob).post(f"/transactions/{txn.public_id}/", {"notes": "mine now"})
    assert response.status_code == 404
    txn.refresh_from_db()
    assert txn.notes == ""
    page = client_for(bob).get("/transactions/?view=household").content.decode()
    assert "View only" in page


def test_an_edit_member_edits_and_the_owner_sees_who_did(alice, bob, banks):
    AccountShare.objects.filter(account=banks["checking"]).update(level="edit")
    txn = banks["groceries"]
    response = client_for(bob).post(
        f"/transactions/{txn.public_id}/", {"category_override": "custom_pets", "notes": "dog food"}
    )
    assert response.status_code == 302
    txn.refresh_from_db()
    assert (txn.category_override, txn.notes) == ("custom_pets", "dog food")
    audit = TransactionAudit.objects.get()
    assert audit.actor == bob and "Pets" in audit.change and "notes" in audit.change
    assert "dog food" not in audit.change
    assert "bob@example.com changed" in client_for(alice).get("/household/").content.decode()
    assert (
        "changed"
        not in client_for(bob).get("/household/").content.decode().split("What you share")[1]
    )


def test_the_owner_editing_their_own_shared_transaction_is_not_audited(alice, banks):
    txn = banks["groceries"]
    client_for(alice).post(
        f"/transactions/{txn.public_id}/", {"category_override": "", "notes": "x"}
    )
    assert not TransactionAudit.objects.exists()


@pytest.mark.parametrize("suffix", ["tags/", "split/", "transfer/"])
def test_an_edit_member_still_cannot_tag_split_or_link_a_shared_transaction(bob, banks, suffix):
    AccountShare.objects.filter(account=banks["checking"]).update(level="edit")
    txn = banks["groceries"]
    response = client_for(bob).post(f"/transactions/{txn.public_id}/{suffix}", {"tags": "x"})
    assert response.status_code == 404


@pytest.mark.parametrize(
    "suffix", ["", "refresh/", "status/", "live/", "reconnect/", "reconnected/", "remove/"]
)
def test_an_edit_member_can_never_touch_the_owners_bank(bob, banks, suffix):
    AccountShare.objects.filter(account=banks["checking"]).update(level="edit")
    item = banks["item"]
    for method in ("get", "post"):
        response = getattr(client_for(bob), method)(f"/banks/{item.public_id}/{suffix}")
        assert response.status_code in (404, 405)
    item.refresh_from_db()
    assert item.status == "healthy"


def test_a_removed_member_loses_access_on_the_next_request(alice, bob, banks):
    bob_client = client_for(bob)
    assert (
        str(banks["groceries"].public_id)
        in bob_client.get("/transactions/?view=household").content.decode()
    )
    client_for(alice).post(f"/household/members/{bob.public_id}/remove/")
    page = bob_client.get("/transactions/?view=household").content.decode()
    assert str(banks["groceries"].public_id) not in page
    assert "Joint Checking" not in bob_client.get("/?view=household").content.decode()


def test_an_account_made_private_disappears_at_once(alice, bob, banks):
    bob_client = client_for(bob)
    assert "Joint Checking" in bob_client.get("/?view=household").content.decode()
    client_for(alice).post(
        "/household/sharing/", {f"share-{banks['checking'].public_id}": "private"}
    )
    assert "Joint Checking" not in bob_client.get("/?view=household").content.decode()


def test_the_household_export_follows_the_switch(bob, banks):
    client = recently_authenticated(client_for(bob), "bob-pass-1234")
    response = client.get("/transactions/export.csv?view=household")
    body = b"".join(response.streaming_content)
    assert b"GROCER" in body and b"SECRET GIFT" not in body


def test_the_household_page_needs_a_login(client):
    assert client.get("/household/").status_code == 302


def test_household_forms_need_csrf(alice, home):
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    assert client.post("/household/invite/", {"email": "x@example.com"}).status_code == 403
