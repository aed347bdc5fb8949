"""The pages of the SOPs an organisation writes itself, and the files attached at their steps;
mounted at the site root by the catalogue's package loop (``sopflow/urls.py``).

Three blocks: the editor (list, create, edit, detail, actions, SOP document), the workbook
(import, export) and the interpreter's step files.
"""

from django.urls import path

from . import editor, workbook_views
from .downloads import AttachmentDownloadView

urlpatterns = [
    # --- editor (workflows/authored/editor.py) ---
    path("sop-organisasi/", editor.SopListView.as_view(), name="authored_list"),
    path("sop-organisasi/baru/", editor.SopCreateView.as_view(), name="authored_create"),
    path("sop-organisasi/<int:pk>/", editor.SopDetailView.as_view(), name="authored_detail"),
    path("sop-organisasi/<int:pk>/draf/", editor.SopEditView.as_view(), name="authored_edit"),
    path("sop-organisasi/<int:pk>/terbitkan/", editor.SopPublishView.as_view(), name="authored_publish"),
    path("sop-organisasi/<int:pk>/revisi/", editor.SopReviseView.as_view(), name="authored_revise"),
    path("sop-organisasi/<int:pk>/hentikan/", editor.SopRetireView.as_view(), name="authored_retire"),
    path(
        "sop-organisasi/<int:pk>/versi/<int:number>/dokumen-sop.pdf",
        editor.SopDocumentView.as_view(),
        name="authored_sop_document",
    ),
    # --- workbook import and export (workflows/authored/workbook_views.py) ---
    path("sop-organisasi/impor/", workbook_views.ImportView.as_view(), name="authored_import"),
    path("sop-organisasi/<int:pk>/ekspor.xlsx", workbook_views.AuthoredExportView.as_view(), name="authored_export"),
    path("sop-bawaan/<str:code>/ekspor.xlsx", workbook_views.BuiltinExportView.as_view(), name="builtin_export"),
    # --- interpreter: files attached at a step ---
    path(
        "berkas/<int:process_pk>/lampiran/<int:attachment_pk>/", AttachmentDownloadView.as_view(),
        name="authored_attachment",
    ),
]
