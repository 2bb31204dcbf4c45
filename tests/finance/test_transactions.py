import datetime as dt
import re
from decimal import Decimal

import pytest

from banking.models import Transaction
from tests.factories import TransactionFactory, account_for
from tests.finance.conftest import add_transactions

pytestmark = pytest.mark.django_db


def names(response):
    return [t.name for t in response.context["page"].rows]


def test_it_requires_login(client):
    assert client.get("/transactions/").status_code == 302


def test_it_lists_newest_first(alice_client, money):
    r = alice_client.get("/transactions/")
    assert r.status_code == 200
    dates = [t.date for t in r.context["page"].rows]
    assert dates == sorted(dates, reverse=True)
    assert len(dates) == 5


def test_it_never_lists_another_users_transactions(bob_client, money):
    r = bob_client.get("/transactions/")
    assert r.context["page"].rows == []


def test_it_searches_name_and_merchant(alice_client, money):
    assert names(alice_client.get("/transactions/?q=whole")) == ["WHOLEFDS MKT"]
    assert names(alice_client.get("/transactions/?q=payroll")) == ["ACME PAYROLL"]


def test_it_filters_by_account(alice_client, money):
    r = alice_client.get(f"/transactions/?account={money['card'].public_id}")
    assert sorted(names(r)) == ["UNITED AIRLINES", "WHOLEFDS MKT"]


def test_it_filters_by_date_range(alice_client, money):
    start = (dt.date.today() - dt.timedelta(days=45)).isoformat()
    end = (dt.date.today() - dt.timedelta(days=30)).isoformat()
    assert names(alice_client.get(f"/transactions/?start={start}&end={end}")) == ["UNITED AIRLINES"]


def test_it_filters_by_category_including_overrides(alice_client, money):
    coffee = money["coffee"]
    coffee.category_override = "ENTERTAINMENT"
    coffee.save()
    assert names(alice_client.get("/transactions/?category=ENTERTAINMENT")) == ["STARBUCKS 123"]
    assert names(alice_client.get("/transactions/?category=TRAVEL")) == ["UNITED AIRLINES"]


def test_it_filters_pending_and_direction(alice_client, money):
    assert names(alice_client.get("/transactions/?status=pending")) == ["WHOLEFDS MKT"]
    assert names(alice_client.get("/transactions/?direction=in")) == ["ACME PAYROLL"]
    assert "ACME PAYROLL" not in names(alice_client.get("/transactions/?direction=out"))


def test_it_filters_by_the_size_of_the_amount_either_way(alice_client, money):
    r = alice_client.get("/transactions/?min_amount=300&max_amount=3000")
    assert sorted(names(r)) == ["ACME PAYROLL", "UNITED AIRLINES"]


def test_it_sorts_by_amount(alice_client, money):
    r = alice_client.get("/transactions/?sort=largest")
    amounts = [t.amount for t in r.context["page"].rows]
    assert amounts == sorted(amounts, reverse=True)


@pytest.mark.parametrize(
    "query, message",
    [
        ("start=2024-13-45", "Enter a valid date."),
        ("end=yesterday", "Enter a valid date."),
        ("min_amount=abc", "Enter a number."),
        ("max_amount=NaN", "Enter a number."),
        ("min_amount=-5", "greater than or equal to 0"),
        ("account=not-a-uuid", "That account is not one of yours."),
        ("account=00000000-0000-0000-0000-000000000000", "That account is not one of yours."),
        ("start=2025-02-01&end=2025-01-01", "The end date is before the start date."),
        ("min_amount=10&max_amount=5", "The upper amount is smaller than the lower one."),
        ("q=" + "x" * 500, "at most 100 characters"),
    ],
)
def test_it_explains_bad_filters_instead_of_failing(alice_client, money, query, message):
    r = alice_client.get(f"/transactions/?{query}")
    assert r.status_code == 400
    assert message in r.content.decode()
    assert r.context["page"] is None


def test_it_treats_another_users_account_as_unknown(alice_client, bob, money):
    bobs = account_for(bob)
    r = alice_client.get(f"/transactions/?account={bobs.public_id}")
    assert r.status_code == 400
    assert "That account is not one of yours." in r.content.decode()


@pytest.mark.parametrize(
    "query",
    ["page=999999999", "after=garbage", "before=2024-01-01~x", "after=%00~1", "sort=nonsense"],
)
def test_it_survives_junk_paging_input(alice_client, money, query):
    r = alice_client.get(f"/transactions/?{query}")
    assert r.status_code == 200
    assert len(r.context["page"].rows) == 5


def test_pages_stay_stable_while_new_transactions_arrive(alice_client, alice):
    account = account_for(alice)
    add_transactions(account, 120, start=dt.date.today() - dt.timedelta(days=1))
    first = alice_client.get("/transactions/")
    next_link = re.search(r'rel="next" href="([^"]+)"', first.content.decode()).group(1)
    # A sync lands ten new transactions between page one and page two.
    for _ in range(10):
        TransactionFactory(account=account, date=dt.date.today())
    second = alice_client.get("/transactions/" + next_link.replace("&amp;", "&"))
    first_ids = {t.pk for t in first.context["page"].rows}
    second_rows = second.context["page"].rows
    assert len(second_rows) == 50
    assert not first_ids & {t.pk for t in second_rows}
    assert second_rows[0].date < first.context["page"].rows[-1].date or (
        second_rows[0].date == first.context["page"].rows[-1].date
    )
    # Walking back from page two returns exactly page one.
    prev_link = re.search(r'rel="prev" href="([^"]+)"', second.content.decode()).group(1)
    back = alice_client.get("/transactions/" + prev_link.replace("&amp;", "&"))
    assert [t.pk for t in back.context["page"].rows] == [t.pk for t in first.context["page"].rows]


def test_it_pages_through_every_row_once_in_amount_order(alice_client, alice):
    account = account_for(alice)
    for i in range(70):
        TransactionFactory(account=account, amount=Decimal(i % 7))
    seen, url = [], "/transactions/?sort=smallest"
    while url:
        r = alice_client.get(url)
        seen += [t.pk for t in r.context["page"].rows]
        match = re.search(r'rel="next" href="([^"]+)"', r.content.decode())
        url = "/transactions/" + match.group(1).replace("&amp;", "&") if match else None
    assert len(seen) == len(set(seen)) == 70


def test_it_starts_another_list_at_its_first_page_when_given_a_cursor_from_this_one(
    alice_client, alice
):
    account = account_for(alice)
    add_transactions(account, 60)
    first = alice_client.get("/transactions/")
    cursor = first.context["page"].next_cursor
    assert alice_client.get(f"/transactions/?after={cursor}").context["page"].prev_cursor

    r = alice_client.get(f"/transactions/?sort=largest&after={cursor}")

    page = r.context["page"]
    largest = sorted(Transaction.objects.filter(account=account), key=lambda t: (-t.amount, -t.pk))
    assert [t.pk for t in page.rows] == [t.pk for t in largest[:50]]
    assert page.prev_cursor is None
    assert "belongs to another search or sort order" in r.content.decode()


def test_a_page_link_that_no_longer_works_says_so_and_shows_the_first_page(alice_client, money):
    r = alice_client.get("/transactions/?after=garbage")

    assert len(r.context["page"].rows) == 5
    assert "That page link no longer works, so here is the first page." in r.content.decode()


@pytest.mark.parametrize(
    "url",
    [
        "/transactions/",
        "/transactions/?q=coffee",
        "/transactions/?category=FOOD_AND_DRINK&sort=largest",
        "/transactions/?status=posted&min_amount=1",
    ],
)
def test_its_query_count_does_not_grow_with_transactions(
    alice_client, alice, url, django_assert_max_num_queries
):
    account = account_for(alice)
    add_transactions(account, 3)
    # 9: the page's own reads, the nav's unread alert count (one per page) and whether to
    # offer the mine / household switch.
    with django_assert_max_num_queries(9) as small:
        alice_client.get(url)
    add_transactions(account, 150)
    with django_assert_max_num_queries(len(small.captured_queries)):
        r = alice_client.get(url)
    assert r.status_code == 200


def test_it_counts_the_results_exactly_up_to_the_limit(alice_client, money):
    r = alice_client.get("/transactions/?q=starbucks")

    assert r.context["result_count"] == 1
    assert "1 transaction matches" in r.content.decode()


def test_it_stops_counting_past_the_limit(alice_client, money, settings):
    assert settings.TRANSACTION_COUNT_LIMIT == 10_000
    settings.TRANSACTION_COUNT_LIMIT = 3
    r = alice_client.get("/transactions/")

    assert r.context["result_count"] == 4
    body = r.content.decode()
    assert "More than 3 transactions" in body and "of 3+ transactions" in body
