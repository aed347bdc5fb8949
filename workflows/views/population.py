"""SOP A task pages (Pengolahan dan Penyajian Data Kependudukan)."""

import hashlib
import secrets
from pathlib import Path

from django.core.files import File
from django.utils.translation import gettext as _

from ..catalogue import SOP_A
from ..dkb.ingest import DkbFileError, check_file
from ..forms import population as forms
from ..models import (
    AuditEvent,
    BackupRecord,
    Distribution,
    DkbUpload,
    Instruction,
    PeriodType,
    Publication,
    TeamDecree,
)
from ..storage import private_storage
from .base import ReviewStepView, StartView, StepView


class StartPopulationView(StartView):
    form_class = forms.StartPopulationForm
    sop = SOP_A

    def fill_process(self, process, form):
        process.year = form.cleaned_data["year"]
        process.period_type = PeriodType.SEMESTER
        process.period_number = form.cleaned_data["semester"]

    def after_start(self, form):
        activation = self.request.activation
        Instruction.objects.create(
            process=activation.process,
            task=activation.task,
            step_number=1,
            text=form.cleaned_data["text"],
            author=self.request.user,
        )


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
    storage = private_storage()
    stored = storage.save(f"dkb/{process.pk}/{token}{suffix}", File(upload))
    return stored, digest.hexdigest(), token, suffix


class ProcessDataView(StepView):
    """Step 3: upload the extract, check it is a readable DKB file, record source and notes."""

    form_class = forms.ProcessDataForm

    def previous_upload(self):
        return self.process.dkb_uploads.order_by("-uploaded_at").first()

    def extra_form_kwargs(self):
        return {"process": self.process, "previous_upload": self.previous_upload()}

    def form_valid(self, form):
        upload = form.cleaned_data.get("upload")
        if upload is not None:
            stored, sha256, token, suffix = store_dkb_upload(upload, self.process)
            path = Path(private_storage().path(stored))
            try:
                info = check_file(path)
            except DkbFileError as error:
                private_storage().delete(stored)
                form.add_error("upload", _(error.template) % error.params)
                return self.form_invalid(form)
            self.new_file = dict(
                file=stored,
                token=token,
                suffix=suffix,
                original_name=Path(upload.name).name[:255],
                size=upload.size,
                sha256=sha256,
                file_format=info.format,
                columns=list(info.columns),
            )
        else:
            previous = self.previous_upload()
            self.new_file = dict(
                file=previous.file.name,
                token=previous.token,
                suffix=previous.suffix,
                original_name=previous.original_name,
                size=previous.size,
                sha256=previous.sha256,
                file_format=previous.file_format,
                columns=previous.columns,
            )
        return super().form_valid(form)

    def perform(self, form):
        DkbUpload.objects.create(
            process=self.process,
            task=self.task,
            source=form.cleaned_data["source"],
            cutoff_date=form.cleaned_data["cutoff_date"],
            notes=form.cleaned_data["notes"],
            uploaded_by=self.request.user,
            **self.new_file,
        )
        if form.cleaned_data.get("upload") is not None:
            AuditEvent.record(
                AuditEvent.Action.UPLOAD,
                actor=self.request.user,
                process=self.process,
                task=self.task,
                detail=_("Ekstrak %(source)s, %(size)s bita, SHA-256 %(sha)s")
                % {"source": form.cleaned_data["source"], "size": self.new_file["size"], "sha": self.new_file["sha256"][:16]},
            )


class CorrectView(ReviewStepView):
    form_class = forms.CorrectForm


class ValidateView(ReviewStepView):
    form_class = forms.ValidateForm


class ApproveView(ReviewStepView):
    form_class = forms.ApproveForm


class ReceiveView(StepView):
    form_class = forms.ReceiveForm

    def perform(self, form):
        Instruction.objects.create(
            process=self.process,
            task=self.task,
            step_number=7,
            text=form.cleaned_data["text"],
            author=self.request.user,
        )


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
    form_class = forms.BackupForm

    def perform(self, form):
        BackupRecord.objects.create(process=self.process, task=self.task, author=self.request.user, **form.cleaned_data)
