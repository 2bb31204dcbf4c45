"""Our detector on hand-made histories: each cadence, weekend shifts, drift, skips, look-alikes."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from finance.recurring.detect import Row, detect, normalise

TODAY = date(2026, 6, 10)


def _rows(dates, amount="15.49", name="NETFLIX.COM", merchant="Netflix", account=1, start=0):
    out = []
    for i, d in enumerate(dates):
        amt = Decimal(amount) if not callable(amount) else amount(i)
        out.append(Row(start + i, account, d, amt, name, merchant, "USD", "", ""))
    return out


def _monthly(day=5, months=12, end=TODAY):
    out = []
    y, m = end.year, end.month
    for _ in range(months):
        d = date(y, m, day)
        if d <= end:
            out.append(d)
        m -= 1
        if m == 0:
            y, m = y - 1, 12
    return sorted(out)


@pytest.mark.parametrize(
    ("dates", "frequency"),
    [
        ([TODAY - timedelta(days=7 * k) for k in range(12, -1, -1)], "WEEKLY"),
        ([TODAY - timedelta(days=14 * k) for k in range(12, -1, -1)], "BIWEEKLY"),
        (sorted(_monthly(1, 8) + _monthly(15, 8)), "SEMI_MONTHLY"),
        (_monthly(5, 12), "MONTHLY"),
        ([date(2024, 3, 2), date(2025, 3, 2), date(2026, 3, 2)], "ANNUALLY"),
    ],
)
def test_it_finds_each_cadence(dates, frequency):
    (found,) = detect(_rows(dates), TODAY)
    assert found.frequency == frequency and found.is_active
    assert found.status == "MATURE" and found.predicted_next_date > TODAY - timedelta(days=1)
    assert len(found.transaction_pks) == len(dates)


def _off_weekends(d):
    return d + timedelta(days=(7 - d.weekday()) % 7) if d.weekday() >= 5 else d


def test_it_predicts_the_usual_day_moved_off_a_weekend_like_the_payee_does():
    (found,) = detect(_rows([_off_weekends(d) for d in _monthly(5, 12)]), TODAY)
    assert found.predicted_next_date == date(2026, 7, 6)  # 5 July is a Sunday


def test_it_keeps_a_payee_that_posts_on_weekends_on_its_day():
    (found,) = detect(_rows(_monthly(5, 12)), TODAY)
    assert found.predicted_next_date == date(2026, 7, 5)


def test_it_tolerates_a_skipped_month_a_price_rise_and_descriptor_variants():
    dates = [d for d in _monthly(20, 14) if d.month != 1]
    names = ["HULU 877-8244858", "Hulu 877-8244858", "POS HULU 877-8244858 #4411"]
    rows = [
        Row(
            i,
            1,
            d,
            Decimal("17.99") if i < 8 else Decimal("19.99"),
            names[i % 3],
            "",
            "USD",
            "",
            "",
        )
        for i, d in enumerate(dates)
    ]
    (found,) = detect(rows, TODAY)
    assert found.frequency == "MONTHLY"
    assert (found.last_amount, found.previous_amount) == (Decimal("19.99"), Decimal("19.99"))
    assert found.average_amount > Decimal("17.99")


def test_it_reports_the_price_before_a_rise_only_for_a_fixed_price():
    rise = detect(
        _rows(_monthly(5, 6), amount=lambda i: Decimal("9.99" if i < 5 else "12.99")), TODAY
    )
    assert (rise[0].last_amount, rise[0].previous_amount) == (Decimal("12.99"), Decimal("9.99"))
    bills = detect(_rows(_monthly(5, 6), amount=lambda i: Decimal(80 + i * 7)), TODAY)
    assert bills[0].previous_amount is None


def test_it_leaves_a_one_off_look_alike_out_of_the_stream():
    dates = _monthly(8, 10)
    rows = _rows(dates) + _rows([date(2026, 2, 19)], amount="49.99", start=100)
    rows.sort(key=lambda r: r.date)
    (found,) = detect(rows, TODAY)
    assert 100 not in found.transaction_pks and found.last_amount == Decimal("15.49")


def test_it_ignores_irregular_spending_at_the_same_merchant():
    gaps = [3, 11, 2, 25, 6, 1, 17, 9, 4, 30, 2, 8]
    d, dates = date(2025, 12, 1), []
    for g in gaps:
        d += timedelta(days=g)
        dates.append(d)
    assert detect(_rows(dates, amount=lambda i: Decimal(5 + i * 3)), TODAY) == []


def test_it_calls_a_stream_that_stopped_inactive():
    (found,) = detect(_rows(_monthly(5, 8, end=date(2026, 3, 31))), TODAY)
    assert not found.is_active and found.predicted_next_date is None


def test_it_keeps_accounts_and_directions_apart():
    rows = _rows(_monthly(5, 6), account=1) + _rows(_monthly(5, 6), account=2, start=50)
    rows += _rows(_monthly(9, 6), amount="-300", account=2, start=90)
    rows.sort(key=lambda r: (r.account_id, r.date))
    found = detect(rows, TODAY)
    assert sorted((f.account_id, f.last_amount > 0) for f in found) == [
        (1, True),
        (2, False),
        (2, True),
    ]


def test_it_normalises_what_banks_vary_in_a_descriptor():
    assert normalise("POS NETFLIX.COM #1234 05/06") == normalise("Netflix.com") == "netflix com"


def test_a_weekly_charge_among_near_daily_purchases_at_that_merchant_is_no_stream():
    # Weekly at 10.00 and, on the other days, 1.00 and 100.00 in turn: the typical amount
    # alone keeps a weekly cadence, but a merchant charging on 91 days out of 91 is a shop.
    start = TODAY - timedelta(days=90)
    dates = [start + timedelta(days=n) for n in range(91)]
    others = iter([Decimal("1.00"), Decimal("100.00")] * 50)
    rows = _rows(
        dates, amount=lambda i: Decimal("10.00") if i % 7 == 0 else next(others), name="SHOP"
    )
    assert detect(rows, TODAY) == []
    assert [f.frequency for f in detect(rows[::7], TODAY)] == ["WEEKLY"]
