"""The household transaction list and the dashboard's recent rows: the viewer's own rows and
each shared account's, merged newest first, every row once, pages joined without a gap."""

import datetime as dt
from urllib.parse import urlencode

import pytest

from banking.models import Transaction
from finance.households.services import account_share_set
from tests.factories import AccountFactory, PlaidItemFactory, TransactionFactory

from .conftest import client_for

TODAY = dt.date.today()


@pytest.fixture
def rows(alice, bob, home):
    """30 rows on alice's shared checking, 30 on her shared savings, 10 on bob's own account
    (itself shared), 5 on alice's private card; dates overlap so ties fall back to the id."""
    alice_item = PlaidItemFactory(user=alice)
    checking, savings = AccountFactory(item=alice_item), AccountFactory(item=alice_item)
    card = AccountFactory(item=alice_item, type="credit", subtype="credit card")
    bob_account = AccountFactory(item=PlaidItemFactory(user=bob))
    for owner, account in ((alice, checking), (alice, savings), (bob, bob_account)):
        account_share_set(user=owner, account=account, level="view")
    for account, count in ((checking, 30), (savings, 30), (bob_account, 10), (card, 5)):
        for i in range(count):
            TransactionFactory(account=account, date=TODAY - dt.timedelta(days=i % 7))
    return {"private": set(Transaction.objects.filter(account=card).values_list("pk", flat=True))}


def expected_order(private: set[int]) -> list[int]:
    visible = [(t.date, t.pk) for t in Transaction.objects.all() if t.pk not in private]
    return [pk for _, pk in sorted(visible, reverse=True)]


def page_ids(response) -> list[int]:
    return [t.pk for t in response.context["page"].rows]


def test_the_household_list_pages_through_every_visible_row_once_newest_first(bob, rows):
    client = client_for(bob)

    first = client.get("/transactions/?view=household")
    after = first.context["page"].next_cursor
    second = client.get("/transactions/?" + urlencode({"view": "household", "after": after}))
    before = second.context["page"].prev_cursor
    back = client.get("/transactions/?" + urlencode({"view": "household", "before": before}))

    assert page_ids(first) + page_ids(second) == expected_order(rows["private"])
    assert len(page_ids(first)) == 50 and second.context["page"].next_cursor is None
    assert page_ids(back) == page_ids(first)
    assert first.context["result_count"] == 70


def test_the_household_dashboard_shows_the_newest_visible_rows(bob, rows):
    r = client_for(bob).get("/?view=household")

    assert [t.pk for t in r.context["recent"]] == expected_order(rows["private"])[:8]
