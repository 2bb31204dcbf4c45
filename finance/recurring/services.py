"""Refreshing a user's recurring streams from the deployment's source, and the user's edits.

RECURRING_SOURCE picks Plaid's Recurring add-on or our detector; both give FoundStreams and
everything from here on is the same. A refresh is idempotent: the same transactions give the
same rows, links and dates, so a hook delivered twice changes nothing more.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from banking import plaid as plaid_client
from banking.models import Account, PlaidItem, Transaction
from banking.plaid.errors import PlaidError

from ..access import (
    accounts_visible,
    items_visible,
    recurring_streams_visible,
    transactions_visible,
)
from ..models import RecurringStream
from .detect import Row, detect
from .streams import FREQUENCIES, FoundStream, fixed_previous

logger = logging.getLogger(__name__)
State = RecurringStream.State
# SQLite allows 999 parameters a statement.
ID_CHUNK = 500


def _detected(user, today: date) -> list[FoundStream]:
    rows = (
        transactions_visible(user)
        .order_by("account_id", "date", "id")
        .values_list(
            "id",
            "account_id",
            "date",
            "amount",
            "name",
            "merchant_name",
            "iso_currency_code",
            "logo_url",
            "pfc_primary",
        )
        .iterator(chunk_size=2000)
    )
    return detect((Row(*r) for r in rows), today)


def _plaid_stream(raw: dict, accounts: dict[str, int], txns: dict[str, tuple]) -> FoundStream:
    linked = sorted((txns[t] for t in raw["transaction_ids"] if t in txns), key=lambda r: r[1])
    last = raw["last_amount"]
    status = raw.get("status") or "UNKNOWN"
    return FoundStream(
        key=f"p:{raw['stream_id']}"[:200],
        account_id=accounts[raw["account_id"]],
        description=str(raw.get("description") or "")[:300],
        merchant_name=str(raw.get("merchant_name") or "")[:300],
        frequency=raw["frequency"] if raw["frequency"] in FREQUENCIES else "UNKNOWN",
        status=status if status in RecurringStream.Status.values else "UNKNOWN",
        is_active=bool(raw.get("is_active")),
        first_date=date.fromisoformat(raw["first_date"]),
        last_date=date.fromisoformat(raw["last_date"]),
        predicted_next_date=(
            date.fromisoformat(raw["predicted_next_date"])
            if raw.get("predicted_next_date")
            else None
        ),
        average_amount=raw["average_amount"]["amount"] or Decimal(0),
        last_amount=last["amount"] or Decimal(0),
        previous_amount=fixed_previous([r[2] for r in linked]),
        currency=str(last.get("iso_currency_code") or last.get("unofficial_currency_code") or ""),
        transaction_pks=[r[0] for r in linked],
        logo_url=next((r[3] for r in reversed(linked) if r[3]), ""),
        pfc_primary=str((raw.get("personal_finance_category") or {}).get("primary") or ""),
    )


def _from_plaid(item: PlaidItem) -> list[FoundStream]:
    data = plaid_client.transactions_recurring_get(item)
    accounts = dict(Account.objects.filter(item=item).values_list("account_id", "pk"))
    streams = [
        s
        for s in data["inflow_streams"] + data["outflow_streams"]
        if s.get("account_id") in accounts and s.get("first_date") and s.get("last_date")
    ]
    ids = sorted({t for s in streams for t in s["transaction_ids"]})
    txns = {}
    for start in range(0, len(ids), ID_CHUNK):
        rows = Transaction.objects.filter(
            account__item=item, transaction_id__in=ids[start : start + ID_CHUNK]
        ).values_list("pk", "transaction_id", "date", "amount", "logo_url")
        txns.update({r[1]: (r[0], r[2], r[3], r[4]) for r in rows})
    return [_plaid_stream(s, accounts, txns) for s in streams]


def _store(user, found: list[FoundStream], account_pks: Iterable[int], source: str) -> int:
    """Write `found` over the user's streams on these accounts. A stream no longer found is
    deleted, unless the user named or classified it: then it stays, marked ended."""
    with transaction.atomic():
        # One refresh per user at a time: two items' syncs finishing together would both
        # insert the same new stream.
        get_user_model().objects.select_for_update().filter(pk=user.pk).first()
        existing = {
            s.key: s
            for s in recurring_streams_visible(user).filter(account_id__in=list(account_pks))
        }
        for f in found:
            fields = {
                "account_id": f.account_id,
                "source": source,
                "description": f.description[:300],
                "merchant_name": f.merchant_name[:300],
                "logo_url": f.logo_url[:500],
                "pfc_primary": f.pfc_primary[:64],
                "frequency": f.frequency,
                "status": f.status,
                "is_active": f.is_active,
                "first_date": f.first_date,
                "last_date": f.last_date,
                "predicted_next_date": f.predicted_next_date,
                "average_amount": f.average_amount,
                "last_amount": f.last_amount,
                "previous_amount": f.previous_amount,
                "iso_currency_code": f.currency[:16],
            }
            stream = existing.pop(f.key, None)
            if stream is None:
                stream = RecurringStream.objects.create(user=user, key=f.key, **fields)
            elif any(getattr(stream, k) != v for k, v in fields.items()):
                RecurringStream.objects.filter(pk=stream.pk).update(
                    updated_at=timezone.now(), **fields
                )
            stream.transactions.set(f.transaction_pks)
        for stream in existing.values():
            if stream.custom_name or stream.state != State.TRACKED:
                RecurringStream.objects.filter(pk=stream.pk).update(
                    is_active=False, predicted_next_date=None, updated_at=timezone.now()
                )
            else:
                stream.delete()
    return len(found)


def recurring_refresh(*, user, item: PlaidItem | None = None, today: date | None = None) -> int:
    """Re-read the user's streams from the configured source. With Plaid's product only the
    given item (or every item of the user) is asked; the detector always reads them all."""
    today = today or timezone.localdate()
    if settings.RECURRING_SOURCE == "detector":
        accounts = accounts_visible(user).values_list("pk", flat=True)
        return _store(user, _detected(user, today), list(accounts), "detector")
    items = [item] if item is not None else list(items_visible(user))
    count = 0
    for it in items:
        try:
            found = _from_plaid(it)
        except PlaidError as exc:
            # The streams stay as they were; the next sync or webhook tries again.
            logger.warning("recurring refresh failed: %s item=%s", exc.error_code, it.item_id)
            continue
        accounts = Account.objects.filter(item=it).values_list("pk", flat=True)
        count += _store(user, found, list(accounts), "plaid")
    return count


def stream_rename(*, stream: RecurringStream, name: str) -> None:
    RecurringStream.objects.filter(pk=stream.pk).update(
        custom_name=name.strip()[:100], updated_at=timezone.now()
    )


def stream_set_state(*, stream: RecurringStream, state: str) -> None:
    if state not in State.values:
        raise ValueError(f"unknown state {state!r}")
    RecurringStream.objects.filter(pk=stream.pk).update(state=state, updated_at=timezone.now())
