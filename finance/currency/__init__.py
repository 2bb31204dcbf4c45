"""Many currencies, one home currency: the API other finance features use.

- `home_currency(user) -> str`: the code totals are shown in.
- `Converter(currencies, start, end)`: rates for a batch, one query; `.convert(amount, from,
  to, day)` and `.convert_many(items, to)` give unrounded Decimals or None (no rate).
- `HomeTotal(home, converter)`: `.add(amount, currency, day, official=...)`, then `.amount`
  (rounded), `.breakdown` and `.unconverted`; render with `{% home_money total %}`
  (`{% load currency %}`).
- `convert(amount, from, to, on_date)`: one amount, rounded to cents.
"""

from .convert import Converter, convert, money_round
from .home import home_currency
from .totals import CurrencyPart, HomeTotal

__all__ = ["Converter", "CurrencyPart", "HomeTotal", "convert", "home_currency", "money_round"]
