"""How money looks, decided once.

Plaid's sign convention is kept in the database: a positive amount is money OUT of the account.
On screen, money out is shown as a plain amount ("$12.50") and money in is shown in green with
a plus sign ("+$1,200.00") plus a visually hidden word for screen readers. Balances are shown
as they are, a negative one in red.
"""

from decimal import Decimal

from django import template
from django.utils.html import format_html

from banking.categories import category_label

register = template.Library()

_PREFIX_SYMBOLS = {"USD": "$", "CAD": "CA$", "EUR": "€", "GBP": "£", "AUD": "A$", "JPY": "¥"}


def format_money(value, currency: str = "") -> str:
    """'$1,234.56', '-€3.00', '12.00 XYZ'. Exact: the Decimal is never turned into a float."""
    if value is None or value == "":
        return "—"
    amount = value if isinstance(value, Decimal) else Decimal(str(value))
    amount = amount.quantize(Decimal("0.01"))
    sign = "-" if amount < 0 else ""
    digits = f"{abs(amount):,.2f}"
    symbol = _PREFIX_SYMBOLS.get((currency or "").upper())
    if symbol:
        return f"{sign}{symbol}{digits}"
    return f"{sign}{digits} {currency}".rstrip()


@register.filter
def money(value, currency=""):
    """{{ account.current_balance|money:account.currency }}"""
    return format_money(value, currency)


@register.simple_tag
def flow(amount, currency=""):
    """A transaction amount in Plaid's sign, shown as money in (+, green) or money out."""
    if amount is None:
        return "—"
    amount = amount if isinstance(amount, Decimal) else Decimal(str(amount))
    if amount < 0:
        return format_html(
            '<span class="amount amount-in">+{}<span class="visually-hidden"> in</span></span>',
            format_money(-amount, currency),
        )
    return format_html(
        '<span class="amount amount-out">{}<span class="visually-hidden"> out</span></span>',
        format_money(amount, currency),
    )


@register.simple_tag
def balance(amount, currency=""):
    """An account balance: negative in red."""
    css = "amount amount-neg" if amount is not None and amount < 0 else "amount"
    return format_html('<span class="{}">{}</span>', css, format_money(amount, currency))


@register.filter
def category(code):
    """FOOD_AND_DRINK -> 'Food & drink'."""
    return category_label(code)
