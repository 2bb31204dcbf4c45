from allauth.account.decorators import reauthentication_required
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from accounts.models import SecurityEvent
from accounts.security import security_event_record

from .export import ExportRefused, data_export_for_download, data_export_request, data_exports_list
from .importer import ImportRefused, data_import_request, data_imports_list


@login_required
@require_GET
def export_page(request):
    exports = data_exports_list(user=request.user)
    imports = data_imports_list(user=request.user)
    return render(
        request, "finance/portability/export.html", {"exports": exports, "imports": imports}
    )


@login_required
@require_POST
# All of someone's data in one file: a stolen session must prove itself again first.
@reauthentication_required
def export_start(request):
    try:
        data_export_request(user=request.user)
    except ExportRefused as exc:
        messages.error(request, str(exc))
        return redirect("/settings/export/")
    security_event_record(
        user=request.user, kind=SecurityEvent.Kind.DATA_EXPORTED, request=request, format="zip"
    )
    messages.success(request, "Your export is being prepared. We will email you the link too.")
    return redirect("/settings/export/")


@login_required
@require_GET
def export_download(request, public_id):
    row = data_export_for_download(
        user=request.user, public_id=public_id, token=request.GET.get("t", "")
    )
    if row is None:
        raise Http404("No such export, or its link has expired.")
    filename = f"ledgerline-export-{row.finished_at.date().isoformat()}.zip"
    return FileResponse(row.file.open("rb"), as_attachment=True, filename=filename)


@login_required
@require_POST
# Writing a whole account's data: the same proof as taking it out. allauth replays the form
# without its file after the password, so the page then asks for the file again.
@reauthentication_required
def import_start(request):
    try:
        data_import_request(user=request.user, upload=request.FILES.get("archive"))
    except ImportRefused as exc:
        messages.error(request, str(exc))
        return redirect("/settings/export/")
    security_event_record(
        user=request.user,
        kind=SecurityEvent.Kind.DATA_IMPORTED,
        request=request,
        format="zip",
        bytes=request.FILES["archive"].size,
    )
    messages.success(request, "Your file is being imported. Reload this page in a minute.")
    return redirect("/settings/export/")
