"""Admin changelists over tables too big to scan on every page view: counting and dates."""

import datetime as dt
import functools

from django.core.paginator import Paginator
from django.db import connections
from django.db.models import Max, Min
from django.utils.functional import cached_property


class EstimatedCountPaginator(Paginator):
    """Counts without reading the whole table on PostgreSQL.

    Unfiltered: the planner's estimate (pg_class.reltuples, kept fresh by autovacuum) once the
    table is past EXACT_BELOW rows. Filtered: counts at most EXACT_BELOW + 1 matching rows, so a
    broad search costs a bounded scan; the pages past that are reached by narrowing the filter.
    SQLite (development, tests) counts exactly: its tables are small and it has no estimate.
    Pair with ModelAdmin.show_full_result_count = False, or admin counts the table anyway.
    """

    EXACT_BELOW = 10_000

    @cached_property
    def count(self):
        qs = self.object_list
        connection = connections[getattr(qs, "db", "default")]
        if connection.vendor != "postgresql" or not hasattr(qs, "query"):
            return super().count
        if not qs.query.where:
            estimate = self._estimate(connection, qs.model._meta.db_table)
            if estimate > self.EXACT_BELOW:
                return estimate
            return super().count
        # COUNT over a LIMITed subquery: Django wraps the slice, so the scan stops early.
        return qs.order_by()[: self.EXACT_BELOW + 1].count()

    @staticmethod
    def _estimate(connection, table: str) -> int:
        with connection.cursor() as cursor:
            # reltuples is -1 for a table never vacuumed or analysed (PostgreSQL 14+).
            cursor.execute(
                "SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass", [table]
            )
            row = cursor.fetchone()
        return int(row[0]) if row else -1


class RangeDatesMixin:
    """QuerySet.dates() from MIN and MAX instead of SELECT DISTINCT date_trunc(...).

    Admin's date_hierarchy asks for the distinct years (then months, days) present, which is a
    scan of every matching row: seconds on a table of millions. Two indexed aggregates give the
    range instead; a year or month inside it with no rows links to an empty list, which is a
    fair price. Only for DateFields (the transactions' `date`).
    """

    def dates(self, field_name, kind, order="ASC"):
        bounds = self.aggregate(first=Min(field_name), last=Max(field_name))
        first, last = bounds["first"], bounds["last"]
        if first is None:
            return []
        if kind == "year":
            found = [dt.date(y, 1, 1) for y in range(first.year, last.year + 1)]
        elif kind == "month":
            found, day = [], first.replace(day=1)
            while day <= last:
                found.append(day)
                day = (day + dt.timedelta(days=32)).replace(day=1)
        else:
            count = (last - first).days + 1
            found = [first + dt.timedelta(days=n) for n in range(count)]
        return found if order == "ASC" else found[::-1]


@functools.cache
def _range_dates_class(base):
    return type(f"RangeDates{base.__name__}", (RangeDatesMixin, base), {})


def with_range_dates(queryset):
    """The same queryset, whose .dates() (and every clone's) uses RangeDatesMixin."""
    qs = queryset._chain()
    qs.__class__ = _range_dates_class(type(qs))
    return qs
