"""Home-currency totals on screen (finance.currency.HomeTotal).

{% home_money total %} is the converted figure; {% currency_breakdown total %} is its parts
per currency, one click away (details/summary), and names anything left out because it could
not be converted. Every page with a converted total uses both.
"""

from decimal import Decimal

from django import template

from .money import balance, format_money

register = template.Library()


@register.simple_tag
def home_money(total, signed=False):
    """The converted total, rounded to cents; `signed` shows a negative figure in red."""
    if signed:
        return balance(total.amount, total.home)
    return format_money(total.amount, total.home)


@register.filter
def part_money(value, part):
    """An amount in a breakdown part's own currency. An unofficial currency (a crypto code)
    keeps every digit: 0.00012 BTC is not "0.00 BTC"."""
    if part.official or not part.currency:
        return format_money(value, part.currency)
    amount = value.quantize(Decimal("0.00000001")).normalize()
    return f"{amount:,f} {part.currency}"


@register.inclusion_tag("finance/currency/_breakdown.html")
def currency_breakdown(total, label="this total"):
    return {"total": total, "label": label}
