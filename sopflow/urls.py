from django.conf import settings
from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.i18n import JavaScriptCatalog
from viewflow.contrib.auth import AuthViewset
from viewflow.urls import Site

from workflows import language
from workflows.authored.editor import authored_applications
from workflows.catalogue import PACKAGES
from workflows.views import documents, evaluation, sop_pages
from workflows.views.assignment import assignment_applications
from workflows.views.dashboard import sla_applications
from workflows.views.process import SopFlowAppViewset
from workflows.views.monitoring import MonitoringPdfView, MonitoringView, MonitoringXlsxView


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
        *(SopFlowAppViewset(sop.flow_class, icon=sop.icon) for sop in PACKAGES),
        *sla_applications(),
        *assignment_applications(),
        *authored_applications(),
    ],
)

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include("workflows.api.urls")),
    path("accounts/", SopFlowAuthViewset(with_profile_view=False).urls),
    # The login page loads the catalogue too, so it must not require a login.
    # The user menu's language switch (Django's set_language, and the officer's choice kept).
    path("bahasa/", language.switch_language, name="set_language"),
    path("jsi18n/", login_not_required(JavaScriptCatalog.as_view()), name="javascript-catalog"),
    path(
        "berkas/<int:process_pk>/dokumen/<int:document_pk>.pdf",
        documents.SignedDocumentView.as_view(),
        name="signed_document",
    ),
    path("berkas/<int:process_pk>/lembar-kendali.pdf", documents.ControlSheetView.as_view(), name="control_sheet_pdf"),
    path("berkas/<int:process_pk>/dokumen-sop.pdf", documents.SopDocumentView.as_view(), name="sop_document_pdf"),
    # The page and the document of each built-in SOP (an organisation's own SOPs: workflows/authored/urls.py).
    path("sop-bawaan/<str:code>/", sop_pages.BuiltinSopView.as_view(), name="builtin_sop"),
    path("sop-bawaan/<str:code>/dokumen-sop.pdf", sop_pages.BuiltinSopDocumentView.as_view(), name="builtin_sop_document"),
    # Evaluating any SOP (built-in or the organisation's own) from its monitoring figures.
    path("sop-evaluasi/<str:code>/baru/", evaluation.EvaluationCreateView.as_view(), name="sop_evaluation_new"),
    path("sop-evaluasi/<int:pk>/", evaluation.EvaluationView.as_view(), name="sop_evaluation"),
    path("sop-evaluasi/<int:pk>/draf/", evaluation.EvaluationDraftView.as_view(), name="sop_evaluation_draft"),
    path("sop-evaluasi/<int:pk>/terapkan/", evaluation.EvaluationApplyView.as_view(), name="sop_evaluation_apply"),
    path("verifikasi/<uuid:token>/", documents.VerificationView.as_view(), name="verify_document"),
    # Formulir Monitoring Pelaksanaan SOP of a SOP (built-in code or authored key u<id>), per period.
    path("sop-monitoring/<str:code>/", MonitoringView.as_view(), name="sop_monitoring"),
    path("sop-monitoring/<str:code>/<str:periode>.pdf", MonitoringPdfView.as_view(), name="sop_monitoring_pdf"),
    path("sop-monitoring/<str:code>/<str:periode>.xlsx", MonitoringXlsxView.as_view(),
         name="sop_monitoring_xlsx"),
    # Each package's own pages and downloads (berkas/...), from its urls module.
    *(pattern for sop in PACKAGES if (module := sop.module("urls")) for pattern in module.urlpatterns),
    path("", site.urls),
]
