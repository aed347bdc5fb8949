"""SOP B's downloads, mounted at the site root (paths under berkas/)."""

from django.urls import path

from .downloads import EvidenceDownloadView, LakipView, UtilizationReportView

urlpatterns = [
    path("berkas/<int:process_pk>/laporan-pemanfaatan.pdf", UtilizationReportView.as_view(), name="utilization_report"),
    path("berkas/<int:process_pk>/lakip-bidang.pdf", LakipView.as_view(), name="lakip_pdf"),
    path(
        "berkas/<int:process_pk>/bukti/<int:evidence_pk>/", EvidenceDownloadView.as_view(), name="evidence_download"
    ),
]
