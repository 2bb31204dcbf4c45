"""System checks for Plaid and encryption configuration (ids banking.E0xx / W0xx)."""
