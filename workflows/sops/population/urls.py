"""SOP A's downloads and status pages, mounted at the site root (paths under berkas/)."""

from django.urls import path, re_path

from .open_data_views import OpenDataFileView, OpenDataIndexView
from .downloads import BackupDownloadView, DkbDownloadView, DraftReportView
from .views import FinalReportStatusView, RunStatusView, TablesDownloadView

urlpatterns = [
    # Public open aggregate data (Satu Data): stable per organisation and semester, no login.
    path("berkas/data-terbuka/", OpenDataIndexView.as_view(), name="open_data_index"),
    re_path(
        r"^berkas/data-terbuka/(?P<organisation_pk>\d+)/(?P<year>\d{4})/semester-(?P<semester>[12])\.(?P<fmt>csv|json)$",
        OpenDataFileView.as_view(),
        name="open_data_file",
    ),
    path("berkas/<int:process_pk>/dkb/<int:upload_pk>/", DkbDownloadView.as_view(), name="dkb_download"),
    path("berkas/<int:process_pk>/olah/<int:job_pk>/status/", RunStatusView.as_view(), name="run_status"),
    path(
        "berkas/<int:process_pk>/laporan-final/<int:job_pk>/status/",
        FinalReportStatusView.as_view(),
        name="final_report_status",
    ),
    re_path(
        r"^berkas/(?P<process_pk>\d+)/tabel/(?P<run_pk>\d+)\.(?P<fmt>xlsx|csv)$",
        TablesDownloadView.as_view(),
        name="tables_download",
    ),
    path("berkas/<int:process_pk>/laporan/draf/<int:run_pk>.pdf", DraftReportView.as_view(), name="draft_report"),
    path("berkas/<int:process_pk>/backup/<int:backup_pk>.7z", BackupDownloadView.as_view(), name="backup_download"),
]
