"""PostgreSQL-only indexes for the finance pages. Migration 0003 holds a frozen copy of these
statements; the page benchmark (bench/pages_bench.py) creates them from here.

On SQLite (and anything else) both functions do nothing: search there is a plain scan, correct
but not as fast.

- A covering index (user, date) INCLUDE (the columns the dashboard and insights add up): their
  month totals become index-only scans instead of visiting every row of the month.
- Trigram GIN indexes on UPPER(name) and UPPER(merchant_name): Django's `icontains` on
  PostgreSQL is `UPPER(col::text) LIKE UPPER('%term%')`, which no B-tree can serve; a trigram
  index matching that exact expression can, so a search for a rare word does not scan every
  transaction the user has.
"""

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
