import datetime as dt
from decimal import Decimal

import pytest

from accounts.time_zone import user_today, user_week
from finance.budgets.report import budget_lines, budgets_closest
from finance.budgets.services import (
    BudgetError,
    budget_set,
    budgets_copy_last_month,
    budgets_from_average,
)
from finance.categories import category_book
from finance.models import Budget, ExchangeRate, TransactionMeta
from finance.splits import Part, splits_set
from tests.factories import AccountFactory, TransactionFactory

pytestmark = pytest.mark.django_db

DEC = dt.date(2026, 12, 1)
MID_DEC = dt.date(2026, 12, 10)


@pytest.fixture
def account(alice):
    return AccountFactory(item__user=alice)


@pytest.fixture
def book(alice):
    return category_book(user=alice)


def spend(account, amount, day=MID_DEC, primary="FOOD_AND_DRINK", detailed="", **kw):
    return TransactionFactory(
        account=account,
        amount=Decimal(amount),
        date=day,
        pfc_primary=primary,
        pfc_detailed=detailed or f"{primary}_OTHER",
        **kw,
    )


def food(book):
    return book.by_code["FOOD_AND_DRINK"]


def test_it_counts_a_category_and_its_children_against_its_budget(alice, account, book):
    budget_set(user=alice, category=food(book), currency="USD", month=DEC, amount=Decimal("400"))
    spend(account, "100.00", detailed="FOOD_AND_DRINK_GROCERIES")
    spend(account, "20.00", detailed="FOOD_AND_DRINK_COFFEE")
    spend(account, "50.00", primary="TRAVEL")
    spend(account, "999.00", day=dt.date(2026, 11, 30))
    [line] = budget_lines(user=alice, month=DEC, today=MID_DEC)
    assert (line.budgeted, line.spent, line.left) == (
        Decimal("400"),
        Decimal("120.00"),
        Decimal("280.00"),
    )
    assert line.percent == 30
    # 120 in 10 days of a 31-day month.
    assert line.projection == Decimal("372.00")


def test_transfers_and_excluded_rows_do_not_count_and_euros_count_converted(alice, account, book):
    # 1.10 dollars per euro on December 1st: 40 euros on the 10th are 44 dollars.
    ExchangeRate.objects.create(date=DEC, currency="USD", rate=Decimal("1.1000"))
    budget_set(user=alice, category=None, currency="USD", month=DEC, amount=Decimal("500"))
    spend(account, "10.00")
    spend(account, "200.00", primary="TRANSFER_OUT")
    left_out = spend(account, "70.00")
    TransactionMeta.objects.create(transaction=left_out, excluded=True)
    marked = spend(account, "30.00")
    TransactionMeta.objects.create(transaction=marked, transfer=True)
    euros = AccountFactory(item=account.item, iso_currency_code="EUR")
    spend(euros, "40.00", iso_currency_code="EUR")
    [line] = budget_lines(user=alice, month=DEC, today=MID_DEC)
    assert line.spent == Decimal("54.00")
    assert line.unconverted == []


def test_spending_in_a_currency_with_no_rate_is_kept_apart_not_counted(alice, account, book):
    budget_set(user=alice, category=None, currency="USD", month=DEC, amount=Decimal("500"))
    spend(account, "10.00")
    euros = AccountFactory(item=account.item, iso_currency_code="EUR")
    spend(euros, "40.00", iso_currency_code="EUR")
    [line] = budget_lines(user=alice, month=DEC, today=MID_DEC)
    assert line.spent == Decimal("10.00")
    assert [(p.currency, p.missing) for p in line.unconverted] == [("EUR", Decimal("40.00"))]


def test_split_parts_count_in_their_own_categories(alice, account, book):
    budget_set(user=alice, category=food(book), currency="USD", month=DEC, amount=Decimal("100"))
    t = spend(account, "90.00", primary="GENERAL_MERCHANDISE")
    splits_set(
        user=alice,
        transaction=t,
        parts=[Part(Decimal("60.00"), "FOOD_AND_DRINK"), Part(Decimal("30.00"))],
    )
    [line] = budget_lines(user=alice, month=DEC, today=MID_DEC)
    assert line.spent == Decimal("60.00")


def test_an_amount_change_holds_from_its_month_on_and_rollover_carries_the_rest(
    alice, account, book
):
    oct_ = dt.date(2026, 10, 1)
    budget_set(
        user=alice,
        category=food(book),
        currency="USD",
        month=oct_,
        amount=Decimal("100"),
        rollover=True,
    )
    budget_set(user=alice, category=food(book), currency="USD", month=DEC, amount=Decimal("150"))
    spend(account, "80.00", day=dt.date(2026, 10, 3))
    spend(account, "130.00", day=dt.date(2026, 11, 3))
    [line] = budget_lines(user=alice, month=DEC, today=MID_DEC)
    # October left 20; November had 120 and spent 130: December starts 10 behind.
    assert (line.budgeted, line.carried, line.available) == (
        Decimal("150"),
        Decimal("-10.00"),
        Decimal("140.00"),
    )
    [nov] = budget_lines(user=alice, month=dt.date(2026, 11, 1), today=MID_DEC)
    assert nov.budgeted == Decimal("100") and nov.over
    assert budget_lines(user=alice, month=dt.date(2026, 9, 1), today=MID_DEC) == []


def test_copy_last_month_and_three_month_average(alice, account, book):
    budget_set(
        user=alice,
        category=food(book),
        currency="USD",
        month=dt.date(2026, 9, 1),
        amount=Decimal("100"),
    )
    budget_set(user=alice, category=food(book), currency="USD", month=DEC, amount=Decimal("300"))
    assert budgets_copy_last_month(user=alice, month=DEC) == 1
    [line] = budget_lines(user=alice, month=DEC, today=MID_DEC)
    assert line.budgeted == Decimal("100")
    for month, amount in ((9, "90.00"), (10, "100.00"), (11, "120.40")):
        spend(account, amount, day=dt.date(2026, month, 5))
    assert budgets_from_average(user=alice, month=DEC) == 1
    [line] = budget_lines(user=alice, month=DEC, today=MID_DEC)
    assert line.budgeted == Decimal("103.00")


def test_a_transfer_category_cannot_have_a_budget(alice, book):
    with pytest.raises(BudgetError):
        budget_set(
            user=alice,
            category=book.by_code["TRANSFER_OUT"],
            currency="USD",
            month=DEC,
            amount=Decimal("1"),
        )
    assert not Budget.objects.exists()


def test_the_dashboard_card_picks_the_three_nearest_their_limit(alice, account, book):
    for code, amount, spent in (
        ("FOOD_AND_DRINK", "100", "90.00"),
        ("TRAVEL", "100", "10.00"),
        ("ENTERTAINMENT", "100", "150.00"),
        ("TRANSPORTATION", "100", "50.00"),
    ):
        budget_set(
            user=alice,
            category=book.by_code[code],
            currency="USD",
            month=DEC,
            amount=Decimal(amount),
        )
        spend(account, spent, primary=code)
    lines = budgets_closest(user=alice, today=MID_DEC)
    assert [x.label for x in lines] == ["Entertainment", "Food & drink", "Transportation"]


def test_the_users_time_zone_decides_the_day_and_week(alice):
    late = dt.datetime(2026, 11, 30, 23, 30, tzinfo=dt.UTC)
    assert user_today(alice, now=late) == dt.date(2026, 11, 30)
    alice.time_zone = "Asia/Tokyo"
    assert user_today(alice, now=late) == dt.date(2026, 12, 1)
    assert user_week(alice, now=late) == (dt.date(2026, 11, 30), "2026-W49")
