"""SOP A task pages (Pengolahan dan Penyajian Data Kependudukan)."""

import hashlib
import secrets
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.core.files.base import ContentFile
from django.core.files import File
from django.db.models import Prefetch
from django.http import HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from ..aggregation import enqueue, export_csv, export_xlsx, province_summary
from ..backup import BackupError, backup_name, create_backup, semester_members
from ..catalogue import SOP_A
from ..dkb.ingest import DkbFileError, check_file
from ..forms import population as forms
from ..models import (
    AggregationRun,
    AuditEvent,
    BackupRecord,
    Distribution,
    DkbUpload,
    DraftSubmission,
    PeriodType,
    Publication,
    Review,
    SignedDocument,
    SigningIdentity,
    TeamDecree,
)
from ..reports.population import SIGNATURE_PLACEMENT, render_population_report
from ..signing import SignatureError
from ..storage import private_storage
from .base import ReviewStepView, StartView, StepView, record_instruction


class StartPopulationView(StartView):
    form_class = forms.StartPopulationForm
    sop = SOP_A

    def fill_process(self, process, form):
        process.year = form.cleaned_data["year"]
        process.period_type = PeriodType.SEMESTER
        process.period_number = form.cleaned_data["semester"]


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


def store_dkb_upload(upload, process):
    """Stream the upload into private storage; return (stored name, sha256, token, suffix)."""
    name = upload.name.lower()
    suffix = ".parquet" if name.endswith(".parquet") else ".csv.gz" if name.endswith(".gz") else ".csv"
    token = secrets.token_hex(16)
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    stored = private_storage().save(f"dkb/{process.pk}/{token}{suffix}", File(upload))
    return stored, digest.hexdigest(), token, suffix


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

    def upload(self):
        upload_form = forms.UploadForm(self.request.POST, self.request.FILES, process=self.process)
        if upload_form.is_valid():
            file = upload_form.cleaned_data["upload"]
            stored, sha256, token, suffix = store_dkb_upload(file, self.process)
            try:
                info = check_file(private_storage().path(stored), province=self.process.organisation.province_code)
            except DkbFileError as error:
                private_storage().delete(stored)
                upload_form.add_error("upload", _(error.template) % error.params)
            else:
                upload = DkbUpload.objects.create(
                    process=self.process, task=self.task, file=stored, token=token, suffix=suffix,
                    original_name=Path(file.name).name[:255], size=file.size, sha256=sha256,
                    file_format=info.format, columns=list(info.columns),
                    source=upload_form.cleaned_data["source"], cutoff_date=upload_form.cleaned_data["cutoff_date"],
                    uploaded_by=self.request.user,
                )
                enqueue(upload)
                AuditEvent.record(
                    AuditEvent.Action.UPLOAD, self.request.user, self.process, self.task,
                    _("Ekstrak %(source)s, %(size)s, SHA-256 %(sha)s")
                    % {"source": upload.source, "size": filesizeformat(upload.size), "sha": sha256[:16]},
                )
                messages.info(self.request, _("Berkas diterima dan sedang diolah. Halaman ini menampilkan kemajuannya."))
                return HttpResponseRedirect(self.request.get_full_path())
        return self.render_to_response(self.get_context_data(form=self.get_form_class()(), upload_form=upload_form))

    def perform(self, form):
        DraftSubmission.objects.create(
            process=self.process, task=self.task, run=self.run, notes=form.cleaned_data["notes"], author=self.request.user
        )


class RunStatusView(View):
    """Progress of an aggregation run, polled by the step-3 page."""

    def get(self, request, process_pk, run_pk):
        run = get_object_or_404(AggregationRun.objects.defer("result"), pk=run_pk, upload__process_id=process_pk)
        return JsonResponse({"status": run.status, "percent": run.percent, "message": run.message})


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


class ApproveView(TablesContextMixin, ReviewStepView):
    """Step 6: the Kadis approves and signs the final report (PAdES), or returns it."""

    form_class = forms.ApproveForm
    template_name = "workflows/population/review.html"

    def form_valid(self, form):
        if form.cleaned_data["decision"] == Review.APPROVE:
            try:
                self.signed = self.sign_final_report(form.cleaned_data["passphrase"])
            except SignatureError as error:
                form.add_error("passphrase", str(error))
                return self.form_invalid(form)
        return super().form_valid(form)

    def sign_final_report(self, passphrase):
        identity = SigningIdentity.objects.filter(officer__user=self.request.user).first()
        if identity is None:
            raise SignatureError(_("Akun Anda belum memiliki sertifikat tanda tangan elektronik. Hubungi admin."))
        submission = self.process.draft_submissions.select_related("run").order_by("-created").first()
        if submission is None:
            raise SignatureError(_("Belum ada draf laporan yang diserahkan Tim."))
        now = timezone.now()
        document = SignedDocument(process=self.process, task=self.task, signed_at=now, signed_by=self.request.user)
        pdf = render_population_report(self.process, submission.run.result, final=True, approved_at=now)
        organisation = self.process.organisation
        signer_name = organisation.head_name or self.request.user.get_full_name() or self.request.user.username
        signed = identity.signer().sign(
            pdf,
            signer_name=signer_name,
            reason=_("Pengesahan %(title)s") % {"title": self.process.brief},
            location=organisation.province_name,
            passphrase=passphrase,
            verification_url=self.request.build_absolute_uri(reverse("verify_document", args=[document.token])),
            placement=SIGNATURE_PLACEMENT,
        )
        document.title = f"laporan-data-kependudukan-{self.process.year}-s{self.process.period_number}"
        document.sha256 = hashlib.sha256(signed).hexdigest()
        document.size = len(signed)
        document.signer_name = signer_name
        document.signer_title = organisation.head_title
        document.file.save(f"{document.token}.pdf", ContentFile(signed), save=False)
        document.save()
        return document

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
    report), its SHA-256 recorded; then the raw extract is purged from the app's storage."""

    form_class = forms.BackupForm

    def extra_form_kwargs(self):
        return {"user": self.request.user}

    def form_valid(self, form):
        try:
            self.archive = self.write_archive(form.cleaned_data["password1"])
        except BackupError as error:
            form.add_error(None, str(error))
            return self.form_invalid(form)
        return super().form_valid(form)

    def write_archive(self, password):
        submission = self.process.draft_submissions.select_related("run").order_by("-created").first()
        document = self.process.signed_documents.order_by("-signed_at").first()
        if submission is None or document is None:
            raise BackupError(_("Laporan yang sudah ditandatangani belum ada; back-up belum dapat dibuat."))
        with document.file.open("rb") as handle:
            report_pdf = handle.read()
        members = semester_members(self.process, result=submission.run.result, report_pdf=report_pdf)
        return create_backup(settings.BACKUP_DIR, backup_name(self.process), members, password)

    def perform(self, form):
        path, sha256 = self.archive
        BackupRecord.objects.create(
            process=self.process, task=self.task, author=self.request.user, location=str(path),
            sha256=sha256, size=path.stat().st_size, notes=form.cleaned_data["notes"],
        )
        # The tables stay with the process; the personal rows leave the app's storage.
        for upload in self.process.dkb_uploads.filter(purged_at__isnull=True):
            upload.file.delete(save=False)
            upload.purged_at = timezone.now()
            upload.save(update_fields=["file", "purged_at"])

    def audit_detail(self, form):
        path, sha256 = self.archive
        return _("Arsip %(name)s, SHA-256 %(sha)s; ekstrak mentah dihapus") % {"name": path.name, "sha": sha256[:16]}
