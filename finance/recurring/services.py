"""Refreshing a user's recurring streams from the deployment's source, and the user's edits.

RECURRING_SOURCE picks Plaid's Recurring add-on or our detector; both give FoundStreams and
everything from here on is the same. A refresh is idempotent: the same transactions give the
same rows, links and dates, so a hook delivered twice changes nothing more.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from datetime import date
from decimal import Decimal
from functools import partial

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Case, Count, F, Max, Min, Q, Value, When
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
from .detect import Row, descriptor_key, detect, detect_groups, group_key, too_dense
from .streams import FREQUENCIES, FoundStream, fixed_previous

logger = logging.getLogger(__name__)
# Streams a source found, and the scope of stored streams they replace.
Found = tuple[list[FoundStream], Q]
State = RecurringStream.State
# SQLite allows 999 parameters a statement.
ID_CHUNK = 500
ROW_COLUMNS = (
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


def _rows(qs) -> Iterable[Row]:
    rows = qs.order_by("account_id", "date", "id").values_list(*ROW_COLUMNS)
    return (Row(*r) for r in rows.iterator(chunk_size=2000))


def _detected(user, today: date) -> list[FoundStream]:
    return detect(_rows(transactions_visible(user)), today)


# The descriptor a row is grouped by: the merchant name, or the name when the bank gives none.
DESCRIPTOR = Case(When(merchant_name="", then=F("name")), default=F("merchant_name"))
OUTFLOW = Case(When(amount__gt=0, then=Value(True)), default=Value(False))


def _group_descriptors(user, keys: set[str]) -> dict[tuple[int, bool], set[str]]:
    """Per account and direction, the descriptors of the rows of these groups, leaving out the
    groups too dense to be a stream. One aggregate per descriptor (its days, first and last
    date) answers both, without reading the rows: a group's busiest descriptor is a lower
    bound of its days, so a group it shows too dense is too dense."""
    accounts = {int(k.split(":", 2)[1]) for k in keys}
    per_descriptor = (
        transactions_visible(user)
        .filter(account_id__in=accounts)
        .exclude(amount=0)
        .annotate(descriptor=DESCRIPTOR, out=OUTFLOW)
        .values_list("account_id", "out", "descriptor")
        .annotate(days=Count("date", distinct=True), first=Min("date"), last=Max("date"))
        .order_by()
    )
    groups: dict[str, list[tuple]] = {}
    for account, out, descriptor, days, first, last in per_descriptor:
        if (key := descriptor_key(account, out, descriptor)) in keys:
            groups.setdefault(key, []).append((account, out, descriptor, days, first, last))
    wanted: dict[tuple[int, bool], set[str]] = {}
    for parts in groups.values():
        span = (max(p[5] for p in parts) - min(p[4] for p in parts)).days
        if not too_dense(max(p[3] for p in parts), span):
            for account, out, descriptor, *_ in parts:
                wanted.setdefault((account, out), set()).add(descriptor)
    return wanted


def _groups_rows(user, keys: set[str]):
    """The rows of these groups, read by their descriptors, without the rest of the user's
    history nor the groups no cadence can fit."""
    wanted = _group_descriptors(user, keys)
    exact = sum(len(d) for d in wanted.values()) <= ID_CHUNK // 2
    match = Q(pk__in=[])
    for (account, out), descriptors in wanted.items():
        sign = {"amount__gt": 0} if out else {"amount__lt": 0}
        named = Q(merchant_name__in=descriptors) | Q(merchant_name="", name__in=descriptors)
        # Past SQLite's parameter limit, the account's rows in that direction: a superset
        # (detect_groups keeps the groups' own rows).
        match |= Q(account_id=account, **sign) & (named if exact else Q())
    return transactions_visible(user).filter(match)


def _touched_keys(user, touched: list[int], modified: list[int], today: date) -> set[str]:
    """The groups a sync's rows can change: the groups they are in now, the streams a
    modified row was in before, and the live streams whose expected date has passed (the
    only ones a later `today` changes)."""
    keys: set[str] = set()
    for start in range(0, len(touched), ID_CHUNK):
        rows = _rows(transactions_visible(user).filter(pk__in=touched[start : start + ID_CHUNK]))
        keys.update(k for r in rows if (k := group_key(r)) is not None)
    streams = recurring_streams_visible(user).filter(source="detector")
    for start in range(0, len(modified), ID_CHUNK):
        chunk = modified[start : start + ID_CHUNK]
        keys.update(streams.filter(transactions__in=chunk).values_list("key", flat=True))
    keys.update(
        streams.filter(is_active=True, predicted_next_date__lt=today).values_list("key", flat=True)
    )
    return {k for k in keys if k.startswith("d:")}


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


def _from_plaid(item: PlaidItem, data: dict) -> Found:
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
    found = [_plaid_stream(s, accounts, txns) for s in streams]
    return found, Q(account_id__in=list(accounts.values()))


def _store(user, find: Callable[[], Found], source: str) -> int:
    """`find` gives streams and the scope they answer for: write them over the user's streams
    in that scope. A stream no longer found is deleted, unless the user named or classified
    it: then it stays, marked ended."""
    with transaction.atomic():
        # One refresh per user at a time: two items' syncs finishing together would both
        # insert the same new stream. The transactions are read only once the lock is held:
        # a refresh that read them before waiting would write what it saw over the newer
        # streams of the refresh it waited for (a webhook's refresh racing the sync's).
        get_user_model().objects.select_for_update().filter(pk=user.pk).first()
        found, scope = find()
        existing = {s.key: s for s in recurring_streams_visible(user).filter(scope)}
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


def _detect_all(user, today: date) -> Found:
    accounts = list(accounts_visible(user).values_list("pk", flat=True))
    return _detected(user, today), Q(account_id__in=accounts)


def _detect_groups(user, touched: list[int], modified: list[int], today: date) -> Found:
    keys = _touched_keys(user, touched, modified, today)
    found = detect_groups(_rows(_groups_rows(user, keys)), today, keys) if keys else []
    return found, Q(source="detector", key__in=sorted(keys))


def recurring_refresh(
    *,
    user,
    item: PlaidItem | None = None,
    today: date | None = None,
    changed: tuple[list[int], list[int], list[str]] | None = None,
) -> int:
    """Re-read the user's streams from the configured source. With Plaid's product only the
    given item (or every item of the user) is asked. The detector reads everything, or, given
    a sync's `changed` rows (added and modified pks, removed ids), only the groups those rows
    touch, with the same result. A removal, or a user without detector streams yet, reads
    everything: a removed row's group cannot be known any more."""
    today = today or timezone.localdate()
    if settings.RECURRING_SOURCE == "detector":
        incremental = changed is not None and not changed[2]
        if incremental and recurring_streams_visible(user).filter(source="detector").exists():
            added, modified, _ = changed
            touched = [*added, *modified]
            return _store(
                user, partial(_detect_groups, user, touched, list(modified), today), "detector"
            )
        return _store(user, partial(_detect_all, user, today), "detector")
    items = [item] if item is not None else list(items_visible(user))
    count = 0
    for it in items:
        try:
            data = plaid_client.transactions_recurring_get(it)
        except PlaidError as exc:
            # The streams stay as they were; the next sync or webhook tries again.
            logger.warning("recurring refresh failed: %s item=%s", exc.error_code, it.item_id)
            continue
        count += _store(user, partial(_from_plaid, it, data), "plaid")
    return count


def stream_rename(*, stream: RecurringStream, name: str) -> None:
    RecurringStream.objects.filter(pk=stream.pk).update(
        custom_name=name.strip()[:100], updated_at=timezone.now()
    )


def stream_set_state(*, stream: RecurringStream, state: str) -> None:
    if state not in State.values:
        raise ValueError(f"unknown state {state!r}")
    RecurringStream.objects.filter(pk=stream.pk).update(state=state, updated_at=timezone.now())
