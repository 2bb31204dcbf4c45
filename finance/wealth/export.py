"""CSV of the holdings on the portfolio page, with the transactions export's guard against
formula injection (text cells neutralised, numbers written as exact decimals)."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from decimal import Decimal

from ..export import neutralise
from ..templatetags.wealth import plain
from .selectors import CurrencyPortfolio

HEADER = [
    "account",
    "security",
    "ticker",
    "type",
    "quantity",
    "price",
    "value",
    "cost_basis",
    "gain",
    "currency",
    "price_as_of",
]


class _Echo:
    def write(self, value):
        return value


def holdings_csv(portfolios: Iterable[CurrencyPortfolio]) -> Iterator[str]:
    writer = csv.writer(_Echo(), lineterminator="\r\n", quoting=csv.QUOTE_NONNUMERIC)
    yield writer.writerow(HEADER)
    for p in portfolios:
        for row in p.rows:
            h = row.holding
            yield writer.writerow(
                [
                    neutralise(row.account_label),
                    neutralise(h.security.name),
                    neutralise(h.security.ticker),
                    neutralise(h.security.type),
                    # Unquoted numbers, written exactly (QUOTE_NONNUMERIC leaves Decimals be).
                    Decimal(plain(h.quantity)),
                    Decimal(plain(h.price)),
                    h.value,
                    h.cost_basis if h.cost_basis is not None else "",
                    row.gain if row.gain is not None else "",
                    neutralise(row.currency),
                    h.price_as_of.isoformat() if h.price_as_of else "",
                ]
            )
