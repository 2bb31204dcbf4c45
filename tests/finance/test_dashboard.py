from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from banking.models import PlaidItem
from finance.models import Rule
from finance.rules import rule_apply_existing
from finance.splits import Part, splits_set
from finance.transfers import transfer_link, transfer_undo
from tests.factories import TransactionFactory, account_for
from tests.finance.conftest import add_transactions

pytestmark = pytest.mark.django_db


def test_it_requires_login(client):
    r = client.get("/")
    assert r.status_code == 302
    assert r["Location"].startswith("/accounts/login/")


def test_it_welcomes_a_user_with_no_banks(alice_client):
    r = alice_client.get("/")
    assert r.status_code == 200
    assert b"Let's link your first bank" in r.content
    assert b'href="/link/?start=1"' in r.content


def test_it_shows_net_worth_as_assets_minus_debts(alice_client, money):
    # 1250 checking + 5000 savings - 410.25 owed on the card
    r = alice_client.get("/")
    assert "$5,839.75" in r.content.decode()
    assert "$410.25 owed" in r.content.decode()


def test_it_explains_a_broken_connection_in_plain_words(alice_client, money):
    r = alice_client.get("/")
    body = r.content.decode()
    assert "First Gingham Credit Union needs you to sign in again." in body
    assert f'href="/banks/{money["bad"].public_id}/reconnect/"' in body
    assert f'action="/banks/{money["good"].public_id}/refresh/"' in body
    assert "Updated 3\xa0hours ago" in body


def test_it_counts_spending_but_not_income_or_transfers(alice_client, money):
    r = alice_client.get("/")
    spending = r.context["spending"][0]
    # coffee 4.75 + groceries 86.40 (if still this month); never salary or the savings transfer
    assert spending["this_month"] in (
        money["coffee"].amount + money["groceries"].amount,
        money["coffee"].amount,
    )


def test_it_shows_money_in_with_a_plus_sign(alice_client, money):
    r = alice_client.get("/")
    assert 'class="amount amount-in">+$2,500.00' in r.content.decode()


def test_it_shows_none_of_another_users_data(bob_client, money):
    r = bob_client.get("/")
    assert b"Everyday Checking" not in r.content
    assert b"Let's link your first bank" in r.content


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx)


def test_its_query_count_does_not_grow_with_transactions(
    alice_client, alice, money, django_assert_max_num_queries
):
    small = _queries(alice_client, "/")
    add_transactions(account_for(alice), 120)
    with django_assert_max_num_queries(small):
        alice_client.get("/")
    # A repeat visit: cached totals, plus the cards' own reads (net-worth history, budgets,
    # upcoming bills and the payments due merged into them), the home currency, the nav's
    # unread count and whether to offer the mine / household switch.
    with django_assert_max_num_queries(15):
        alice_client.get("/")


def test_an_edit_shows_on_the_dashboard_at_once(alice_client, money):
    alice_client.get("/")  # fills the cache
    alice_client.post(
        f"/transactions/{money['coffee'].public_id}/", {"category_override": "MEDICAL", "notes": ""}
    )
    r = alice_client.get("/")
    assert "MEDICAL" in [row["category"] for row in r.context["top_categories"]]


def test_a_sync_shows_on_the_dashboard_at_once(alice_client, money):
    before = alice_client.get("/").context["spending"][0]["this_month"]
    TransactionFactory(account=money["checking"], amount=Decimal("100.00"))
    # What a sync does: rows and the moved cursor in one transaction.
    PlaidItem.objects.filter(pk=money["good"].pk).update(transactions_cursor="next-cursor")
    after = alice_client.get("/").context["spending"][0]["this_month"]
    assert after == before + Decimal("100.00")


def this_month(client) -> Decimal:
    return client.get("/").context["spending"][0]["this_month"]


def test_a_split_shows_on_the_dashboard_at_once(alice, alice_client, money):
    alice_client.get("/")  # fills the cache
    parts = [Part(Decimal("3.75"), "MEDICAL", ""), Part(Decimal("1.00"), "", "")]
    splits_set(user=alice, transaction=money["coffee"], parts=parts)
    r = alice_client.get("/")
    assert "MEDICAL" in [row["category"] for row in r.context["top_categories"]]


def test_a_transfer_linked_or_undone_shows_on_the_dashboard_at_once(alice, alice_client, money):
    inflow = TransactionFactory(account=money["card"], amount=-money["coffee"].amount)
    before = this_month(alice_client)
    link = transfer_link(user=alice, first=money["coffee"], second=inflow)
    assert this_month(alice_client) == before - money["coffee"].amount
    transfer_undo(link=link)
    assert this_month(alice_client) == before


def test_a_rule_applied_to_existing_rows_shows_on_the_dashboard_at_once(alice, alice_client, money):
    before = this_month(alice_client)
    rule = Rule.objects.create(
        user=alice, name="no coffee", position=1, text_value="starbucks", exclude=True
    )
    assert rule_apply_existing(rule=rule) == 1
    assert this_month(alice_client) == before - money["coffee"].amount


def test_the_dashboard_draws_a_transaction_as_the_transactions_page_does(alice_client, money):
    coffee = money["coffee"]
    bank = coffee.account.item.display_name
    for url in ("/", "/transactions/"):
        body = alice_client.get(url).content.decode()
        # One row design: the same stacking table, the name, then the account and its bank.
        assert 'class="table table-stack txn-table"' in body, url
        row = body[body.index(f'<span class="txn-name">{coffee.merchant_name}</span>') :]
        meta = row[row.index('<span class="txn-meta">') : row.index("</td>")]
        assert coffee.account.name in meta and bank in meta, url
