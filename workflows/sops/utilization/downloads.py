"""SOP B's downloads: the utilization report, the LAKIP material and the evidence files.

Authorised by the scope middleware (organisation) and written to the audit trail.
"""

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.views import View

from workflows.models import SopProcess
from workflows.views.documents import pdf_response, stream_file

from .definition import SOP_B
from .models import Evidence, utilization_figures
from .report import render_lakip, render_utilization_report
from .views import previous_period_figures


class UtilizationReportView(View):
    """SOP B: the Laporan Pemanfaatan Data Kependudukan oleh OPD (from step 5 on)."""

    def get(self, request, process_pk):
        # A process of another SOP has no utilization report: 404, not a 500.
        process = get_object_or_404(SopProcess.objects.select_related("organisation"), pk=process_pk, sop=SOP_B.code)
        count = process.utilization_counts.order_by("-created").first()
        figures = count.figures if count else utilization_figures(process)
        previous = previous_period_figures(process)
        evaluation = process.evaluations.order_by("-created").first()
        pdf = render_utilization_report(process, figures, previous["figures"] if previous else None,
                                        evaluation.analysis if evaluation else "")
        return pdf_response(request, process, pdf, f"laporan-pemanfaatan-{process.pk}.pdf", _("laporan pemanfaatan (PDF)"))


class LakipView(View):
    def get(self, request, process_pk):
        process = get_object_or_404(SopProcess.objects.select_related("organisation"), pk=process_pk, sop=SOP_B.code)
        lakip = process.lakip_materials.order_by("-created").first()
        if lakip is None:
            raise Http404
        pdf = render_lakip(process, lakip)
        return pdf_response(request, process, pdf, f"lakip-bidang-{process.pk}.pdf", _("bahan LAKIP Bidang (PDF)"))


class EvidenceDownloadView(View):
    def get(self, request, process_pk, evidence_pk):
        evidence = get_object_or_404(Evidence.objects.select_related("entry"), pk=evidence_pk, entry__process_id=process_pk)
        return stream_file(
            request, evidence.entry.process, evidence.file, evidence.original_name,
            _("data dukung %(name)s") % {"name": evidence.original_name},
        )
