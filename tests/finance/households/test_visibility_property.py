"""Random households and sharing settings; what each user sees over HTTP must equal a plain
oracle computed from the generated settings (it never calls finance.access)."""

import datetime as dt
import re
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from finance.households.services import account_share_set, household_create
from finance.models import Membership
from tests.factories import AccountFactory, PlaidItemFactory, TransactionFactory

from .conftest import client_for

LEVELS = ("private", "view", "edit")
TXN_ID = re.compile(r'data-txn="([0-9a-f-]{36})"')

# Up to four people: each in no household (None) or household 0 or 1, each with one or two
# accounts, each private, view or edit.
people = st.lists(
    st.tuples(
        st.sampled_from([None, 0, 1]),
        st.lists(st.sampled_from(LEVELS), min_size=1, max_size=2),
    ),
    min_size=2,
    max_size=4,
)


class Rollback(Exception):
    pass


def oracle(spec, viewer: int, *, household: bool) -> set[tuple[int, int]]:
    """(person, account) pairs the viewer sees: their own; in the household view also every
    non-private account of someone in the same household."""
    seen = {(viewer, a) for a in range(len(spec[viewer][1]))}
    mine = spec[viewer][0]
    if household and mine is not None:
        for person, (theirs, levels) in enumerate(spec):
            if person != viewer and theirs == mine:
                seen |= {(person, a) for a, level in enumerate(levels) if level != "private"}
    return seen


def _build(spec):
    users, households, txn_of = [], {}, {}
    for person, (group, levels) in enumerate(spec):
        user = get_user_model().objects.create_user(email=f"p{person}@example.com", password="x")
        users.append(user)
        if group is not None:
            if group in households:
                Membership.objects.create(household=households[group], user=user)
            else:
                households[group] = household_create(user=user, name=f"H{group}")
        item = PlaidItemFactory(user=user)
        for a, level in enumerate(levels):
            account = AccountFactory(item=item, name=f"P{person}A{a}")
            txn = TransactionFactory(account=account, date=dt.date.today(), amount=Decimal("5"))
            txn_of[str(txn.public_id)] = (person, a)
            if level != "private" and group is not None:
                account_share_set(user=user, account=account, level=level)
    return users, txn_of


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(spec=people)
def test_each_user_sees_exactly_what_the_oracle_says(db, spec):
    try:
        with transaction.atomic():
            users, txn_of = _build(spec)
            for viewer, user in enumerate(users):
                client = client_for(user)
                for household in (False, True):
                    url = "/transactions/?view=household" if household else "/transactions/"
                    page = client.get(url).content.decode()
                    seen = {txn_of[t] for t in TXN_ID.findall(page)}
                    assert seen == oracle(spec, viewer, household=household), (spec, viewer, url)
            raise Rollback
    except Rollback:
        pass
