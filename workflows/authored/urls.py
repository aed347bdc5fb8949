"""Pages of the organisation's own SOPs, mounted at the site root."""

from django.urls import path

from .downloads import AttachmentDownloadView

urlpatterns = [
    # -- interpreter: step files -------------------------------------------------------------
    path(
        "berkas/<int:process_pk>/lampiran/<int:attachment_pk>/", AttachmentDownloadView.as_view(),
        name="authored_attachment",
    ),
]
