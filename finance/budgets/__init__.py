"""Monthly budgets: plans per category (or for all spending), read against the same totals as
the dashboard (finance.totals), per currency, in the user's own months."""
