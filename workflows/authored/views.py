"""The pages of the interpreter: the start form (step 1) and the one step page, by step kind."""

import hashlib
import os
import uuid
from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from workflows.models import AuditEvent, Review, SignedDocument, SigningIdentity
from workflows.models.acting import acting_for_task
from workflows.models.documents import document_path
from workflows.permissions import org_role_permission
from workflows.signing import SignatureError, signed_reason
from workflows.storage import private_storage
from workflows.views.base import StartView, StepView, record_instruction

from . import forms
from .models import SopDefinition, StepAttachment, StepKind, StepRecord


def record_output(activation, user, step, form):
    """Store what the officer did at ``step`` (any kind but penandatanganan, which signs first)."""
    data = form.cleaned_data
    if step.kind == StepKind.PERINTAH:
        return record_instruction(activation, user, data["text"])
    if step.kind == StepKind.PEMERIKSAAN:
        return Review.objects.create(
            process=activation.process, task=activation.task, node=step.key, step_number=step.number,
            decision=data["decision"], notes=data.get("notes", ""), author=user,
        )
    record = StepRecord.objects.create(
        process=activation.process, task=activation.task, step_key=step.key, step_number=step.number,
        kind=step.kind, notes=data.get("notes", ""), record_number=data.get("record_number", ""),
        record_date=data.get("record_date"), author=user,
    )
    for upload in data.get("files") or []:
        StepAttachment.store(upload, user, record=record)
    return record


class AuthoredStartView(StartView):
    """Step 1 of an authored SOP, done in the form that starts the process.

    ``?sop=<definition id>`` picks the SOP; without it the page lists the SOPs the officer may
    start (those whose first step's Pelaksana they hold). A new process always takes the SOP's
    latest published version.
    """

    template_name = "workflows/authored/task.html"
    max_upload_bytes = forms.ATTACHMENT_UPLOAD_LIMIT

    def startable(self):
        officer = self.request.user.officer
        return [
            version for version in SopDefinition.objects.startable_versions(officer.organisation)
            if self.request.user.has_perm(org_role_permission(officer.organisation_id, version.first_step().position.code))
        ]

    def dispatch(self, request, *args, **kwargs):
        if not hasattr(request.user, "officer"):
            raise PermissionDenied
        versions = self.startable()
        wanted = request.GET.get("sop", "")
        self.version = next((v for v in versions if str(v.definition_id) == wanted), None)
        if self.version is None:
            return render(request, "workflows/authored/start_choose.html", {
                "versions": versions, "unknown": bool(wanted), "activation": request.activation,
                "view": self,
            }, status=404 if wanted else 200)
        self.first = self.version.first_step()
        self.sop = self.version.as_sop()
        request.activation.task.data = self.first.task_data()
        return super().dispatch(request, *args, **kwargs)

    def get_form_class(self):
        return forms.step_form_class(self.first.kind, start=True)

    def get_form_kwargs(self):
        kwargs = super(StartView, self).get_form_kwargs()
        return kwargs

    def fill_process(self, process, form):
        process.version = self.version
        process.subject = form.cleaned_data["subject"]
        process.sop = self.version.definition.key
        process.current_step = self.version.next_key(self.first.key) or ""

    def after_start(self, form):
        record_output(self.request.activation, self.request.user, self.first, form)


class AuthoredStepView(StepView):
    """Any step after the first: the form of its kind, its output recorded, the process routed on."""

    template_name = "workflows/authored/task.html"
    max_upload_bytes = forms.ATTACHMENT_UPLOAD_LIMIT

    @property
    def step_row(self):
        if not hasattr(self, "_step_row"):
            self._step_row = self.process.version.step(self.task.data["step"])
        return self._step_row

    def get_form_class(self):
        return forms.step_form_class(self.step_row.kind)

    def signable_documents(self):
        return [
            item for item in StepAttachment.objects.filter(record__process_id=self.process.pk).order_by("pk")
            if item.is_pdf
        ]

    def extra_form_kwargs(self):
        step = self.step_row
        if step.kind == StepKind.PEMERIKSAAN:
            target = next(item for item in self.process.version.ordered_steps if item.number == step.return_to)
            return {"return_label": _("Kembalikan ke langkah %(number)s (%(title)s)") % {
                "number": target.number, "title": target.title}}
        if step.kind == StepKind.PENANDATANGANAN:
            return {"documents": self.signable_documents()}
        return {}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(process_outputs(self.process), kind=self.step_row.kind)
        return context

    def prepare(self):
        """Outside the transaction: sign the chosen PDF; a failed signing is audited."""
        if self.step_row.kind != StepKind.PENANDATANGANAN:
            return None
        form = self.get_form()
        if not form.is_valid():
            return None
        try:
            return self.sign(form)
        except SignatureError as error:
            AuditEvent.record(AuditEvent.Action.SIGN_FAILED, self.request.user, self.process, self.task, str(error)[:500])
            return {"error": str(error)}

    def sign(self, form):
        identity = SigningIdentity.objects.filter(officer__user=self.request.user).first()
        if identity is None:
            raise SignatureError(_("Akun Anda belum memiliki sertifikat tanda tangan elektronik. Hubungi admin."))
        upload = form.cleaned_data.get("upload")
        if upload:
            upload.seek(0)
            content, name = upload.read(), Path(upload.name).name
            upload.seek(0)  # the view validates the form again inside the transaction
        else:
            attachment = StepAttachment.objects.get(pk=form.cleaned_data["document"], record__process_id=self.process.pk)
            with attachment.file.open("rb") as handle:
                content = handle.read()
            name = attachment.original_name
        organisation = self.process.organisation
        signer_name = self.request.user.get_full_name() or self.request.user.username
        acting = acting_for_task(self.request.user, self.task)
        token = uuid.uuid4()
        signed, checked = identity.sign(
            content, token=token, signer_name=signer_name,
            reason=signed_reason(self.process),
            location=organisation.province_name, passphrase=form.cleaned_data["passphrase"],
        )
        temporary = self.request.file_scope.temporary_path(private_storage().path(f"documents/{self.process.pk}"), ".pdf")
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(signed)
        return {"temporary": temporary, "token": token, "signer_name": signer_name,
                "signed_at": checked["timestamp"] or timezone.now(), "timestamped_at": checked["timestamp"],
                "cover_title": checked["title"] or Path(name).stem,
                "sha256": hashlib.sha256(signed).hexdigest(), "size": len(signed), "name": Path(name).stem,
                # A Plh/Plt signs for the step's position: "Plh. Kepala Dinas".
                "signer_title": acting.signature_title() if acting is not None else ""}

    def form_valid(self, form):
        step = self.step_row
        if step.kind == StepKind.PENANDATANGANAN:
            prepared = self.request.prepared
            if prepared is None or "error" in prepared:
                form.add_error("passphrase", prepared["error"] if prepared else _("Dokumen belum dapat ditandatangani."))
                return self.form_invalid(form)
        return super().form_valid(form)

    def perform(self, form):
        step = self.step_row
        if step.kind == StepKind.PENANDATANGANAN:
            self.signed = self.record_signature(step, form)
        else:
            record_output(self.request.activation, self.request.user, step, form)
        returned = step.kind == StepKind.PEMERIKSAAN and form.cleaned_data["decision"] == Review.RETURN
        self.process.current_step = self.process.version.next_key(step.key, returned=returned) or ""
        self.process.save(update_fields=["current_step"])

    def record_signature(self, step, form):
        prepared = self.request.prepared
        name = document_path(SignedDocument(process=self.process, token=prepared["token"]), "")
        document = SignedDocument.objects.create(
            process=self.process, task=self.task, token=prepared["token"], file=name, title=prepared["name"][:300],
            sha256=prepared["sha256"], size=prepared["size"], signer_name=prepared["signer_name"],
            signer_title=prepared.get("signer_title") or step.position.name, signed_at=prepared["signed_at"],
            signed_by=self.request.user,
            timestamped_at=prepared["timestamped_at"], cover_title=prepared["cover_title"][:300],
        )
        self.request.file_scope.place(prepared["temporary"], private_storage().path(name))
        StepRecord.objects.create(
            process=self.process, task=self.task, step_key=step.key, step_number=step.number, kind=step.kind,
            notes=form.cleaned_data.get("notes", ""), author=self.request.user,
        )
        return document

    def audit_detail(self, form):
        detail = super().audit_detail(form)
        if getattr(self, "signed", None):
            detail = (detail + " " + _("Ditandatangani elektronik, SHA-256 %(sha)s") % {"sha": self.signed.sha256[:16]}).strip()
        return detail


def process_outputs(process):
    """What the steps of an authored process produced so far, for its task and process pages."""
    return {
        "step_records": StepRecord.objects.filter(process_id=process.pk).select_related("author").prefetch_related(
            "attachments"),
        "authored": process.authored,
    }
