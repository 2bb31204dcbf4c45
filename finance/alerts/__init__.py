"""Alerts: what the site tells a user about (a budget filling up, a large transaction, a low
balance, a bank to sign in to again, the weekly digest), at most once per occurrence, in the
site's notification list and by email."""
