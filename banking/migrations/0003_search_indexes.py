# PostgreSQL only (a no-op elsewhere): trigram indexes for transaction search and a covering
# index for month totals (why: banking/search_indexes.py, which the benchmarks use). The
# statements are frozen here: a migration must not depend on modules that may move.
from django.db import migrations

CREATE = [
    # pg_trgm is a "trusted" extension since PostgreSQL 13: the database owner may create it.
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS txn_user_date_totals ON banking_transaction (user_id, date) "
    "INCLUDE (amount, iso_currency_code, category_override, pfc_primary, pfc_detailed)",
    "CREATE INDEX IF NOT EXISTS txn_name_trgm ON banking_transaction "
    "USING gin (UPPER(name) gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS txn_merchant_trgm ON banking_transaction "
    "USING gin (UPPER(merchant_name) gin_trgm_ops)",
]
DROP = [
    "DROP INDEX IF EXISTS txn_user_date_totals",
    "DROP INDEX IF EXISTS txn_name_trgm",
    "DROP INDEX IF EXISTS txn_merchant_trgm",
]


def _run(schema_editor, statements):
    if schema_editor.connection.vendor != "postgresql":
        return
    for sql in statements:
        schema_editor.execute(sql)


def create(apps, schema_editor):
    _run(schema_editor, CREATE)


def drop(apps, schema_editor):
    _run(schema_editor, DROP)


class Migration(migrations.Migration):
    dependencies = [("banking", "0002_default_schedules")]

    operations = [migrations.RunPython(create, drop)]
