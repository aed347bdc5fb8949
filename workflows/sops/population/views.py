"""SOP A task pages (Pengolahan dan Penyajian Data Kependudukan)."""

import hashlib
import os
import secrets
import uuid
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.db.models import Prefetch
from django.http import HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from workflows.dkb.ingest import DkbFileError, check_file
from workflows.models import AuditEvent, PeriodType, Review, SigningIdentity
from workflows.models.acting import acting_for_task
from workflows.reports.signatory import head_signatory, missing_details
from workflows.signing import SignatureError, signed_reason
from workflows.storage import private_storage
from workflows.views.base import ReviewStepView, StartView, StepView, record_instruction
from workflows.views.signing import keep_signed_document, stage_signed_pdf

from . import forms
from .aggregation import enqueue, export_csv, export_xlsx, province_summary
from .backup import BackupError, backup_name, create_backup, semester_members
from .definition import SOP_A
from .models import (
    AggregationRun,
    BackupRecord,
    Distribution,
    DkbUpload,
    DraftSubmission,
    FinalReport,
    Publication,
    TeamDecree,
)
from .report import SIGNATURE_PLACEMENT, previous_semester_result, render_population_report, report_title


class StartPopulationView(StartView):
    form_class = forms.StartPopulationForm
    sop = SOP_A

    def fill_process(self, process, form):
        process.year = form.cleaned_data["year"]
        process.period_type = PeriodType.SEMESTER
        process.period_number = form.cleaned_data["semester"]


class ScheduledOrderView(StepView):
    """Step 1 when a schedule started the semester: the Kadis gives the order from the queue."""

    form_class = forms.OrderForm

    def perform(self, form):
        record_instruction(self.request.activation, self.request.user, form.cleaned_data["text"])


class FormTeamView(StepView):
    form_class = forms.FormTeamForm

    def extra_form_kwargs(self):
        return {"organisation": self.process.organisation}

    def perform(self, form):
        decree = TeamDecree.objects.create(
            process=self.process,
            task=self.task,
            number=form.cleaned_data["number"],
            date=form.cleaned_data["date"],
            author=self.request.user,
        )
        decree.members.set(form.cleaned_data["members"])


def stage_dkb_upload(upload, process, scope):
    """Copy the upload to a temporary private file (outside any transaction) and check it.

    Returns the staged upload's facts; raises DkbFileError when the file is not a usable extract.
    """
    name = upload.name.lower()
    suffix = ".parquet" if name.endswith(".parquet") else ".csv.gz" if name.endswith(".gz") else ".csv"
    directory = Path(private_storage().path(f"dkb/{process.pk}"))
    temporary = scope.temporary_path(directory, suffix)
    digest = hashlib.sha256()
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        for chunk in upload.chunks():
            digest.update(chunk)
            handle.write(chunk)
    info = check_file(str(temporary), province=process.organisation.province_code)
    return {"temporary": temporary, "sha256": digest.hexdigest(), "suffix": suffix, "info": info,
            "original_name": Path(upload.name).name[:255], "size": upload.size}


def latest_run(process):
    return (
        AggregationRun.objects.filter(upload__process=process)
        .select_related("upload")
        .order_by("-created", "-pk")
        .first()
    )


class ProcessDataView(StepView):
    """Step 3: upload the extract (checked at once, aggregated in the background), look at the
    tables and the quality report when they are ready, then hand the draft to the Kasi."""

    form_class = forms.SubmitDraftForm
    template_name = "workflows/population/process_data.html"
    max_upload_bytes = forms.DKB_UPLOAD_LIMIT  # enforced while the body streams in (workflows/uploads.py)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        run = latest_run(self.process)
        context["run"] = run
        context["upload_form"] = kwargs.get("upload_form") or forms.UploadForm(process=self.process)
        if run and run.status == AggregationRun.DONE:
            context["summary"] = province_summary(run.result)
        context["uploads"] = self.process.dkb_uploads.select_related("uploaded_by").prefetch_related(Prefetch("runs", queryset=AggregationRun.objects.defer("result")))
        return context

    def post(self, request, *args, **kwargs):
        if request.POST.get("action") == "upload":
            return self.upload()
        form = self.get_form()
        run = latest_run(self.process)
        if run is None or run.status != AggregationRun.DONE:
            form.is_valid()
            form.add_error(None, _("Belum ada tabel agregat yang selesai diolah. Unggah ekstrak dan tunggu hingga selesai."))
            return self.form_invalid(form)
        if form.is_valid():
            self.run = run
            return self.form_valid(form)
        return self.form_invalid(form)

    def prepare(self):
        """Outside the transaction: copy, hash and check the upload; audit a refusal."""
        if self.request.POST.get("action") != "upload":
            return None
        upload_form = forms.UploadForm(self.request.POST, self.request.FILES, process=self.process)
        staged = None
        if upload_form.is_valid():
            try:
                staged = stage_dkb_upload(upload_form.cleaned_data["upload"], self.process, self.request.file_scope)
            except DkbFileError as error:
                upload_form.add_error("upload", _(error.template) % error.params)
        if staged is None:
            reasons = "; ".join(str(message) for messages_ in upload_form.errors.values() for message in messages_)
            AuditEvent.record(AuditEvent.Action.UPLOAD_REFUSED, self.request.user, self.process, self.task, reasons[:1000])
        return {"upload_form": upload_form, "staged": staged}

    def upload(self):
        prepared = self.request.prepared or self.prepare()
        upload_form, staged = prepared["upload_form"], prepared["staged"]
        if staged is None:
            return self.render_to_response(self.get_context_data(form=self.get_form_class()(), upload_form=upload_form))
        token = secrets.token_hex(16)
        stored = f"dkb/{self.process.pk}/{token}{staged['suffix']}"
        upload = DkbUpload.objects.create(
            process=self.process, task=self.task, file=stored, token=token, suffix=staged["suffix"],
            original_name=staged["original_name"], size=staged["size"], sha256=staged["sha256"],
            file_format=staged["info"].format, columns=list(staged["info"].columns),
            source=upload_form.cleaned_data["source"], cutoff_date=upload_form.cleaned_data["cutoff_date"],
            uploaded_by=self.request.user,
        )
        enqueue(upload)
        AuditEvent.record(
            AuditEvent.Action.UPLOAD, self.request.user, self.process, self.task,
            _("Ekstrak %(source)s, %(size)s, SHA-256 %(sha)s")
            % {"source": upload.source, "size": filesizeformat(upload.size), "sha": upload.sha256[:16]},
        )
        self.request.file_scope.place(staged["temporary"], private_storage().path(stored))
        messages.info(self.request, _("Berkas diterima dan sedang diolah. Halaman ini menampilkan kemajuannya."))
        return HttpResponseRedirect(self.request.get_full_path())

    def perform(self, form):
        DraftSubmission.objects.create(
            process=self.process, task=self.task, run=self.run, notes=form.cleaned_data["notes"], author=self.request.user
        )


class JobStatusView(View):
    """Progress of a background job of the process, polled by the step pages."""

    def jobs(self, process_pk):
        raise NotImplementedError

    def get(self, request, process_pk, job_pk):
        job = get_object_or_404(self.jobs(process_pk), pk=job_pk)
        return JsonResponse({"status": job.status, "percent": job.percent, "message": job.message})


class RunStatusView(JobStatusView):
    """An aggregation run (step 3)."""

    def jobs(self, process_pk):
        return AggregationRun.objects.defer("result").filter(upload__process_id=process_pk)


class FinalReportStatusView(JobStatusView):
    """The rendering of the final report (step 6)."""

    def jobs(self, process_pk):
        return FinalReport.objects.filter(process_id=process_pk)


class TablesDownloadView(View):
    """The aggregate tables of a run as XLSX or CSV (no personal data), audited."""

    def get(self, request, process_pk, run_pk, fmt):
        run = get_object_or_404(AggregationRun, pk=run_pk, upload__process_id=process_pk, status=AggregationRun.DONE)
        process = run.upload.process
        name = f"tabel-agregat-{process.year}-s{process.period_number}-{run.pk}.{fmt}"
        if fmt == "xlsx":
            content, content_type = export_xlsx(run.result), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        else:
            content, content_type = export_csv(run.result), "text/csv; charset=utf-8"
        AuditEvent.record(AuditEvent.Action.DOWNLOAD, request.user, process, detail=name)
        response = HttpResponse(content, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response


class TablesContextMixin:
    """Step 4 onwards: the tables and quality report of the draft the team submitted."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        submission = self.process.draft_submissions.select_related("run__upload").order_by("-created").first()
        if submission is not None:
            context["submission"] = submission
            context["run"] = submission.run
            context["summary"] = province_summary(submission.run.result)
        return context


class CorrectView(TablesContextMixin, ReviewStepView):
    form_class = forms.CorrectForm
    template_name = "workflows/population/review.html"


class ValidateView(TablesContextMixin, ReviewStepView):
    form_class = forms.ValidateForm
    template_name = "workflows/population/review.html"

    def perform(self, form):
        review = self.record_review(form)
        if review.decision == Review.APPROVE:
            # The final report becomes final-to-be now: the worker renders it, so that the
            # Kadis's step 6 only signs it.
            FinalReport.objects.create(process=self.process, submission=latest_submission(self.process))


def latest_submission(process):
    return process.draft_submissions.select_related("run").order_by("-created", "-pk").first()


class ApproveView(TablesContextMixin, ReviewStepView):
    """Step 6: the Kadis approves and signs the final report (PAdES), or returns it.

    The report was rendered by the worker after step 5; signing happens in ``prepare``, before
    the step's transaction, and the signed PDF is recorded and moved into place inside it.
    """

    form_class = forms.ApproveForm
    template_name = "workflows/population/review.html"

    def final_report(self):
        submission = latest_submission(self.process)
        if submission is None:
            return None
        report = FinalReport.objects.for_submission(submission)
        if report is None:
            # A process validated before reports were rendered ahead: queue it now.
            report = FinalReport.objects.create(process=self.process, submission=submission)
        return report

    def signatory(self):
        """The signature block for the person signing now (their Plh/Plt capacity included)."""
        return head_signatory(self.process.organisation, self.request.user,
                              acting_for_task(self.request.user, self.task))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["final_report"] = self.final_report()
        # Said before the Kadis types a passphrase: what is missing from the signature block.
        context["signer_problem"] = missing_details(self.signatory())
        return context

    def post(self, request, *args, **kwargs):
        if request.POST.get("action") == "rerender":
            report = self.final_report()
            if report is not None and report.status == FinalReport.FAILED:
                FinalReport.objects.create(process=self.process, submission=report.submission)
            return HttpResponseRedirect(request.get_full_path())
        return super().post(request, *args, **kwargs)

    def prepare(self):
        """Outside the transaction: sign the rendered report; audit a failed signing."""
        form = self.get_form_class()(self.request.POST)
        if self.request.POST.get("action") or not form.is_valid() or form.cleaned_data["decision"] != Review.APPROVE:
            return None
        try:
            return self.sign_final_report(form.cleaned_data["passphrase"])
        except SignatureError as error:
            AuditEvent.record(AuditEvent.Action.SIGN_FAILED, self.request.user, self.process, self.task, str(error)[:500])
            return {"error": str(error)}

    def sign_final_report(self, passphrase):
        signer = self.signatory()
        problem = missing_details(signer)
        if problem:
            raise SignatureError(problem)
        identity = SigningIdentity.objects.filter(officer__user=self.request.user).first()
        if identity is None:
            raise SignatureError(_("Akun Anda belum memiliki sertifikat tanda tangan elektronik. Hubungi admin."))
        report = self.final_report()
        if report is None:
            raise SignatureError(_("Belum ada draf laporan yang diserahkan Tim."))
        if report.status != FinalReport.DONE:
            raise SignatureError(
                _("Laporan final belum siap ditandatangani (%(state)s). Tunggu hingga selesai disiapkan.")
                % {"state": report.message or report.get_status_display()}
            )
        organisation = self.process.organisation
        signer_name, signer_title = signer["name"], signer["title"]
        content = None
        if report.signer != signer:
            # The render printed someone else (a Plh/Plt signs in their own name and NIP for the
            # head, or the organisation's data changed since): the book is rendered again.
            content = render_population_report(
                self.process, report.submission.run.result, final=True, signer=signer,
                previous=previous_semester_result(self.process),
            )
        token = uuid.uuid4()
        signed, checked = identity.sign(
            content if content is not None else report.read(), token=token,
            signer_name=signer_name,
            reason=signed_reason(self.process),
            location=organisation.province_name,
            passphrase=passphrase,
            placement=SIGNATURE_PLACEMENT,
        )
        return {**stage_signed_pdf(self.request, self.process, signed), "token": token,
                "signer_name": signer_name, "signer_title": signer_title or organisation.head_title,
                "signed_at": checked["timestamp"] or timezone.now(), "timestamped_at": checked["timestamp"],
                "cover_title": report_title(self.process)}

    def form_valid(self, form):
        if form.cleaned_data["decision"] == Review.APPROVE:
            prepared = self.request.prepared
            if prepared is None or "error" in prepared:
                form.add_error("passphrase", prepared["error"] if prepared else _("Laporan belum dapat ditandatangani."))
                return self.form_invalid(form)
            self.signed = self.record_signed_document(prepared)
        return super().form_valid(form)

    def record_signed_document(self, prepared):
        return keep_signed_document(
            self.request, self.process, self.task, prepared,
            title=f"laporan-data-kependudukan-{self.process.year}-s{self.process.period_number}",
        )

    def audit_detail(self, form):
        detail = super().audit_detail(form)
        if getattr(self, "signed", None):
            detail += " " + _("Ditandatangani elektronik, SHA-256 %(sha)s") % {"sha": self.signed.sha256[:16]}
        return detail


class ReceiveView(StepView):
    form_class = forms.ReceiveForm

    def perform(self, form):
        record_instruction(self.request.activation, self.request.user, form.cleaned_data["text"])


class PrintDistributeView(StepView):
    form_class = forms.PublicationForm

    def get_formset(self):
        data = self.request.POST if self.request.method == "POST" else None
        return forms.DistributionFormSet(data, prefix="distribution")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["formset"] = kwargs.get("formset") or self.get_formset()
        return context

    def post(self, request, *args, **kwargs):
        form = self.get_form()
        formset = self.get_formset()
        if form.is_valid() and formset.is_valid():
            self.formset = formset
            return self.form_valid(form)
        return self.render_to_response(self.get_context_data(form=form, formset=formset))

    def perform(self, form):
        publication = Publication.objects.create(process=self.process, task=self.task, author=self.request.user, **form.cleaned_data)
        Distribution.objects.bulk_create(
            Distribution(publication=publication, **{k: v for k, v in row.items() if k != "DELETE"})
            for row in self.formset.cleaned_data
            if row and not row.get("DELETE")
        )


class BackupView(StepView):
    """Step 9: one AES-256 encrypted 7z archive of the semester (extract, tables, signed
    report), its SHA-256 recorded; then the raw extract is purged from the app's storage.

    The archive is written in ``prepare``, outside the transaction, under a temporary name, and
    moved into place (a name unique to the attempt) inside the transaction that records it.
    """

    form_class = forms.BackupForm

    def extra_form_kwargs(self):
        return {"user": self.request.user}

    def prepare(self):
        form = self.get_form()
        if not form.is_valid():
            return None
        try:
            return self.write_archive(form.cleaned_data["password1"])
        except BackupError as error:
            AuditEvent.record(AuditEvent.Action.BACKUP_FAILED, self.request.user, self.process, self.task, str(error)[:500])
            return {"error": str(error)}

    def write_archive(self, password):
        submission = latest_submission(self.process)
        document = self.process.signed_documents.order_by("-signed_at").first()
        if submission is None or document is None:
            raise BackupError(_("Laporan yang sudah ditandatangani belum ada; back-up belum dapat dibuat."))
        with document.file.open("rb") as handle:
            report_pdf = handle.read()
        members = semester_members(self.process, result=submission.run.result, report_pdf=report_pdf)
        temporary = self.request.file_scope.temporary_path(settings.BACKUP_DIR)
        path, sha256 = create_backup(settings.BACKUP_DIR, backup_name(self.process), members, password,
                                     temporary=temporary)
        return {"temporary": temporary, "final": path, "sha256": sha256, "size": temporary.stat().st_size}

    def form_valid(self, form):
        prepared = self.request.prepared
        if prepared is None or "error" in prepared:
            form.add_error(None, prepared["error"] if prepared else _("Arsip belum dapat dibuat; coba lagi."))
            return self.form_invalid(form)
        self.archive = prepared
        return super().form_valid(form)

    def perform(self, form):
        archive = self.archive
        BackupRecord.objects.create(
            process=self.process, task=self.task, author=self.request.user, location=str(archive["final"]),
            sha256=archive["sha256"], size=archive["size"], notes=form.cleaned_data["notes"],
        )
        # The tables stay with the process; the personal rows leave the app's storage once the
        # step has committed (a rolled-back step keeps them, and the archive is removed).
        names = []
        for upload in self.process.dkb_uploads.filter(purged_at__isnull=True):
            names.append(upload.file.name)
            upload.file = ""
            upload.purged_at = timezone.now()
            upload.save(update_fields=["file", "purged_at"])
        self.request.file_scope.on_success(lambda: [private_storage().delete(name) for name in names if name])
        self.request.file_scope.place(archive["temporary"], archive["final"])

    def audit_detail(self, form):
        return _("Arsip %(name)s, SHA-256 %(sha)s; ekstrak mentah dihapus") % {
            "name": self.archive["final"].name, "sha": self.archive["sha256"][:16]}
