"""SOP A's downloads: the raw DKB extract, the draft report of a run and the encrypted backup.

Authorised by the scope middleware (organisation), checked for role where the content holds
personal data, and written to the audit trail.
"""

from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.views import View

from workflows.models import AuditEvent, SopProcess
from workflows.roles import Role
from workflows.views.documents import pdf_response, require_roles, stream_file

from .models import AggregationRun, BackupRecord, DkbUpload
from .report import previous_semester_result, render_population_report

# Who may download what: raw DKB extracts hold personal data, so only SOP A's officers.
DKB_READERS = {Role.KADIS, Role.KABID, Role.KASI, Role.TIM, Role.ADB}


class DkbDownloadView(View):
    """The raw extract, to the SOP A officers of the process's organisation, audited."""

    def get(self, request, process_pk, upload_pk):
        upload = get_object_or_404(DkbUpload, pk=upload_pk, process_id=process_pk, purged_at__isnull=True)
        officer = getattr(request.user, "officer", None)
        if officer is None or not (officer.role_codes & DKB_READERS):
            raise Http404
        return stream_file(request, upload.process, upload.file, upload.original_name, _("ekstrak DKB %(sha)s") % {"sha": upload.sha256[:16]})


class DraftReportView(View):
    """The population report of a finished aggregation run, watermarked DRAF (step 3 on)."""

    def get(self, request, process_pk, run_pk):
        run = get_object_or_404(AggregationRun, pk=run_pk, upload__process_id=process_pk, status=AggregationRun.DONE)
        process = SopProcess.objects.select_related("organisation").get(pk=process_pk)
        pdf = render_population_report(process, run.result, final=False, previous=previous_semester_result(process))
        name = f"draf-laporan-data-kependudukan-{process.year}-s{process.period_number}.pdf"
        return pdf_response(request, process, pdf, name, _("draf laporan (PDF)"))


class BackupDownloadView(View):
    """The encrypted archive, to SOP A officers only; it cannot be opened without its password."""

    def get(self, request, process_pk, backup_pk):
        require_roles(request, DKB_READERS)
        backup = get_object_or_404(BackupRecord, pk=backup_pk, process_id=process_pk)
        try:
            handle = open(backup.location, "rb")
        except FileNotFoundError:
            raise Http404
        AuditEvent.record(AuditEvent.Action.DOWNLOAD, request.user, backup.process, detail=_("arsip back-up terenkripsi"))
        name = backup.location.rsplit("/", 1)[-1]
        return FileResponse(handle, as_attachment=True, filename=name, content_type="application/x-7z-compressed")
