"""Import benchmark: an export's ZIP read back into a fresh user, against the export of the same
user measured in the same run.

Run (PostgreSQL; SQLite works but is reported as such):
    scripts/with-postgres.sh .venv/bin/python bench/import_bench.py
    IMPORT_BENCH_SIZES=10000,100000 ...   (transactions per user; the first is the baseline)
Writes bench/results/import.json: per size, export_s (the baseline: finance.portability.export
.data_export_build of the source user), import_s (finance.portability.importer.data_import_run
of its ZIP into a new user: one database transaction, every kind), ratio_to_export, rows_per_s,
and the process's peak RSS after the import. The importer keeps one map of the file's
transaction ids to new keys (needed by split_parts and transfers), so memory grows with the
number of transactions: rss_growth_mb says by how much between the smallest and largest size.
The users are built by bench/export_bench.py's build (one INSERT ... SELECT).
"""

from __future__ import annotations

import gc
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

import export_bench  # noqa: E402  (sets Django up)
from _results import results_write  # noqa: E402
from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

SIZES = [int(n) for n in os.environ.get("IMPORT_BENCH_SIZES", "10000,100000").split(",")]


def main() -> int:
    from django.contrib.auth import get_user_model
    from django.core.files import File
    from django.core.files.storage import default_storage
    from django.utils import timezone

    from banking.models import Transaction
    from finance.models import DataExport, DataImport
    from finance.portability.export import LINK_VALID, data_export_build
    from finance.portability.importer import data_import_run

    setup_test_environment()
    settings.MIGRATION_MODULES = export_bench._NoMigrations()
    vendor = connection.vendor
    settings.MEDIA_ROOT = tempfile.mkdtemp(prefix="import-bench-")
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        results = []
        for size in SIZES:
            source = export_bench.build(size)
            if vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("VACUUM ANALYZE")
            gc.collect()
            export = DataExport.objects.create(user=source, expires_at=timezone.now() + LINK_VALID)
            t0 = time.perf_counter()
            assert data_export_build(export_id=export.pk) == "ready"
            export_s = time.perf_counter() - t0
            export.refresh_from_db()
            fresh = get_user_model().objects.create_user(
                email=f"import{size}@bench.example", password="pw-1"
            )
            row = DataImport.objects.create(user=fresh)
            with open(default_storage.path(export.file.name), "rb") as f:
                row.file.save(f"{row.public_id}.zip", File(f), save=True)
            gc.collect()
            t0 = time.perf_counter()
            state = data_import_run(import_id=row.pk)
            import_s = time.perf_counter() - t0
            row.refresh_from_db()
            assert state == "done", row.error
            assert Transaction.objects.filter(user=fresh).count() == size
            results.append(
                {
                    "transactions": size,
                    "export_s": round(export_s, 2),
                    "import_s": round(import_s, 2),
                    "ratio_to_export": round(import_s / export_s, 2),
                    "rows_per_s": round(size / import_s),
                    "peak_rss_mb": round(export_bench.peak_rss_mb(), 1),
                }
            )
            print(json.dumps(results[-1]), flush=True)
        out = {
            "database": vendor,
            "sizes": results,
            "rss_growth_mb": round(results[-1]["peak_rss_mb"] - results[0]["peak_rss_mb"], 1),
            "rss_growth_between": [SIZES[0], SIZES[-1]],
        }
        print(json.dumps(out, indent=2))
        results_write("import.json", out, note=vendor)
        return 0
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    sys.exit(main())
