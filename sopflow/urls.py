from django.conf import settings
from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import path, re_path
from django.utils.translation import gettext_lazy as _
from django.views.i18n import JavaScriptCatalog
from viewflow.contrib.auth import AuthViewset
from viewflow.urls import Site

from workflows.flows import PopulationFlow, UtilizationFlow
from workflows.views.dashboard import sla_applications
from workflows.views import documents
from workflows.views.population import FinalReportStatusView, RunStatusView, TablesDownloadView
from workflows.views.process import DkbDownloadView, EvidenceDownloadView, SopFlowAppViewset


class SopFlowAuthViewset(AuthViewset):
    """viewflow's login/logout/password pages; password reset only where real mail is set up.

    A reset link sent to the console or a file would let anyone who reads the server's log take
    the account over (settings.SOPFLOW_PASSWORD_RESET). Without the URL, the login page shows
    no reset link either.
    """

    @property
    def pass_reset_path(self):
        return super().pass_reset_path if settings.SOPFLOW_PASSWORD_RESET else None

    @property
    def pass_reset_done_path(self):
        return super().pass_reset_done_path if settings.SOPFLOW_PASSWORD_RESET else None

    @property
    def pass_reset_confirm_path(self):
        return super().pass_reset_confirm_path if settings.SOPFLOW_PASSWORD_RESET else None

    @property
    def pass_reset_complete_path(self):
        return super().pass_reset_complete_path if settings.SOPFLOW_PASSWORD_RESET else None


site = Site(
    title=_("SOPFlow"),
    viewsets=[
        SopFlowAppViewset(PopulationFlow, icon="groups"),
        SopFlowAppViewset(UtilizationFlow, icon="insights"),
        *sla_applications(),
    ],
)

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", SopFlowAuthViewset(with_profile_view=False).urls),
    # The login page loads the catalogue too, so it must not require a login.
    path("jsi18n/", login_not_required(JavaScriptCatalog.as_view()), name="javascript-catalog"),
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
    path("berkas/<int:process_pk>/laporan/draf/<int:run_pk>.pdf", documents.DraftReportView.as_view(), name="draft_report"),
    path(
        "berkas/<int:process_pk>/dokumen/<int:document_pk>.pdf",
        documents.SignedDocumentView.as_view(),
        name="signed_document",
    ),
    path("berkas/<int:process_pk>/lembar-kendali.pdf", documents.ControlSheetView.as_view(), name="control_sheet_pdf"),
    path(
        "berkas/<int:process_pk>/laporan-pemanfaatan.pdf",
        documents.UtilizationReportView.as_view(),
        name="utilization_report",
    ),
    path("berkas/<int:process_pk>/lakip-bidang.pdf", documents.LakipView.as_view(), name="lakip_pdf"),
    path("berkas/<int:process_pk>/backup/<int:backup_pk>.7z", documents.BackupDownloadView.as_view(), name="backup_download"),
    path("verifikasi/<uuid:token>/", documents.VerificationView.as_view(), name="verify_document"),
    path(
        "berkas/<int:process_pk>/bukti/<int:evidence_pk>/", EvidenceDownloadView.as_view(), name="evidence_download"
    ),
    path("", site.urls),
]
