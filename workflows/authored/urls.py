"""The pages of the SOPs an organisation writes itself (URL names in the shared contract), and
the files attached at their steps; mounted at the site root by the catalogue's package loop."""

from django.urls import path

from . import workbook_views
from .downloads import AttachmentDownloadView

urlpatterns = [
    # --- interpreter: files attached at a step ---
    path(
        "berkas/<int:process_pk>/lampiran/<int:attachment_pk>/", AttachmentDownloadView.as_view(),
        name="authored_attachment",
    ),
    # --- Workbook import and export (workflows/authored/workbook_views.py) ---
    path("sop-organisasi/impor/", workbook_views.ImportView.as_view(), name="authored_import"),
    path("sop-organisasi/<int:pk>/ekspor.xlsx", workbook_views.AuthoredExportView.as_view(), name="authored_export"),
    path("sop-bawaan/<str:code>/ekspor.xlsx", workbook_views.BuiltinExportView.as_view(), name="builtin_export"),
    # --- end of the workbook block ---
]

# --- Stand-in for "authored_detail" until the editor's pages land (drop this block on merge) ---
# The import page redirects there; this answers with the SOP's code and status only.
from django.http import HttpResponse  # noqa: E402
from django.utils.html import escape  # noqa: E402


def _detail_stand_in(request, pk):
    from django.shortcuts import get_object_or_404

    from .models import SopDefinition

    officer = workbook_views.officer_of(request)
    definition = get_object_or_404(SopDefinition, pk=pk, organisation=officer.organisation)
    version = definition.current_version()
    return HttpResponse(f"<p>{escape(definition.code)} {escape(str(version))}</p>")


if not any(getattr(pattern, "name", None) == "authored_detail" for pattern in urlpatterns):
    urlpatterns.append(path("sop-organisasi/<int:pk>/", _detail_stand_in, name="authored_detail"))
# --- end of the stand-in ---
