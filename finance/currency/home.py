"""Which currency a user's totals are shown in."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Subquery

from finance import access
from finance.models import ExchangeRate, HomeCurrency

from .convert import EURO


def home_currency(user) -> str:
    """The user's choice, else the first linked account's (official) currency, else the
    site's default. One query: both candidates are subqueries of one select."""
    first_account = (
        access.accounts_visible(user)
        .exclude(iso_currency_code="")
        .order_by("item__created_at", "pk")
        .values("iso_currency_code")[:1]
    )
    row = (
        get_user_model()
        .objects.filter(pk=user.pk)
        .values_list(
            Subquery(access.home_currency_row(user).values("code")[:1]),
            Subquery(first_account),
        )
        .first()
    )
    chosen, first = row or (None, None)
    return chosen or first or settings.DEFAULT_HOME_CURRENCY


def home_currency_set(*, user, code: str) -> None:
    updated = access.home_currency_row(user).update(code=code)
    if not updated:
        HomeCurrency.objects.create(user=user, code=code)


def currency_choices() -> list[str]:
    """Every currency the rates table knows, plus the euro."""
    codes = set(ExchangeRate.objects.values_list("currency", flat=True).distinct())
    return sorted(codes | {EURO})
