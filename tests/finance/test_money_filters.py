from decimal import Decimal

from finance.templatetags.money import balance, flow, format_money


def test_it_formats_exact_decimals_with_the_currency():
    assert format_money(Decimal("1234567.8"), "USD") == "$1,234,567.80"
    assert format_money(Decimal("-3"), "EUR") == "-€3.00"
    assert format_money(Decimal("12"), "XYZ") == "12.00 XYZ"
    assert format_money(None, "USD") == "—"


def test_money_out_is_plain_and_money_in_is_green_with_a_plus():
    assert flow(Decimal("12.50"), "USD") == (
        '<span class="amount amount-out">$12.50<span class="visually-hidden"> out</span></span>'
    )
    assert flow(Decimal("-1200"), "USD") == (
        '<span class="amount amount-in">+$1,200.00<span class="visually-hidden"> in</span></span>'
    )


def test_a_negative_balance_is_red():
    assert 'amount-neg">-$5.00' in balance(Decimal("-5"), "USD")
