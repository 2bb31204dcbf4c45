"""Django admin for staff: every banking model, never a Plaid access token.

Access tokens: PlaidItem.access_token is `editable=False` (so no form ever holds it) and no
admin below names it in list_display, fields, readonly_fields or search_fields; the test in
tests/admin/test_no_token.py renders every admin page and looks for the token and its
ciphertext. Users' financial rows are read-only here; what staff look at is recorded
(banking.admin.audit).
"""

import json

from django.contrib import admin
from django.db.models import Count
from django.urls import reverse
from django.utils.html import format_html

from config.admin_readonly import ReadOnlyAdmin

from ..categories import CATEGORY_CHOICES
from ..models import (
    Account,
    Institution,
    LinkSession,
    PlaidApiCall,
    PlaidItem,
    StaffAccessLog,
    SyncPage,
    SyncRun,
    Transaction,
    WebhookEvent,
)
from . import items as admin_items
from .audit import StaffAccessLogAdmin, StaffAccessLogging
from .paging import EstimatedCountPaginator, with_range_dates
from .usage import ApiUsageView

admin.site.site_header = "Ledgerline admin"
admin.site.site_title = "Ledgerline admin"
admin.site.register(StaffAccessLog, StaffAccessLogAdmin)
admin.site.register(PlaidItem, admin_items.PlaidItemAdmin)


def redacted_json(body: str) -> str:
    """Pretty JSON with every *token* value hidden: a few webhooks (Hosted Link's
    SESSION_FINISHED) carry public tokens, which can be exchanged for an access token."""
    try:
        data = json.loads(body)
    except ValueError:
        return "(not JSON)"

    def scrub(value):
        if isinstance(value, dict):
            return {k: "[redacted]" if "token" in k.lower() else scrub(v) for k, v in value.items()}
        if isinstance(value, list):
            return [scrub(v) for v in value]
        return value

    return json.dumps(scrub(data), indent=2, sort_keys=True)


def owner_email(path):
    """A list column with the owner's email; the admin select_related()s along `path`."""

    @admin.display(description="owner", ordering=f"{path}__email")
    def column(obj):
        owner = obj
        for part in path.split("__"):
            owner = getattr(owner, part, None)
        return owner.email if owner else "—"

    return column


@admin.register(Institution)
class InstitutionAdmin(admin.ModelAdmin):
    list_display = ("name", "institution_id", "oauth", "connections", "updated_at")
    search_fields = ("name", "=institution_id")
    list_filter = ("oauth",)
    fields = ("institution_id", "name", "logo_preview", "primary_color", "url", "oauth")
    readonly_fields = ("institution_id", "logo_preview")

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(connection_count=Count("items"))

    @admin.display(description="connections", ordering="connection_count")
    def connections(self, obj):
        url = reverse("admin:banking_plaiditem_changelist") + f"?institution__id__exact={obj.pk}"
        return format_html('<a href="{}">{}</a>', url, obj.connection_count)

    @admin.display(description="logo")
    def logo_preview(self, obj):
        if not obj.logo:
            return "—"
        return format_html(
            '<img src="data:image/png;base64,{}" alt="{} logo" width="48" height="48">',
            obj.logo,
            obj.name,
        )

    def has_add_permission(self, request):
        # Institutions come from Plaid (/institutions/get_by_id) when an item is linked.
        return False


class AccountInline(admin.TabularInline):
    model = Account
    fields = ("name", "mask", "type", "subtype", "current_balance", "iso_currency_code", "hidden")
    readonly_fields = fields
    extra = 0
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


admin_items.PlaidItemAdmin.inlines = [AccountInline]


@admin.register(Account)
class AccountAdmin(StaffAccessLogging, ReadOnlyAdmin):
    access_log_owner = "item__user"
    list_display = (
        "name",
        "mask",
        "type",
        "subtype",
        owner_email("item__user"),
        "institution",
        "current_balance",
        "available_balance",
        "iso_currency_code",
        "hidden",
        "revoked",
        "balances_updated_at",
    )
    list_select_related = ("item__user", "item__institution")
    list_filter = (admin_items.owner_filter("item__user"), "type", "hidden", "revoked")
    search_fields = ("name", "=account_id", "=item__user__email", "=item__item_id")
    raw_id_fields = ("item",)
    readonly_fields = ("public_id", "created_at", "updated_at", "transactions_link")

    @admin.display(description="bank", ordering="item__institution__name")
    def institution(self, obj):
        return obj.item.display_name

    @admin.display(description="transactions")
    def transactions_link(self, obj):
        url = reverse("admin:banking_transaction_changelist") + f"?account__id__exact={obj.pk}"
        return format_html('<a href="{}">Transactions in this account</a>', url)


class CategoryFilter(admin.SimpleListFilter):
    """Plaid's fixed list of primary categories: no DISTINCT scan of a huge table to build it."""

    title = "category"
    parameter_name = "pfc_primary"

    def lookups(self, request, model_admin):
        return CATEGORY_CHOICES

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(pfc_primary=self.value())
        return queryset


@admin.register(Transaction)
class TransactionAdmin(StaffAccessLogging, ReadOnlyAdmin):
    access_log_owner = "user"
    list_display = (
        "date",
        "name",
        "merchant_name",
        "amount",
        "iso_currency_code",
        "category",
        "pending",
        owner_email("user"),
        "account",
    )
    list_select_related = ("user", "account")
    list_filter = (
        admin_items.owner_filter("user"),
        admin_items.item_filter("account__item"),
        "pending",
        CategoryFilter,
    )
    date_hierarchy = "date"
    search_fields = ("name", "merchant_name", "=transaction_id", "=user__email")
    raw_id_fields = ("user", "account")
    readonly_fields = ("public_id", "created_at", "updated_at")
    # Sorting by a column with no index would sort the whole table for one page.
    sortable_by = ("date", "amount")
    list_per_page = 100
    paginator = EstimatedCountPaginator
    show_full_result_count = False

    def get_queryset(self, request):
        return with_range_dates(super().get_queryset(request))

    @admin.display(description="category")
    def category(self, obj):
        return obj.category


@admin.register(SyncRun)
class SyncRunAdmin(ReadOnlyAdmin):
    list_display = (
        "started_at",
        "item",
        owner_email("item__user"),
        "trigger",
        "outcome",
        "added",
        "modified",
        "removed",
        "pages",
        "duration",
        "error_code",
    )
    list_select_related = ("item__user", "item__institution")
    list_filter = ("outcome", "trigger", "error_code")
    date_hierarchy = "started_at"
    search_fields = ("=item__item_id", "=item__user__email")
    raw_id_fields = ("item",)
    paginator = EstimatedCountPaginator
    show_full_result_count = False

    @admin.display(description="duration")
    def duration(self, obj):
        if not obj.finished_at:
            return "—"
        return f"{(obj.finished_at - obj.started_at).total_seconds():.1f} s"


@admin.register(WebhookEvent)
class WebhookEventAdmin(ReadOnlyAdmin):
    list_display = (
        "received_at",
        "webhook_type",
        "webhook_code",
        "plaid_item_id",
        "item",
        "outcome",
        "flagged",
        "processed_at",
    )
    list_select_related = ("item__institution",)
    list_filter = ("outcome", "flagged", "webhook_type", "webhook_code", "environment")
    date_hierarchy = "received_at"
    search_fields = ("=plaid_item_id", "=webhook_code")
    raw_id_fields = ("item",)
    paginator = EstimatedCountPaginator
    show_full_result_count = False
    fields = (
        "received_at",
        "signed_at",
        "claimed_at",
        "processed_at",
        "attempts",
        "outcome",
        "flagged",
        "error",
        "webhook_type",
        "webhook_code",
        "plaid_item_id",
        "item",
        "environment",
        "pretty_body",
        "body_sha256",
    )
    readonly_fields = fields

    @admin.display(description="body")
    def pretty_body(self, obj):
        return format_html("<pre>{}</pre>", redacted_json(obj.body))


@admin.register(PlaidApiCall)
class PlaidApiCallAdmin(ApiUsageView, ReadOnlyAdmin):
    list_display = (
        "created_at",
        "endpoint",
        "status_code",
        "error_code",
        "duration_ms",
        "plaid_item_id",
        "request_id",
    )
    list_filter = ("endpoint", "error_code", "status_code")
    date_hierarchy = "created_at"
    search_fields = ("=request_id", "=plaid_item_id", "=endpoint")
    raw_id_fields = ("item",)
    paginator = EstimatedCountPaginator
    show_full_result_count = False
    change_list_template = "admin/banking/plaidapicall/change_list.html"


@admin.register(LinkSession)
class LinkSessionAdmin(ReadOnlyAdmin):
    # The link token itself is left out: it opens Link as that user until it expires.
    list_display = ("created_at", "user", "purpose", "item", "expires_at", "completed_at")
    list_select_related = ("user", "item__institution")
    list_filter = ("purpose",)
    search_fields = ("=user__email",)
    fields = ("created_at", "user", "purpose", "item", "expires_at", "completed_at")
    readonly_fields = fields


@admin.register(SyncPage)
class SyncPageAdmin(ReadOnlyAdmin):
    # Staging rows of a running sync. The payload is a user's transactions, so only its size is
    # shown; a page left behind by a dead worker is cleaned up by cleanup_stuck_syncs.
    list_display = ("run", "seq", "payload_size", "created_at")
    list_select_related = ("run",)
    fields = ("run", "seq", "payload_size", "created_at")
    readonly_fields = fields
    raw_id_fields = ("run",)

    @admin.display(description="payload")
    def payload_size(self, obj):
        return f"{len(obj.payload):,} characters"
