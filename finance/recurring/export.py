"""The streams as CSV: one row per stream, cells neutralised like the transactions export."""

from __future__ import annotations

import csv
from collections.abc import Iterator

from ..export import neutralise
from ..models import RecurringStream

HEADER = [
    "name",
    "merchant",
    "description",
    "account",
    "direction",
    "frequency",
    "typical_amount",
    "last_amount",
    "previous_amount",
    "currency",
    "last_date",
    "next_date",
    "monthly_cost",
    "status",
    "active",
    "tracking",
]


class _Echo:
    def write(self, value: str) -> str:
        return value


def streams_csv(streams) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield writer.writerow(HEADER)
    for s in streams:
        s: RecurringStream
        yield writer.writerow(
            [
                neutralise(s.label),
                neutralise(s.merchant_name),
                neutralise(s.description),
                neutralise(s.account.name),
                "inflow" if s.is_inflow else "outflow",
                s.frequency,
                s.average_amount,
                s.last_amount,
                "" if s.previous_amount is None else s.previous_amount,
                neutralise(s.iso_currency_code),
                s.last_date.isoformat(),
                s.predicted_next_date.isoformat() if s.predicted_next_date else "",
                s.monthly_cost,
                s.status,
                "yes" if s.is_active else "no",
                s.state,
            ]
        )
