"""Which alerts a user wants, and from what amount."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction

from .. import access
from ..models import AlertKind
from ..versions import version_bump


@dataclass(frozen=True)
class Preference:
    kind: str
    enabled: bool
    threshold: Decimal | None

    @property
    def label(self) -> str:
        return AlertKind(self.kind).label

    @property
    def takes_threshold(self) -> bool:
        return DEFAULTS[self.kind].threshold is not None


# Without a choice of their own, a user hears about what needs them (a budget they set, a
# bank to reconnect) and gets the digest; amounts-based alerts wait until they pick an amount
# that means something in their currency.
DEFAULTS = {
    AlertKind.BUDGET: Preference(AlertKind.BUDGET, True, None),
    AlertKind.LARGE_TRANSACTION: Preference(AlertKind.LARGE_TRANSACTION, False, Decimal("500.00")),
    AlertKind.LOW_BALANCE: Preference(AlertKind.LOW_BALANCE, False, Decimal("100.00")),
    AlertKind.BANK: Preference(AlertKind.BANK, True, None),
    AlertKind.DIGEST: Preference(AlertKind.DIGEST, True, None),
    AlertKind.PRICE_INCREASE: Preference(AlertKind.PRICE_INCREASE, True, None),
}


def alert_preferences(*, user) -> dict[str, Preference]:
    chosen = {
        row.kind: Preference(row.kind, row.enabled, row.threshold)
        for row in access.alert_settings_visible(user)
    }
    out = {}
    for kind, default in DEFAULTS.items():
        mine = chosen.get(kind)
        if mine is None:
            out[kind] = default
        else:
            threshold = mine.threshold if mine.threshold is not None else default.threshold
            out[kind] = Preference(kind, mine.enabled, threshold)
    return out


def alert_preference_save(
    *, user, kind: str, enabled: bool, threshold: Decimal | None = None
) -> None:
    if kind not in DEFAULTS:
        raise ValueError(f"unknown alert kind {kind!r}")
    values = {"enabled": enabled}
    if DEFAULTS[kind].threshold is not None and threshold is not None:
        values["threshold"] = threshold
    with transaction.atomic():
        access.alert_settings_visible(user).update_or_create(
            kind=kind, defaults=values, create_defaults={**values, "user": user}
        )
    # Retires the preferences the alerts hook keeps (finance.alerts.standing).
    version_bump(preferences_version_key(user.pk))


def preferences_version_key(user_id: int) -> str:
    return f"finance:alert-preferences:{user_id}"


def alert_turn_off(*, user, kind: str) -> None:
    alert_preference_save(user=user, kind=kind, enabled=False)
