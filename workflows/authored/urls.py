"""The authored-SOP pages, mounted at the site root (before the viewflow Site).

Two parts write here, each in its own block: the editor (list, create, edit, detail, actions,
SOP document) and the workbook (import, export).
"""

from django.urls import path

from . import editor

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
    # --- end editor ---
]
