"""Recording staff views of users' financial data in admin (who looked, at whose, when).

A ModelAdmin that shows users' items, accounts or transactions mixes in StaffAccessLogging and
names the path from a row to its owner. Only successful GETs are recorded: a POST (an action)
ends in a redirect to a page that is itself a GET and recorded there.
"""

from django.http import HttpRequest

from config.admin_readonly import ReadOnlyAdmin

from ..models import StaffAccessLog


def _owner_of(obj, path: str):
    for part in path.split("__") if path else ():
        obj = getattr(obj, part, None)
        if obj is None:
            return None
    return obj


def staff_access_record(
    *,
    request: HttpRequest,
    model,
    action: str,
    owners_rows: dict,
    what: str,
    object_id: str = "",
) -> list[StaffAccessLog]:
    """Write one log row per owner whose data was on the page (one bulk INSERT)."""
    staff = request.user
    label = f"{model._meta.app_label}.{model._meta.model_name}"
    common = {
        "staff": staff,
        "staff_email": getattr(staff, "email", ""),
        "action": action,
        "model": label,
        "object_id": str(object_id)[:64],
        "what": what[:200],
        "path": request.get_full_path()[:500],
    }
    rows = [
        StaffAccessLog(
            subject=owner, subject_email=owner.email if owner else "", rows=count, **common
        )
        for owner, count in owners_rows.items()
    ] or [StaffAccessLog(subject=None, rows=0, **common)]
    return StaffAccessLog.objects.bulk_create(rows)


class StaffAccessLogging:
    """Mixin for a ModelAdmin whose rows belong to a user.

    `access_log_owner` is the attribute path from a row to its owning user ("" = the row is the
    user); the admin must select_related along it so that finding owners costs no query.
    """

    access_log_owner = "user"
    access_log_lists = True  # False: record opened records only, not list pages

    def _record_access(self, request, response, action, rows, object_id=""):
        if request.method != "GET" or getattr(response, "status_code", None) != 200:
            return
        owners: dict = {}
        for row in rows:
            owner = _owner_of(row, self.access_log_owner)
            if owner is not None:
                owners[owner] = owners.get(owner, 0) + 1
        noun = (
            self.model._meta.verbose_name_plural
            if action == "list"
            else (self.model._meta.verbose_name)
        )
        what = f"{'Listed' if action == 'list' else 'Opened'} {noun}"
        if object_id:
            what += f" #{object_id}"
        staff_access_record(
            request=request,
            model=self.model,
            action=action,
            owners_rows=owners,
            what=what,
            object_id=object_id,
        )

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        context = getattr(response, "context_data", None) or {}
        cl = context.get("cl")
        if cl is not None and self.access_log_lists:
            self._record_access(request, response, "list", cl.result_list)
        return response

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        context = getattr(response, "context_data", None) or {}
        original = context.get("original")
        if original is not None:
            self._record_access(request, response, "detail", [original], object_id=object_id)
        return response


class StaffAccessLogAdmin(ReadOnlyAdmin):
    """Superusers only, and read-only: the log is evidence, so nobody edits or deletes it."""

    list_display = ("created_at", "staff_email", "subject_email", "action", "what", "rows")
    list_filter = ("action", "model")
    search_fields = ("=staff_email", "=subject_email", "subject_email")
    date_hierarchy = "created_at"
    list_select_related = False
    show_full_result_count = False
    readonly_fields = [
        "created_at",
        "staff_email",
        "staff",
        "subject_email",
        "subject",
        "action",
        "model",
        "object_id",
        "rows",
        "what",
        "path",
    ]
    fields = readonly_fields

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser
