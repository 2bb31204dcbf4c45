"""The admin base for rows nobody edits by hand: audit trails, and what Plaid or our own
machinery wrote. Staff may look (as their view permission allows); add, change and delete are
refused for everyone, superusers included."""

from django.contrib import admin


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
