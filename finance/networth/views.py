"""/net-worth/ and the manual assets and liabilities: thin adapters over the services."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from .. import access
from ..households.services import household_of, household_view_asked
from .forms import ManualAssetForm, ManualRenameForm, ManualValueForm
from .history import RANGES
from .manual import manual_asset_create, manual_asset_delete, manual_asset_rename, manual_value_set
from .selectors import networth_page

RANGE_LABELS = {"1m": "1 month", "3m": "3 months", "1y": "1 year", "all": "All"}
DEFAULT_RANGE = "1y"


@login_required
@require_GET
def networth(request):
    range_key = request.GET.get("range", DEFAULT_RANGE)
    if range_key not in RANGES:
        range_key = DEFAULT_RANGE
    household = household_view_asked(request)
    context = networth_page(
        user=request.user, range_key=range_key, today=timezone.localdate(), household=household
    )
    context.update(
        range_key=range_key,
        ranges=RANGE_LABELS.items(),
        household=household,
        in_household=household or household_of(request.user) is not None,
    )
    return render(request, "finance/networth/page.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def manual_list(request):
    form = ManualAssetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        asset = manual_asset_create(user=request.user, on=timezone.localdate(), **form.cleaned_data)
        messages.success(request, f"Added {asset.name}.")
        return redirect("/net-worth/manual/")
    assets = access.manual_assets_visible(request.user)
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "assets": assets}
    return render(request, "finance/networth/manual_list.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def manual_edit(request, public_id):
    asset = get_object_or_404(access.manual_assets_visible(request.user), public_id=public_id)
    today = timezone.localdate()
    data = request.POST or None
    action = request.POST.get("action") if data else None
    rename = ManualRenameForm(
        data if action == "rename" else None,
        initial={"name": asset.name, "category": asset.category},
    )
    value = ManualValueForm(
        data if action == "value" else None, today=today, initial={"value": asset.value}
    )
    if action == "rename" and rename.is_valid():
        manual_asset_rename(asset=asset, **rename.cleaned_data)
        messages.success(request, "Saved.")
        return redirect(f"/net-worth/manual/{asset.public_id}/")
    if action == "value" and value.is_valid():
        manual_value_set(
            asset=asset, value=value.cleaned_data["value"], on=value.cleaned_data["date"]
        )
        messages.success(request, f"Saved the value of {asset.name}.")
        return redirect(f"/net-worth/manual/{asset.public_id}/")
    context = {
        "asset": asset,
        "rename": rename,
        "value_form": value,
        "history": asset.values.order_by("-date")[:100],
    }
    return render(
        request,
        "finance/networth/manual_edit.html",
        context,
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def manual_delete(request, public_id):
    asset = get_object_or_404(access.manual_assets_visible(request.user), public_id=public_id)
    name = asset.name
    manual_asset_delete(asset=asset)
    messages.success(request, f"Removed {name} and its history.")
    return redirect("/net-worth/manual/")
