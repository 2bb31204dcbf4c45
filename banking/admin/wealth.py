"""Read-only admin pages for liabilities, securities, holdings and investment transactions.
Rows reach their owner through the account's item; opening them is recorded (audit)."""

from django.contrib import admin

from ..models import Holding, InvestmentTransaction, Liability, Security
from . import items as admin_items
from .audit import StaffAccessLogging
from .register import ReadOnlyAdmin, owner_email

OWNER = "account__item__user"


@admin.register(Liability)
class LiabilityAdmin(StaffAccessLogging, ReadOnlyAdmin):
    access_log_owner = OWNER
    list_display = (
        "account",
        "kind",
        "interest_rate",
        "last_statement_balance",
        "minimum_payment",
        "next_payment_due_date",
        "is_overdue",
        owner_email(OWNER),
    )
    list_select_related = ("account", "account__item__user")
    list_filter = (admin_items.owner_filter(OWNER), "kind", "is_overdue")
    raw_id_fields = ("account",)


@admin.register(Security)
class SecurityAdmin(ReadOnlyAdmin):
    list_display = ("name", "ticker", "type", "close_price", "close_price_as_of")
    list_filter = ("type",)
    search_fields = ("name", "=ticker", "=security_id")


@admin.register(Holding)
class HoldingAdmin(StaffAccessLogging, ReadOnlyAdmin):
    access_log_owner = OWNER
    list_display = (
        "security",
        "quantity",
        "price",
        "value",
        "cost_basis",
        "account",
        owner_email(OWNER),
    )
    list_select_related = ("security", "account", "account__item__user")
    list_filter = (admin_items.owner_filter(OWNER),)
    raw_id_fields = ("account", "security")


@admin.register(InvestmentTransaction)
class InvestmentTransactionAdmin(StaffAccessLogging, ReadOnlyAdmin):
    access_log_owner = OWNER
    list_display = ("date", "name", "type", "subtype", "quantity", "amount", owner_email(OWNER))
    list_select_related = ("account", "account__item__user")
    list_filter = (admin_items.owner_filter(OWNER), "type")
    date_hierarchy = "date"
    raw_id_fields = ("account", "security")
    sortable_by = ("date", "amount")
