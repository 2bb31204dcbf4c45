"""Which accounts and transactions a user may see, and which they may change.

Every finance selector and view starts from these functions and never filters by owner on its
own, so sharing (households) is a change here and nowhere else. Today both answers are "your
own". The owner filter is on the user id itself: transactions carry a denormalised `user`
column so the list pages walk the (user, -date, -id) index, and the month totals the covering
(user, date) index; a join through the item would lose both plans.
"""

from django.db.models import QuerySet

from banking.models import (
    Account,
    Holding,
    InvestmentTransaction,
    Liability,
    PlaidItem,
    Transaction,
)

from .models import (
    AlertSetting,
    Budget,
    Category,
    DataExport,
    HomeCurrency,
    ManualAsset,
    Occurrence,
    PendingCarry,
    RecurringStream,
    Rule,
    Tag,
    TransferLink,
)


def items_visible(user) -> QuerySet[PlaidItem]:
    return PlaidItem.objects.filter(user_id=user.pk)


def accounts_visible(user) -> QuerySet[Account]:
    return Account.objects.filter(item__user_id=user.pk)


def transactions_visible(user) -> QuerySet[Transaction]:
    return Transaction.objects.filter(user_id=user.pk)


def transactions_editable(user) -> QuerySet[Transaction]:
    # The same rows as visible today; a shared (read-only) account will differ.
    return Transaction.objects.filter(user_id=user.pk)


def categories_visible(user) -> QuerySet[Category]:
    return Category.objects.filter(user_id=user.pk)


def rules_visible(user) -> QuerySet[Rule]:
    return Rule.objects.filter(user_id=user.pk)


def tags_visible(user) -> QuerySet[Tag]:
    return Tag.objects.filter(user_id=user.pk)


def transfers_visible(user) -> QuerySet[TransferLink]:
    return TransferLink.objects.filter(user_id=user.pk)


def recurring_streams_visible(user) -> QuerySet[RecurringStream]:
    return RecurringStream.objects.filter(user_id=user.pk)


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


def holdings_visible(user) -> QuerySet[Holding]:
    return Holding.objects.filter(account__item__user_id=user.pk)


def investment_transactions_visible(user) -> QuerySet[InvestmentTransaction]:
    return InvestmentTransaction.objects.filter(account__item__user_id=user.pk)


def liabilities_visible(user) -> QuerySet[Liability]:
    return Liability.objects.filter(account__item__user_id=user.pk)


def home_currency_row(user) -> QuerySet[HomeCurrency]:
    return HomeCurrency.objects.filter(user_id=user.pk)


def data_exports_visible(user) -> QuerySet[DataExport]:
    return DataExport.objects.filter(user_id=user.pk)
