"""Which currency a user's totals are shown in."""

from django.conf import settings
from django.core.cache import cache

from finance import access
from finance.models import ExchangeRate, HomeCurrency

from .convert import EURO

RATES_VERSION_KEY = "finance:rates:version"


def home_currency(user) -> str:
    """The user's choice, else the first linked account's (official) currency, else the
    site's default."""
    chosen = HomeCurrency.objects.filter(user=user).values_list("code", flat=True).first()
    if chosen:
        return chosen
    first = (
        access.accounts_visible(user)
        .exclude(iso_currency_code="")
        .order_by("item__created_at", "pk")
        .values_list("iso_currency_code", flat=True)
        .first()
    )
    return first or settings.DEFAULT_HOME_CURRENCY


def home_currency_set(*, user, code: str) -> None:
    HomeCurrency.objects.update_or_create(user=user, defaults={"code": code})
    rates_version_bump()


def currency_choices() -> list[str]:
    """Every currency the rates table knows, plus the euro."""
    codes = set(ExchangeRate.objects.values_list("currency", flat=True).distinct())
    return sorted(codes | {EURO})


def rates_version() -> int:
    return cache.get(RATES_VERSION_KEY, 0)


def rates_version_bump() -> None:
    """Retires cached converted totals (a refresh may correct recent days' rates)."""
    try:
        cache.incr(RATES_VERSION_KEY)
    except ValueError:
        cache.set(RATES_VERSION_KEY, 1, None)
