"""Net worth over time: daily balance snapshots, their backfill at link, manual assets and
liabilities, the /net-worth/ page and the dashboard's sparkline."""
