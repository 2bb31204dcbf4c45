"""The one notification service: one email per change of state, whoever reports it."""

import pytest
from django.core import mail

from banking.health import status as item_status
from banking.models import PlaidItem

from .conftest import banner


@pytest.fixture
def item(alice):
    return PlaidItem.objects.create(user=alice, item_id="item-n1", access_token="access-sandbox-x")


def set_status(item, status, **kw):
    return item_status.item_set_status(item=item, status=status, **kw)


def test_it_emails_once_per_change_of_state(item, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assert set_status(item, "login_required", source="sync") is True
        assert set_status(item, "login_required", source="webhook") is False
        assert set_status(item, "login_required", source="health") is False

    assert len(mail.outbox) == 1
    item.refresh_from_db()
    assert item.status == "login_required" and item.notified_state == "login_required"


def test_it_does_not_email_when_the_item_becomes_healthy_but_clears_the_banner(
    item, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        set_status(item, "error", error_code="INSTITUTION_DOWN", message="Bank is down")
        assert "Bank is down" in banner(item)
        assert set_status(item, "healthy") is True

    assert len(mail.outbox) == 1
    assert banner(item) == ""
    item.refresh_from_db()
    assert item.error_code == "" and item.error_message == ""


def test_a_new_problem_after_recovery_emails_again(item, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        set_status(item, "login_required")
        set_status(item, "healthy")
        set_status(item, "login_required")

    assert len(mail.outbox) == 2


def test_a_rolled_back_change_sends_nothing(item, django_capture_on_commit_callbacks):
    from django.db import transaction

    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        set_status(item, "revoked")
        raise RuntimeError

    assert mail.outbox == []


def test_stale_is_a_state_of_its_own(item, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assert item_status.item_set_stale(item=item, stale=True) is True
        assert item_status.item_set_stale(item=item, stale=True) is False

    assert len(mail.outbox) == 1
    assert "hasn't updated" in banner(item)
    assert "has not updated" in mail.outbox[0].subject


def test_banners_show_only_the_users_own_items(item, bob, client):
    set_status(item, "login_required")

    client.force_login(bob)
    assert "needs you to sign in again" not in client.get("/").content.decode()
    client.force_login(item.user)
    assert "needs you to sign in again" in client.get("/").content.decode()
