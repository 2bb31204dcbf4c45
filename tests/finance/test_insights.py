import datetime as dt
from decimal import Decimal

import pytest

from finance.transfers import transfers_match
from tests.factories import AccountFactory, TransactionFactory, account_for
from tests.finance.conftest import add_transactions

pytestmark = pytest.mark.django_db


def test_it_invites_a_new_user_to_link_a_bank(alice_client):
    r = alice_client.get("/insights/")
    assert r.status_code == 200
    assert b"Nothing to chart yet" in r.content


def test_it_tables_spending_by_category_per_month(alice_client, money):
    r = alice_client.get("/insights/")
    body = r.content.decode()
    assert 'id="table-categories"' in body and 'id="table-cashflow"' in body
    assert 'id="chart-data"' in body
    data = r.context["chart_data"]
    labels = {c["code"] for c in data["categories"]}
    # Transfers between her own accounts are neither spending nor income.
    assert labels == {"FOOD_AND_DRINK", "TRAVEL"}
    assert sum(data["income"]) == Decimal("2500.00")
    assert sum(data["spending"]) == Decimal("4.75") + Decimal("86.40") + Decimal("389.99")


def test_it_ignores_a_bad_period(alice_client, money):
    r = alice_client.get("/insights/?months=9999&currency=XXX")
    assert r.status_code == 200
    assert r.context["months"] == 12
    assert r.context["currency"] == "USD"


def test_credit_card_payments_to_a_linked_card_are_not_spending(alice_client, alice):
    account = account_for(alice)
    card = AccountFactory(item=account.item, type="credit", subtype="credit card")
    payment = TransactionFactory(
        account=account,
        amount=Decimal("500"),
        pfc_primary="LOAN_PAYMENTS",
        pfc_detailed="LOAN_PAYMENTS_CREDIT_CARD_PAYMENT",
    )
    received = TransactionFactory(
        account=card,
        amount=Decimal("-500"),
        date=payment.date,
        pfc_primary="TRANSFER_IN",
        pfc_detailed="TRANSFER_IN_ACCOUNT_TRANSFER",
    )
    TransactionFactory(account=account, amount=Decimal("20"))
    assert transfers_match(user=alice, transaction_ids=[payment.pk, received.pk]) == 1
    r = alice_client.get("/insights/")
    assert sum(r.context["chart_data"]["spending"]) == Decimal("20")
    assert sum(r.context["chart_data"]["income"]) == Decimal("0")


def test_it_shows_none_of_another_users_data(bob_client, money):
    assert bob_client.get("/insights/").context["chart_data"] is None


def test_its_query_count_does_not_grow_with_transactions(
    alice_client, alice, django_assert_max_num_queries
):
    account = account_for(alice)
    add_transactions(account, 3)
    # 9: the page's own reads, the home currency, the nav's unread alert count and the
    # household membership (whether to offer the "mine / household" switch).
    with django_assert_max_num_queries(9) as small:
        alice_client.get("/insights/")
    add_transactions(account, 200, start=dt.date.today() - dt.timedelta(days=3))
    with django_assert_max_num_queries(len(small.captured_queries)):
        alice_client.get("/insights/")


def test_it_marks_this_month_as_partial(alice_client, money):
    r = alice_client.get("/insights/?months=6")

    labels = r.context["chart_data"]["labels"]
    this_month = dt.date.today().strftime("%b %Y")
    assert labels[-1] == f"{this_month} (so far)"
    assert not any("(so far)" in label for label in labels[:-1])
    assert r.content.decode().count("(so far)</span>") == 2  # one row in each table
