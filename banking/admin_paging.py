"""A paginator for admin changelists over tables too big to COUNT(*) on every page view."""

from django.core.paginator import Paginator
from django.db import connections
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
