"""Django admin for banking: registrations (register), bank connections (items), the staff
access log (audit), paging of big tables (paging) and the Plaid usage page (usage)."""

from . import register  # noqa: F401  (registers every banking model with the admin site)
