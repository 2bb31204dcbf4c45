"""Rename an account, leave it out of totals, choose its place: the user's choices, applied to
banking's accounts for display."""

from banking.models import Account

from .models import AccountPreference


def account_preferences_apply(accounts: list[Account]) -> list[Account]:
    """Sets `label` and `in_totals` on each account and returns them in the user's order.
    Expects `preference` to be select_related (None when the user never chose)."""
    for account in accounts:
        pref = getattr(account, "preference", None)
        account.label = (pref.nickname if pref else "") or account.name
        account.in_totals = not (pref and pref.excluded_from_totals)
        account.position = pref.position if pref else 0
    return sorted(accounts, key=lambda a: a.position)


def account_preference_save(
    *, account: Account, nickname: str, excluded_from_totals: bool, position: int
) -> AccountPreference:
    pref, _ = AccountPreference.objects.update_or_create(
        account=account,
        defaults={
            "nickname": nickname.strip(),
            "excluded_from_totals": excluded_from_totals,
            "position": position,
        },
    )
    return pref
