"""Admin for bank connections (PlaidItem): status at a glance and staff actions.

The actions call the same services the site uses (banking.sync, banking.health.check).
"""

import logging

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import format_html

from config.mail import site_mail_send

from .. import sync
from ..health import check as health_check
from ..models import PlaidItem
from .audit import StaffAccessLogging

logger = logging.getLogger(__name__)

# Statuses in which the owner has to open Link again (update mode) to keep the item working.
REAUTH_STATUSES = (
    PlaidItem.Status.LOGIN_REQUIRED,
    PlaidItem.Status.PENDING_EXPIRATION,
    PlaidItem.Status.PENDING_DISCONNECT,
)


def narrowing_filter(*, title: str, parameter: str, lookup: str, describe):
    """A filter that appears only when a link such as ?owner=<user id> narrowed the list
    (from a user's or an item's admin page): it names what the rows are narrowed to and offers
    to clear it, without listing every user or item in the sidebar."""

    class NarrowingFilter(admin.SimpleListFilter):
        parameter_name = parameter

        def lookups(self, request, model_admin):
            value = self.value()
            if not value or not value.isdigit():
                return []
            return [(value, describe(int(value)) or f"#{value}")]

        def queryset(self, request, queryset):
            value = self.value()
            if value and value.isdigit():
                return queryset.filter(**{lookup: value})
            return queryset

    NarrowingFilter.title = title
    return NarrowingFilter


def owner_filter(path: str):
    def describe(pk):
        return get_user_model().objects.filter(pk=pk).values_list("email", flat=True).first()

    return narrowing_filter(
        title="owner", parameter="owner", lookup=f"{path}__id", describe=describe
    )


def item_filter(path: str):
    def describe(pk):
        item = PlaidItem.objects.select_related("institution").filter(pk=pk).first()
        return str(item) if item else None

    return narrowing_filter(
        title="connection", parameter="item", lookup=f"{path}__id", describe=describe
    )


def item_send_reauth_reminder(*, item: PlaidItem) -> None:
    """Email the owner a link to reconnect the item (update mode). Sent on a staff member's
    request, so unlike the state-change notices it is not deduplicated."""
    context = {
        "item": item,
        "user": item.user,
        "bank": item.display_name,
        "reconnect_url": settings.SITE_URL + reverse("bank_reconnect", args=[item.public_id]),
        "site_url": settings.SITE_URL,
        "site_name": settings.SITE_NAME,
    }
    subject = render_to_string("banking/email/admin_reauth_reminder_subject.txt", context)
    body = render_to_string("banking/email/admin_reauth_reminder.txt", context)
    html = render_to_string("banking/email/admin_reauth_reminder.html", context)
    site_mail_send(subject=subject, body=body, html=html, recipient_list=[item.user.email])


class PlaidItemAdmin(StaffAccessLogging, admin.ModelAdmin):
    access_log_owner = "user"
    list_display = (
        "item_id",
        "owner",
        "institution",
        "kind",
        "status",
        "error_code",
        "last_successful_sync_at",
        "is_stale",
        "created_at",
    )
    list_select_related = ("user", "institution")
    list_filter = (owner_filter("user"), "kind", "status", "institution", "error_code", "is_stale")
    search_fields = ("item_id", "=user__email")
    raw_id_fields = ("user", "institution")
    actions = ("sync_now", "check_health", "send_reauth_reminder")
    # The access token is not here, nor anywhere in admin: see banking/admin.py.
    fieldsets = (
        (
            "Connection",
            {
                "fields": (
                    "item_id",
                    "public_id",
                    "user",
                    "kind",
                    "institution",
                    "manual_name",
                    "products",
                    "webhook_url",
                    "created_at",
                    "updated_at",
                )
            },
        ),
        (
            "Status",
            {
                "fields": (
                    "status",
                    "error_code",
                    "error_message",
                    "is_stale",
                    "consent_expiration_time",
                    "disconnect_time",
                    "new_accounts_available",
                    "notified_state",
                    "webhook_acknowledged_at",
                )
            },
        ),
        (
            "Sync",
            {
                "fields": (
                    "last_successful_sync_at",
                    "last_sync_attempt_at",
                    "last_refresh_requested_at",
                    "transactions_update_status",
                    "has_cursor",
                    "related_links",
                )
            },
        ),
    )

    def get_readonly_fields(self, request, obj=None):
        # Everything: the item's state is Plaid's and our sync's to change, not a form's.
        return [f for _, opts in self.fieldsets for f in opts["fields"]]

    def has_add_permission(self, request):
        return False  # Items are made by Plaid Link, never by hand.

    def has_delete_permission(self, request, obj=None):
        # Deleting the row would leave the item live (and billed) at Plaid: owners remove
        # connections on the site, which calls /item/remove first.
        return False

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "show_save": False,
            "show_save_and_continue": False,
            "show_save_and_add_another": False,
        }
        return super().change_view(request, object_id, form_url, extra_context)

    @admin.display(description="owner", ordering="user__email")
    def owner(self, obj):
        return obj.user.email

    @admin.display(description="sync cursor", boolean=True)
    def has_cursor(self, obj):
        return bool(obj.transactions_cursor)

    @admin.display(description="see also")
    def related_links(self, obj):
        links = [
            ("admin:banking_transaction_changelist", f"item={obj.pk}", "transactions"),
            ("admin:banking_syncrun_changelist", f"item__id__exact={obj.pk}", "sync runs"),
            ("admin:banking_webhookevent_changelist", f"item__id__exact={obj.pk}", "webhooks"),
            ("admin:banking_plaidapicall_changelist", f"item__id__exact={obj.pk}", "API calls"),
        ]
        return format_html(
            " · ".join(['<a href="{}?{}">{}</a>'] * len(links)),
            *[part for name, query, label in links for part in (reverse(name), query, label)],
        )

    @admin.action(description="Sync now", permissions=["change"])
    def sync_now(self, request, queryset):
        outcomes = {"queued": 0, "coalesced": 0, "ignored": 0}
        for item in queryset:
            outcome = sync.sync_request(item=item, trigger="manual")
            outcomes[outcome] = outcomes.get(outcome, 0) + 1
        self.message_user(request, f"Sync queued for {outcomes['queued']} connection(s).")
        if outcomes["coalesced"]:
            self.message_user(
                request, f"{outcomes['coalesced']} already syncing or queued: joined that sync."
            )
        if outcomes["ignored"]:
            self.message_user(
                request,
                f"{outcomes['ignored']} not synced: revoked, being removed or manual (imported).",
                messages.WARNING,
            )

    @admin.action(description="Check health (/item/get)", permissions=["change"])
    def check_health(self, request, queryset):
        for item in queryset.select_related("institution"):
            try:
                state = health_check.check_item_health(item=item)
            except Exception as exc:  # one failing bank must not hide the others' results
                logger.warning("admin health check failed for %s: %r", item.item_id, exc)
                self.message_user(request, f"{item}: check failed ({exc})", messages.ERROR)
                continue
            if state == "skipped":
                self.message_user(
                    request,
                    f"{item}: not checked (revoked, being removed, manual, or Plaid did not "
                    "answer; see its API calls).",
                    messages.WARNING,
                )
                continue
            item.refresh_from_db(fields=["status", "error_code", "is_stale"])
            stale = ", no recent sync" if item.is_stale else ""
            code = f" {item.error_code}" if item.error_code else ""
            self.message_user(request, f"{item}: {item.get_status_display()}{code}{stale}.")

    @admin.action(description="Email a re-auth reminder", permissions=["change"])
    def send_reauth_reminder(self, request, queryset):
        sent = skipped = 0
        for item in queryset.select_related("user", "institution"):
            if item.status not in REAUTH_STATUSES:
                skipped += 1
                continue
            item_send_reauth_reminder(item=item)
            sent += 1
        if sent:
            self.message_user(request, f"Sent {sent} reminder(s).")
        if skipped:
            self.message_user(
                request,
                f"Skipped {skipped} connection(s) that do not need the owner to sign in again.",
                messages.WARNING,
            )
