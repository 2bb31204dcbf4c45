"""Quantities of securities: as many decimals as they have, never in exponent form."""

from decimal import Decimal

from django import template

register = template.Library()


def plain(value) -> str:
    """Decimal('10.50000000') -> '10.5', Decimal('50') -> '50' (normalize alone gives '5E+1')."""
    if value is None:
        return ""
    return format(Decimal(value).normalize(), "f")


register.filter("plain", plain)
