"""/recurring/'s "mine / household" switch: the streams of accounts members share, to read."""

import datetime as dt
from decimal import Decimal

import pytest

from finance.households.services import account_share_set, household_create
from finance.models import Membership, RecurringStream
from tests.factories import AccountFactory

from .conftest import client_for

pytestmark = pytest.mark.django_db


def stream(user, account, description, custom_name=""):
    today = dt.date.today()
    return RecurringStream.objects.create(
        user=user,
        account=account,
        key=description.lower(),
        source="detected",
        description=description,
        custom_name=custom_name,
        frequency=RecurringStream.Frequency.MONTHLY,
        status=RecurringStream.Status.MATURE,
        first_date=today - dt.timedelta(days=90),
        last_date=today,
        average_amount=Decimal("12.00"),
        last_amount=Decimal("12.00"),
    )


@pytest.fixture
def streams(alice, bob):
    """alice shares her checking for viewing (bob is her member) and keeps her card private;
    each of the three has a stream, and bob one on his own account."""
    household = household_create(user=alice, name="Maple Street")
    Membership.objects.create(household=household, user=bob)
    checking = AccountFactory(item__user=alice, name="Joint Checking")
    card = AccountFactory(item=checking.item, name="Secret Card", type="credit")
    account_share_set(user=alice, account=checking, level="view")
    return {
        "shared": stream(alice, checking, "NETFLIX", custom_name="Our films"),
        "private": stream(alice, card, "GIFTSHOP"),
        "own": stream(bob, AccountFactory(item__user=bob), "GYM"),
    }


def test_mine_shows_only_the_viewers_own_streams_with_the_switch(bob, streams):
    page = client_for(bob).get("/recurring/").content.decode()

    assert "GYM" in page
    assert "Our films" not in page and "GIFTSHOP" not in page
    assert "data-switch" in page


def test_household_adds_a_members_shared_stream_under_her_name_for_it_not_her_private_one(
    bob, streams
):
    page = client_for(bob).get("/recurring/?view=household").content.decode()

    assert "GYM" in page and "Our films" in page
    assert "GIFTSHOP" not in page
    # Read only: no change form for her stream, his own keeps his.
    assert f'action="/recurring/{streams["shared"].public_id}/"' not in page
    assert f'action="/recurring/{streams["own"].public_id}/"' in page
    assert "data-shared-stream" in page


def test_a_member_cannot_change_a_shared_stream(bob, streams):
    r = client_for(bob).post(f"/recurring/{streams['shared'].public_id}/", {"action": "untrack"})

    assert r.status_code == 404
    streams["shared"].refresh_from_db()
    assert streams["shared"].state == RecurringStream.State.TRACKED


def test_someone_in_no_household_asking_for_it_sees_only_their_own(carol, streams):
    stream(carol, AccountFactory(item__user=carol), "LIBRARY")

    page = client_for(carol).get("/recurring/?view=household").content.decode()

    assert "LIBRARY" in page
    assert "Our films" not in page and "GYM" not in page
    assert "data-switch" not in page


def test_the_owner_stops_sharing_and_the_stream_is_gone_at_once(alice, bob, streams):
    account_share_set(user=alice, account=streams["shared"].account, level="private")

    page = client_for(bob).get("/recurring/?view=household").content.decode()

    assert "Our films" not in page
