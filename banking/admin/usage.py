"""Admin page: Plaid API calls per day and endpoint over the last 30 days (watching usage)."""

from datetime import timedelta

from django.core.exceptions import PermissionDenied
from django.db.models import Avg, Count, Q
from django.db.models.functions import TruncDate
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone


def api_call_daily_counts(*, queryset, days: int = 30) -> dict:
    """Calls grouped by day and endpoint, as a day × endpoint table (one GROUP BY query)."""
    since = timezone.now() - timedelta(days=days)
    rows = list(
        queryset.filter(created_at__gte=since)
        .annotate(day=TruncDate("created_at"))
        .values("day", "endpoint")
        .annotate(
            calls=Count("id"),
            errors=Count("id", filter=~Q(error_code="")),
            avg_ms=Avg("duration_ms"),
        )
        .order_by("-day", "endpoint")
    )
    endpoints = sorted({r["endpoint"] for r in rows})
    by_day: dict = {}
    for r in rows:
        by_day.setdefault(r["day"], {})[r["endpoint"]] = r
    table = [
        {
            "day": day,
            "cells": [cells.get(e) for e in endpoints],
            "total": sum(c["calls"] for c in cells.values()),
        }
        for day, cells in by_day.items()
    ]
    totals = [sum(r["calls"] for r in rows if r["endpoint"] == e) for e in endpoints]
    return {"endpoints": endpoints, "table": table, "totals": totals, "rows": rows, "days": days}


class ApiUsageView:
    """Mixin for the PlaidApiCall ModelAdmin: adds <changelist>/usage/."""

    def get_urls(self):
        name = f"{self.opts.app_label}_{self.opts.model_name}_usage"
        view = self.admin_site.admin_view(self.usage_view)
        return [path("usage/", view, name=name), *super().get_urls()]

    def usage_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Plaid API calls per day and endpoint",
            **api_call_daily_counts(queryset=self.get_queryset(request)),
        }
        return TemplateResponse(request, "admin/banking/plaidapicall/usage.html", context)
