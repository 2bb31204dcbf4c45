"""Django admin for banking: registrations (register), bank connections (items), the staff
access log (audit), paging of big tables (paging), the Plaid usage page (usage), and
liabilities and investments (wealth)."""

from . import register, wealth  # noqa: F401  (register every banking model with the admin site)
