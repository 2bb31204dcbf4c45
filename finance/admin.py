"""The exchange rates in the admin: read-only (they come from the ECB), with their age on top,
since a stale table silently carries old rates forward into every converted total."""

from django.contrib import admin
from django.db.models import Max
from django.utils import timezone

from .models import ExchangeRate


@admin.register(ExchangeRate)
class ExchangeRateAdmin(admin.ModelAdmin):
    list_display = ("date", "currency", "rate")
    list_filter = ("currency",)
    date_hierarchy = "date"
    ordering = ("-date", "currency")
    search_fields = ("=currency",)
    # Estimated counts keep the list fast on ~200,000 rows.
    show_full_result_count = False

    def changelist_view(self, request, extra_context=None):
        summary = ExchangeRate.objects.aggregate(latest=Max("date"))
        latest = summary["latest"]
        extra_context = {
            **(extra_context or {}),
            "rates_latest": latest,
            "rates_age_days": (timezone.localdate() - latest).days if latest else None,
        }
        return super().changelist_view(request, extra_context=extra_context)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
