"""Admin for users (email is the login; there is no username) and their MFA authenticators."""

from allauth.mfa.models import Authenticator
from allauth.usersessions.models import UserSession
from django import forms
from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin as DjangoGroupAdmin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils.html import format_html

from banking.admin.audit import StaffAccessLogging
from banking.models import PlaidItem
from config.admin_readonly import ReadOnlyAdmin

from .models import SecurityEvent, User


class UserCreateForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email",)
        field_classes = {"email": forms.EmailField}

    def clean_email(self):
        email = User.objects.normalize_email(self.cleaned_data["email"]).lower()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError("A user with that email address already exists.")
        return email


class UserEditForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"
        field_classes = {"email": forms.EmailField}

    def clean_email(self):
        email = User.objects.normalize_email(self.cleaned_data["email"]).lower()
        if User.objects.filter(email__iexact=email).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError("A user with that email address already exists.")
        return email


class PlaidItemInline(admin.TabularInline):
    # No access token here either: only the columns named below are rendered.
    model = PlaidItem
    fields = (
        "institution",
        "item_id",
        "status",
        "error_code",
        "last_successful_sync_at",
        "is_stale",
    )
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True
    verbose_name = "bank connection"
    verbose_name_plural = "bank connections"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("institution")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(User)
class UserAdmin(StaffAccessLogging, DjangoUserAdmin):
    # Opening a user's page shows their bank connections, so it is recorded; the list of
    # users shows no financial data and is not.
    access_log_owner = ""
    access_log_lists = False
    form = UserEditForm
    add_form = UserCreateForm
    list_display = (
        "email",
        "name",
        "is_staff",
        "is_superuser",
        "is_active",
        "date_joined",
        "last_login",
    )
    list_filter = ("is_staff", "is_superuser", "is_active", "groups")
    search_fields = ("email", "name")
    ordering = ("email",)
    readonly_fields = ("public_id", "last_login", "date_joined", "financial_data")
    inlines = [PlaidItemInline]
    fieldsets = (
        (None, {"fields": ("email", "password", "name", "public_id")}),
        ("Their data", {"fields": ("financial_data",)}),
        (
            "Permissions",
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        ("Important dates", {"fields": ("last_login", "date_joined")}),
    )
    # What staff who are not superusers see: no password (its link leads to the set-password
    # page), and rights shown but never editable, so nobody edits themselves into more.
    staff_fieldsets = (
        (None, {"fields": ("email", "name", "public_id")}),
        ("Their data", {"fields": ("financial_data",)}),
        ("Permissions", {"fields": ("is_active", "is_staff", "is_superuser")}),
        ("Important dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("email", "usable_password", "password1", "password2"),
            },
        ),
    )

    def get_fieldsets(self, request, obj=None):
        if obj is not None and not request.user.is_superuser:
            return self.staff_fieldsets
        return super().get_fieldsets(request, obj)

    def get_readonly_fields(self, request, obj=None):
        if request.user.is_superuser:
            return self.readonly_fields
        return (*self.readonly_fields, "is_staff", "is_superuser")

    def has_add_permission(self, request):
        # A new account gets a password set by whoever creates it.
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        # Staff accounts (their own included) are superuser business: changing a staff email
        # and then resetting its password would take that account over.
        if obj is not None and obj.is_staff and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.is_staff and not request.user.is_superuser:
            return False
        return super().has_delete_permission(request, obj)

    def user_change_password(self, request, id, form_url=""):
        if not request.user.is_superuser:
            raise PermissionDenied
        return super().user_change_password(request, id, form_url)

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else []  # a new user has no connections yet

    @admin.display(description="financial data")
    def financial_data(self, obj):
        if not obj.pk:
            return "—"
        links = [
            ("admin:banking_plaiditem_changelist", "bank connections"),
            ("admin:banking_account_changelist", "accounts"),
            ("admin:banking_transaction_changelist", "transactions"),
        ]
        parts = [part for name, label in links for part in (reverse(name), obj.pk, label)]
        return format_html(
            " · ".join(['<a href="{}?owner={}">{}</a>'] * len(links))
            + "<br>Opening these is recorded in the staff access log.",
            *parts,
        )


# allauth's admin for sessions shows and edits the session key, which signs in as that user.
# Users see and end their own sessions on their security page.
if admin.site.is_registered(UserSession):
    admin.site.unregister(UserSession)


@admin.register(SecurityEvent)
class SecurityEventAdmin(ReadOnlyAdmin):
    """Read-only: an audit trail that staff could edit would prove nothing."""

    list_display = ("created_at", "user", "kind", "ip")
    list_filter = ("kind",)
    list_select_related = ("user",)
    search_fields = ("=user__email",)
    fields = ("user", "kind", "created_at", "ip", "user_agent", "details")
    readonly_fields = fields


# A group's permissions become its members' permissions: only superusers grant rights.
if admin.site.is_registered(Group):
    admin.site.unregister(Group)


@admin.register(Group)
class GroupAdmin(DjangoGroupAdmin):
    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


# allauth's own Authenticator admin renders `data` (the TOTP secret and recovery-code seed) in
# an editable form. Staff see which kind of authenticator a user has and when it was used; to
# reset a user's MFA they delete it.
if admin.site.is_registered(Authenticator):
    admin.site.unregister(Authenticator)


@admin.register(Authenticator)
class AuthenticatorAdmin(admin.ModelAdmin):
    list_display = ("user", "type", "created_at", "last_used_at")
    list_filter = ("type",)
    list_select_related = ("user",)
    search_fields = ("=user__email",)
    fields = ("user", "type", "created_at", "last_used_at")
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        # Resetting a staff member's MFA would let a thief with their password enrol anew.
        if obj is not None and obj.user.is_staff and not request.user.is_superuser:
            return False
        return super().has_delete_permission(request, obj)
