"""Recurring payments: streams of subscriptions, bills and income, from Plaid or our detector."""
