import pytest

from banking import plaid as plaid_api
from banking import removal
from banking.models import PlaidItem

from .conftest import emulator_items, post_fault

pytestmark = pytest.mark.django_db


def test_it_removes_all_of_a_users_items(linked_item, alice, emulator):
    plaid_api_token = plaid_api.sandbox_public_token_create("ins_109509")
    from banking import link

    link.item_link(user=alice, public_token=plaid_api_token, metadata=None)
    assert removal.user_items_remove(user=alice) == []
    assert not PlaidItem.objects.exists()
    assert emulator_items(emulator)["items"] == []


def test_it_reports_items_that_could_not_be_removed(linked_item, alice, emulator):
    post_fault(emulator, "/item/remove", "INTERNAL_SERVER_ERROR")
    remaining = removal.user_items_remove(user=alice)
    assert [i.pk for i in remaining] == [linked_item.pk]
    assert PlaidItem.objects.get().status == "removing"


def test_it_retries_a_removal_in_the_background(
    linked_item, emulator, django_capture_on_commit_callbacks
):
    post_fault(emulator, "/item/remove", "INTERNAL_SERVER_ERROR")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert removal.item_remove(item=linked_item) is False
    # The retry task ran (eagerly in tests) and Plaid answered this time.
    assert len(callbacks) == 1
    assert not PlaidItem.objects.exists()
    assert emulator_items(emulator)["items"] == []


def test_it_tolerates_an_item_already_gone_at_plaid(linked_item):
    plaid_api.item_remove(linked_item)
    assert removal.item_remove(item=linked_item) is True
    assert not PlaidItem.objects.exists()


def test_it_gives_up_after_many_attempts_and_tells_staff(linked_item, emulator, settings):
    from django.core import mail

    settings.ADMINS = [("Staff", "staff@example.com")]
    PlaidItem.objects.filter(pk=linked_item.pk).update(
        removal_attempts=removal.REMOVAL_MAX_ATTEMPTS - 1
    )
    linked_item.refresh_from_db()
    post_fault(emulator, "/item/remove", "INTERNAL_SERVER_ERROR")
    assert removal.item_remove(item=linked_item) is False
    assert len(mail.outbox) == 1
    assert linked_item.item_id in mail.outbox[0].body
