"""Transfers between the user's own accounts: money out of one, the same amount into another
within a few days. A linked pair counts in no total, so a credit card payment (out of checking,
into the card) is not spending twice over.

Matching starts from a transaction Plaid hints at (a transfer category, or a loan or credit card
payment) and looks for its other half on another account: same-amount coincidences between a
purchase and a refund are common, transfers named as such are not, and a first sync of many
thousand rows then reads the candidate other halves in one query per batch. The user
confirms, undoes (the pair is then never proposed again) or links two transactions by hand.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator

from django.db import IntegrityError, transaction
from django.db.models import Q

from banking.models import Transaction

from . import access
from .batching import batch_size, id_batches, rows_with_ids
from .meta import COUNTED
from .models import TransactionMeta, TransferLink
from .versions import totals_changed

WINDOW_DAYS = 4
HINT_PRIMARIES = ("TRANSFER_IN", "TRANSFER_OUT", "LOAN_PAYMENTS")


class TransferError(ValueError):
    pass


def _hinted(t: Transaction) -> bool:
    return t.pfc_primary in HINT_PRIMARIES


LIVE = ~Q(status=TransferLink.Status.UNDONE)


def _set_linked(ids: Iterable[int], linked: bool) -> None:
    ids = list(ids)
    TransactionMeta.objects.bulk_create(
        [TransactionMeta(transaction_id=pk, linked=linked) for pk in ids],
        update_conflicts=True,
        unique_fields=["transaction"],
        update_fields=["linked"],
    )


def _link(user, outflow: Transaction, inflow: Transaction, status: str) -> TransferLink | None:
    try:
        with transaction.atomic():
            link = TransferLink.objects.create(
                user=user, outflow=outflow, inflow=inflow, status=status
            )
            _set_linked([outflow.pk, inflow.pk], True)
    except IntegrityError:
        # Either side is already in a live link, or the user undid this very pair.
        return None
    return link


def _candidates(user, rows: list[Transaction]) -> dict[tuple, list[Transaction]]:
    """The other halves that could pair with any of these rows, in one query, by (amount,
    currency): the opposite amount, posted, within the window of the batch's dates."""
    if not rows:
        return {}
    window = dt.timedelta(days=WINDOW_DAYS)
    found = (
        access.transactions_visible(user)
        .filter(
            amount__in={-t.amount for t in rows},
            pending=False,
            date__gte=min(t.date for t in rows) - window,
            date__lte=max(t.date for t in rows) + window,
        )
        .only("pk", "amount", "iso_currency_code", "date", "account_id", "pfc_primary")
    )
    by_key: dict[tuple, list[Transaction]] = defaultdict(list)
    for c in found:
        by_key[(c.amount, c.iso_currency_code)].append(c)
    return by_key


def _counterpart(
    t: Transaction, candidates: list[Transaction], taken: set[int], undone: set
) -> Transaction | None:
    best = None
    for c in candidates:
        if c.account_id == t.account_id or abs((c.date - t.date).days) > WINDOW_DAYS:
            continue
        pair = (t.pk, c.pk) if t.amount > 0 else (c.pk, t.pk)
        if c.pk in taken or pair in undone:
            continue
        key = (not _hinted(c), abs((c.date - t.date).days), c.pk)
        if best is None or key < best[0]:
            best = (key, c)
    return best[1] if best else None


def _hinted_batches(user, transaction_ids: Iterable[int]) -> Iterator[list[Transaction]]:
    """The hinted rows among these transactions, posted and not zero, in pk order, a batch at a
    time. A first sync's ids are one dense range: its hinted rows are streamed from one query
    over that range. A query per batch of ids left each batch's plan to statistics that do not
    know the new rows yet (the hook runs right after the sync's commit): PostgreSQL took the
    user for a rare one and walked all of the user's rows once per batch."""
    ids = sorted(set(transaction_ids))
    if not ids:
        return
    hinted = (
        access.transactions_visible(user)
        .filter(pending=False, pfc_primary__in=HINT_PRIMARIES)
        .exclude(amount=0)
        .order_by("pk")
    )
    size = batch_size()
    if ids[-1] - ids[0] >= 2 * len(ids):
        for ids_batch in id_batches(ids):
            yield rows_with_ids(hinted, ids_batch)
        return
    wanted = set(ids)
    batch: list[Transaction] = []
    span = hinted.filter(pk__gte=ids[0], pk__lte=ids[-1])
    for t in span.iterator(chunk_size=size):
        if t.pk in wanted:
            batch.append(t)
            if len(batch) >= size:
                yield batch
                batch = []
    if batch:
        yield batch


def transfers_match(*, user, transaction_ids: Iterable[int]) -> int:
    """Link each of these transactions to its other half if one is there; the links made.
    Idempotent: a transaction already linked (or a pair undone) is left as it is."""
    links = access.transfers_visible(user)
    taken: set[int] = set()
    for o, i in links.filter(LIVE).values_list("outflow_id", "inflow_id"):
        taken.update((o, i))
    undone = set(
        links.filter(status=TransferLink.Status.UNDONE).values_list("outflow_id", "inflow_id")
    )
    made = 0
    for batch in _hinted_batches(user, transaction_ids):
        rows = [t for t in batch if t.pk not in taken]
        candidates = _candidates(user, rows)
        for t in rows:
            if t.pk in taken:
                continue
            other = _counterpart(
                t, candidates.get((-t.amount, t.iso_currency_code), []), taken, undone
            )
            if other is None:
                continue
            outflow, inflow = (t, other) if t.amount > 0 else (other, t)
            if _link(user, outflow, inflow, TransferLink.Status.MATCHED) is not None:
                taken.update((t.pk, other.pk))
                made += 1
    return made


def transfer_confirm(*, link: TransferLink) -> None:
    if link.status == TransferLink.Status.UNDONE:
        raise TransferError("That pair was undone; link the two transactions again instead.")
    TransferLink.objects.filter(pk=link.pk).update(status=TransferLink.Status.CONFIRMED)


def transfer_undo(*, link: TransferLink) -> None:
    with transaction.atomic():
        totals_changed(link.user_id)
        TransferLink.objects.filter(pk=link.pk).update(status=TransferLink.Status.UNDONE)
        _set_linked([link.outflow_id, link.inflow_id], False)


def transfer_link(*, user, first: Transaction, second: Transaction) -> TransferLink:
    """The user's own pairing: any two of their transactions of opposite sign."""
    if first.pk == second.pk or (first.amount > 0) == (second.amount > 0):
        raise TransferError("A transfer is one transaction out and one in.")
    outflow, inflow = (first, second) if first.amount > 0 else (second, first)
    with transaction.atomic():
        totals_changed(user.pk)
        access.transfers_visible(user).filter(outflow=outflow, inflow=inflow).delete()
        link = _link(user, outflow, inflow, TransferLink.Status.CONFIRMED)
    if link is None:
        raise TransferError("One of the two is already part of another transfer: undo it first.")
    return link


def transfer_candidates(*, user, txn: Transaction, limit: int = 20) -> list[Transaction]:
    """What the user may link this transaction with by hand: the opposite sign on another
    account within a couple of weeks, nearest date first."""
    window = dt.timedelta(days=14)
    opposite = Q(amount__lt=0) if txn.amount > 0 else Q(amount__gt=0)
    rows = (
        access.transactions_visible(user)
        .filter(opposite, date__gte=txn.date - window, date__lte=txn.date + window)
        .exclude(account_id=txn.account_id)
        .select_related("account")
        .order_by("-date", "-id")[: limit * 5]
    )
    same = [r for r in rows if r.amount == -txn.amount]
    rest = [r for r in rows if r.amount != -txn.amount]
    return (same + rest)[:limit]


def link_restore(*, user, outflow: Transaction, inflow: Transaction, status: str) -> None:
    """A link whose pending side was replaced by its posted successor, made again."""
    _link(user, outflow, inflow, status)


# ---- Between members ---------------------------------------------------------------------------
# Money from alice's shared checking into bob's shared savings is a transfer only for the
# household: in alice's "mine" view it is real money out, in bob's real money in, so no link is
# written (links are one user's). The household totals pair such halves when they read them,
# from the sharing as it is at that moment: a share that ends takes its pairs with it.


def household_transfer_pairs(
    *, user, start: dt.date, end: dt.date
) -> list[tuple[Transaction, Transaction]]:
    """(outflow, inflow) pairs between two different members' rows the user's household view
    shows, one side dated in [start, end]: opposite amounts in one currency on two accounts
    within WINDOW_DAYS, at least one side hinted as a transfer, neither already in a total-free
    state (linked, excluded). Nearest date first, then lowest id, so every read pairs alike."""
    window = dt.timedelta(days=WINDOW_DAYS)
    visible = (
        access.transactions_visible(user, household=True)
        .filter(COUNTED, pending=False)
        .exclude(amount=0)
        .only(
            "pk",
            "user_id",
            "account_id",
            "amount",
            "iso_currency_code",
            "unofficial_currency_code",
            "date",
            "category_override",
            "pfc_detailed",
            "pfc_primary",
        )
    )
    # Part by part (access.transaction_parts), each on its own index: one OR would read
    # every user's rows of the period through the date index.
    parts = [visible.filter(p) for p in access.transaction_parts(user, household=True)]
    hinted = sorted(
        (
            t
            for part in parts
            for t in part.filter(
                pfc_primary__in=HINT_PRIMARIES, date__gte=start - window, date__lte=end + window
            )
        ),
        key=lambda t: (t.date, t.pk),
    )
    if not hinted:
        return []
    candidates = _candidates_among(parts, hinted)
    taken: set[int] = set()
    pairs = []
    for t in hinted:
        if t.pk in taken:
            continue
        others = [
            c
            for c in candidates.get((-t.amount, t.iso_currency_code), [])
            if c.user_id != t.user_id and c.pk not in taken
        ]
        other = _counterpart(t, others, taken, set())
        if other is None:
            continue
        outflow, inflow = (t, other) if t.amount > 0 else (other, t)
        if start <= outflow.date <= end or start <= inflow.date <= end:
            pairs.append((outflow, inflow))
        taken.update((t.pk, other.pk))
    return pairs


def _candidates_among(parts: list, rows: list[Transaction]) -> dict[tuple, list[Transaction]]:
    window = dt.timedelta(days=WINDOW_DAYS)
    by_key: dict[tuple, list[Transaction]] = defaultdict(list)
    for part in parts:
        for c in part.filter(
            amount__in={-t.amount for t in rows},
            date__gte=min(t.date for t in rows) - window,
            date__lte=max(t.date for t in rows) + window,
        ):
            by_key[(c.amount, c.iso_currency_code)].append(c)
    return by_key
