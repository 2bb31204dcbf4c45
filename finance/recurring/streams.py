"""The one stream shape both sources produce (Plaid's /transactions/recurring/get and our
detector), so nothing downstream knows which one a deployment uses."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

FREQUENCIES = ("WEEKLY", "BIWEEKLY", "SEMI_MONTHLY", "MONTHLY", "ANNUALLY", "UNKNOWN")
# How many charges of each frequency fall in an average month, for "monthly cost".
PER_MONTH = {
    "WEEKLY": Decimal(52) / 12,
    "BIWEEKLY": Decimal(26) / 12,
    "SEMI_MONTHLY": Decimal(2),
    "MONTHLY": Decimal(1),
    "ANNUALLY": Decimal(1) / 12,
    "UNKNOWN": Decimal(0),
}


@dataclass
class FoundStream:
    """A stream as a source found it. Amounts follow Plaid's sign: positive is money out.

    `key` is stable across refreshes: Plaid's stream_id, or the detector's account and
    normalised name, so the user's choices (a new name, "not recurring") stay attached."""

    key: str
    account_id: int
    description: str
    merchant_name: str
    frequency: str
    status: str
    is_active: bool
    first_date: date
    last_date: date
    predicted_next_date: date | None
    average_amount: Decimal
    last_amount: Decimal
    previous_amount: Decimal | None
    currency: str
    transaction_pks: list[int] = field(default_factory=list)
    logo_url: str = ""
    pfc_primary: str = ""


def fixed_previous(amounts: list[Decimal]) -> Decimal | None:
    """The price before the last charge, when the stream had a fixed price (two charges alike
    before it). A bill whose amount always varies (electricity, a card autopay) has none, so a
    change is only ever a subscription's new price."""
    if len(amounts) >= 3 and amounts[-2] == amounts[-3]:
        return amounts[-2]
    return None
