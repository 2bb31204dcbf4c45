"""Which accounts and transactions a user may see, and which they may change.

Every finance selector and view starts from these functions and never filters by owner on its
own, so sharing (households) is a change here and nowhere else. Today both answers are "your
own"; with `household=True` the accounts and transactions a user's household shares are
added, and `transaction_editable_shared` opens edit-shared rows to the one edit page. Bank
connections (items) are the owner's alone, always, with or without a household.

Nothing here is cached: every call reads the membership and share rows as they are now, so a
member who leaves or is removed, or an account made private, is gone from the next request.

The owner filter is on the user id itself: transactions carry a denormalised `user`
column so the list pages walk the (user, -date, -id) index, and the month totals the covering
(user, date) index; a join through the item would lose both plans.
"""

import operator
from functools import reduce

from django.db.models import Q, QuerySet

from banking.models import (
    Account,
    Holding,
    InvestmentTransaction,
    Liability,
    PlaidItem,
    Transaction,
)

from .models import (
    AccountShare,
    AlertSetting,
    Budget,
    Category,
    DataExport,
    DataImport,
    HomeCurrency,
    ManualAsset,
    Membership,
    Occurrence,
    PendingCarry,
    RecurringStream,
    Rule,
    Tag,
    TransactionAudit,
    TransferLink,
)


def items_visible(user) -> QuerySet[PlaidItem]:
    # Never widened by a household: refresh, reconnect, remove and status are the owner's.
    return PlaidItem.objects.filter(user_id=user.pk)


def household_member_ids(user) -> QuerySet:
    """The user ids of everyone in the user's household, the user included (none without)."""
    return Membership.objects.filter(household__memberships__user_id=user.pk).values("user_id")


def _shared_account_ids(user, levels=(AccountShare.Level.VIEW, AccountShare.Level.EDIT)):
    """Accounts the user's fellow members share with their household at one of `levels`."""
    return AccountShare.objects.filter(
        level__in=levels, account__item__user_id__in=household_member_ids(user)
    ).values("account_id")


def accounts_visible(user, *, household: bool = False) -> QuerySet[Account]:
    if not household:
        return Account.objects.filter(item__user_id=user.pk)
    return Account.objects.filter(Q(item__user_id=user.pk) | Q(pk__in=_shared_account_ids(user)))


def transactions_visible(user, *, household: bool = False) -> QuerySet[Transaction]:
    if not household:
        return Transaction.objects.filter(user_id=user.pk)
    return Transaction.objects.filter(
        Q(user_id=user.pk) | Q(account_id__in=_shared_account_ids(user))
    )


def transaction_parts(user, *, household: bool = False) -> list[Q]:
    """transactions_visible() cut into disjoint parts that each walk one index in date order:
    the user's own rows (user, -date, -id), then each account other members share
    (account, -date, -id). A list page merges the parts (finance.pagination): the one OR of
    transactions_visible would walk everyone's rows by date, a plan that is only cheap while
    a household's rows are a large share of the table."""
    own = [Q(user_id=user.pk)]
    if not household:
        return own
    shared = (
        _shared_account_ids(user)
        .exclude(account__item__user_id=user.pk)
        .order_by("account_id")
        .values_list("account_id", "account__item__user_id")
    )
    # The owner too (every row carries its account's owner): a total by category can then
    # read the owner's (user, pfc_primary, date) index, a list the account's.
    return own + [Q(user_id=owner_id, account_id=pk) for pk, owner_id in shared]


def transactions_by_parts(
    user, *, household: bool = False
) -> tuple[QuerySet[Transaction], list[Q]]:
    """(rows, parts): transactions_visible() and transaction_parts() from one reading of the
    membership and share rows. The rows are filtered by the parts themselves (the user's id;
    each shared account with its owner) rather than by the share subquery, so a per-part
    query, and the fetch of a merged page by id, carry no subquery to plan or run."""
    parts = transaction_parts(user, household=household)
    return Transaction.objects.filter(reduce(operator.or_, parts)), parts


def transactions_editable(user) -> QuerySet[Transaction]:
    # The user's own rows: what rules, merges, carries, tags, splits and transfers may write.
    return Transaction.objects.filter(user_id=user.pk)


def transaction_editable_shared(user) -> QuerySet[Transaction]:
    """Own rows plus those on accounts shared for editing: the transaction edit page
    (category and notes, in the owner's categories) is the one place that writes them."""
    return Transaction.objects.filter(account_id__in=account_ids_editable_shared(user))


def account_shares_editable(user) -> QuerySet[AccountShare]:
    # Only an account's owner decides how it is shared.
    return AccountShare.objects.filter(account__item__user_id=user.pk)


def categories_visible(user) -> QuerySet[Category]:
    return Category.objects.filter(user_id=user.pk)


def rules_visible(user) -> QuerySet[Rule]:
    return Rule.objects.filter(user_id=user.pk)


def tags_visible(user) -> QuerySet[Tag]:
    return Tag.objects.filter(user_id=user.pk)


def transfers_visible(user) -> QuerySet[TransferLink]:
    return TransferLink.objects.filter(user_id=user.pk)


def recurring_streams_visible(user, *, household: bool = False) -> QuerySet[RecurringStream]:
    # With `household`, the streams of the accounts members share too (to read: the actions
    # on /recurring/ take the user's own streams only).
    if not household:
        return RecurringStream.objects.filter(user_id=user.pk)
    return RecurringStream.objects.filter(
        Q(user_id=user.pk) | Q(account_id__in=_shared_account_ids(user))
    )


def manual_assets_visible(user) -> QuerySet[ManualAsset]:
    return ManualAsset.objects.filter(user_id=user.pk)


def budgets_visible(user) -> QuerySet[Budget]:
    return Budget.objects.filter(user_id=user.pk)


def occurrences_visible(user) -> QuerySet[Occurrence]:
    return Occurrence.objects.filter(user_id=user.pk)


def alert_settings_visible(user) -> QuerySet[AlertSetting]:
    return AlertSetting.objects.filter(user_id=user.pk)


def carries_visible(user) -> QuerySet[PendingCarry]:
    return PendingCarry.objects.filter(user_id=user.pk)


def holdings_visible(user, *, household: bool = False) -> QuerySet[Holding]:
    if not household:
        return Holding.objects.filter(account__item__user_id=user.pk)
    return Holding.objects.filter(
        Q(account__item__user_id=user.pk) | Q(account_id__in=_shared_account_ids(user))
    )


def investment_transactions_visible(user) -> QuerySet[InvestmentTransaction]:
    return InvestmentTransaction.objects.filter(account__item__user_id=user.pk)


def liabilities_visible(user) -> QuerySet[Liability]:
    return Liability.objects.filter(account__item__user_id=user.pk)


def home_currency_row(user) -> QuerySet[HomeCurrency]:
    return HomeCurrency.objects.filter(user_id=user.pk)


def data_exports_visible(user) -> QuerySet[DataExport]:
    return DataExport.objects.filter(user_id=user.pk)


def data_imports_visible(user) -> QuerySet[DataImport]:
    return DataImport.objects.filter(user_id=user.pk)


def household_membership(user) -> QuerySet[Membership]:
    return Membership.objects.filter(user_id=user.pk)


def household_audits_visible(user) -> QuerySet[TransactionAudit]:
    # Who changed my shared transactions: shown to their owner only.
    return TransactionAudit.objects.filter(transaction__user_id=user.pk)


def account_ids_editable_shared(user) -> QuerySet:
    """Ids of the accounts whose transactions the edit page accepts from this user."""
    return Account.objects.filter(
        Q(item__user_id=user.pk)
        | Q(pk__in=_shared_account_ids(user, levels=(AccountShare.Level.EDIT,)))
    ).values_list("pk", flat=True)
