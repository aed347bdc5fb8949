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
from .report import LAKIP_TITLE, REPORT_TITLE
from .views import utilization_report


def latest_signed(process, prefix):
    return process.signed_documents.filter(title__startswith=f"{prefix}-").order_by("-signed_at", "-pk").first()


def signed_response(request, document):
    return stream_file(request, document.process, document.file, f"{document.title}.pdf", document.title)


class UtilizationReportView(View):
    """SOP B: the Laporan Pemanfaatan Data Kependudukan oleh OPD: the copy the Kasi signed at step
    5, or before that the draft (watermarked, unsigned) of the counts so far."""

    def get(self, request, process_pk):
        # A process of another SOP has no utilization report: 404, not a 500.
        process = get_object_or_404(SopProcess.objects.select_related("organisation"), pk=process_pk, sop=SOP_B.code)
        document = latest_signed(process, REPORT_TITLE)
        if document is not None:
            return signed_response(request, document)
        count = process.utilization_counts.order_by("-created").first()
        figures = count.figures if count else utilization_figures(process)
        evaluation = process.evaluations.order_by("-created").first()
        pdf, _placement = utilization_report(process, figures, evaluation.analysis if evaluation else "", final=False)
        return pdf_response(request, process, pdf, f"draf-laporan-pemanfaatan-{process.pk}.pdf",
                            _("draf laporan pemanfaatan (PDF)"))


class LakipView(View):
    """SOP B: the LAKIP Bidang material as the Kabid signed it at step 6 (the latest signing)."""

    def get(self, request, process_pk):
        process = get_object_or_404(SopProcess.objects.select_related("organisation"), pk=process_pk, sop=SOP_B.code)
        document = latest_signed(process, LAKIP_TITLE)
        if document is None:
            raise Http404
        return signed_response(request, document)


class EvidenceDownloadView(View):
    def get(self, request, process_pk, evidence_pk):
        evidence = get_object_or_404(Evidence.objects.select_related("entry"), pk=evidence_pk, entry__process_id=process_pk)
        return stream_file(
            request, evidence.entry.process, evidence.file, evidence.original_name,
            _("data dukung %(name)s") % {"name": evidence.original_name},
        )
