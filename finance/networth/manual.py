"""Manual assets and liabilities: what the user owns or owes outside any bank. Each change of
value is kept (ManualValue, one per day), so the net-worth history shows the value it had."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction

from ..models import ManualAsset, ManualValue


@transaction.atomic
def manual_asset_create(
    *, user, name: str, kind: str, category: str, currency: str, value: Decimal, on: dt.date
) -> ManualAsset:
    asset = ManualAsset.objects.create(
        user=user,
        name=name.strip(),
        kind=kind,
        category=category,
        currency=currency.upper(),
        value=value,
    )
    ManualValue.objects.create(asset=asset, date=on, value=value)
    return asset


def manual_asset_rename(*, asset: ManualAsset, name: str, category: str) -> ManualAsset:
    asset.name, asset.category = name.strip(), category
    asset.save(update_fields=["name", "category", "updated_at"])
    return asset


@transaction.atomic
def manual_value_set(*, asset: ManualAsset, value: Decimal, on: dt.date) -> ManualAsset:
    """The value from `on` on (a later dated value still wins after it); the asset's own
    `value` is always its latest dated one."""
    ManualValue.objects.update_or_create(asset=asset, date=on, defaults={"value": value})
    latest = asset.values.order_by("-date").values_list("value", flat=True).first()
    asset.value = latest
    asset.save(update_fields=["value", "updated_at"])
    return asset


def manual_asset_delete(*, asset: ManualAsset) -> None:
    # Its value history goes with it: the net-worth history is then as if it never existed.
    asset.delete()
