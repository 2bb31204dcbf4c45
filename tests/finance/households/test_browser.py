"""The issue's "done when", in real Chromium: two users form a household, alice shares her
checking for viewing, bob sees it (dashboard and transactions) but cannot edit it and sees
nothing of her private card; alice stops sharing and it is gone from bob's next page."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.core import mail
from django.test import Client

from tests.browser import axe_violations, launch_chromium
from tests.factories import AccountFactory, PlaidItemFactory, TransactionFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="module")
def browser():
    with launch_chromium() as browser:
        yield browser


def _page(browser, live_server, user):
    client = Client()
    client.force_login(user)
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    return context.new_page()


def test_two_people_share_a_checking_account_for_viewing_and_stop(browser, live_server, alice, bob):
    item = PlaidItemFactory(user=alice)
    checking = AccountFactory(item=item, name="Joint Checking", mask="1111")
    card = AccountFactory(item=item, name="Secret Card", mask="2222", type="credit")
    today = dt.date.today()
    TransactionFactory(account=checking, date=today, amount=Decimal("42.10"), name="GROCER")
    TransactionFactory(account=card, date=today, amount=Decimal("99.00"), name="SECRET GIFT")
    url = live_server.url

    a = _page(browser, live_server, alice)
    a.goto(f"{url}/household/")
    a.get_by_label("Name").fill("Maple Street")
    a.get_by_role("button", name="Create household").click()
    a.get_by_label("Invite by email").fill("bob@example.com")
    a.get_by_role("button", name="Send invitation").click()
    assert a.get_by_text("Invitation sent to bob@example.com").is_visible()
    assert axe_violations(a) == []
    link = re.search(r"http://\S+(/household/join/\S+/)", mail.outbox[-1].body).group(1)

    b = _page(browser, live_server, bob)
    b.goto(url + link)
    b.get_by_role("button", name="Join “Maple Street”").click()
    assert b.get_by_text("You joined “Maple Street”").is_visible()

    a.goto(f"{url}/household/")
    a.get_by_label(re.compile("Joint Checking")).select_option("view")
    with a.expect_navigation():
        a.get_by_role("button", name="Save sharing").click()
    assert a.get_by_text("Saved what you share").is_visible()

    b.goto(f"{url}/")
    b.get_by_role("link", name="Household").click()
    assert b.get_by_text("Joint Checking").first.is_visible()
    assert b.get_by_text("Secret Card").count() == 0
    b.goto(f"{url}/transactions/?view=household")
    row = b.locator("tr", has_text="GROCER")
    assert row.get_by_text("View only").is_visible()
    assert row.get_by_role("link", name=re.compile("Edit")).count() == 0
    assert b.locator("tr[data-txn]").count() == 1
    assert b.get_by_text("SECRET GIFT").count() == 0

    a.goto(f"{url}/household/")
    a.get_by_label(re.compile("Joint Checking")).select_option("private")
    with a.expect_navigation():
        a.get_by_role("button", name="Save sharing").click()
    assert a.get_by_text("Saved what you share").is_visible()

    b.reload()
    assert b.locator("tr[data-txn]").count() == 0
    b.goto(f"{url}/?view=household")
    assert b.get_by_text("Joint Checking").count() == 0
