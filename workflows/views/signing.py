"""A step whose officer signs the document the step produces (PAdES, with the signer of their
``SigningIdentity``): shared by any SOP's step views.

The document is rendered and signed in ``prepare`` (outside the step's transaction, see
``workflows.views.base.step_view``), written under a temporary name readable by the service user
only, and recorded as a ``SignedDocument`` and moved into place inside the transaction: a
failed attempt leaves no file and is written to the audit trail; a step that rolls back keeps
nothing; a retry signs afresh.

A subclass sets ``signed_title`` (the file's name stem) and implements ``signed_document(form,
signature)``: the PDF bytes, where the stamp goes, and the document's cover title. The form
says whether this submission signs (``form.signs``) and carries ``passphrase``.
"""

import hashlib
import os
import uuid

from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ..models import AuditEvent, SignedDocument, SigningIdentity
from ..models.documents import document_path
from ..reports.signature import signature_block
from ..signing import SignatureError
from ..storage import private_storage


def stage_signed_pdf(request, process, signed):
    """Write the signed bytes under a temporary name only the service user may read, beside the
    process's documents (the request's file scope removes it unless it is placed); with its
    SHA-256 and size."""
    temporary = request.file_scope.temporary_path(private_storage().path(f"documents/{process.pk}"), ".pdf")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(signed)
    return {"temporary": temporary, "sha256": hashlib.sha256(signed).hexdigest(), "size": len(signed)}


def keep_signed_document(request, process, task, prepared, *, title):
    """Inside the step's transaction: the ``SignedDocument`` of a ``prepared`` signing (what
    ``stage_signed_pdf`` staged, plus token, signer, times and cover title), its file moved into place."""
    name = document_path(SignedDocument(process=process, token=prepared["token"]), "")
    document = SignedDocument.objects.create(
        process=process, task=task, token=prepared["token"], file=name, title=title,
        sha256=prepared["sha256"], size=prepared["size"], signer_name=prepared["signer_name"],
        signer_title=prepared["signer_title"], signed_at=prepared["signed_at"],
        timestamped_at=prepared["timestamped_at"], cover_title=prepared["cover_title"][:300],
        signed_by=request.user,
    )
    request.file_scope.place(prepared["temporary"], private_storage().path(name))
    return document


class SigningStepMixin:
    signed_title = "dokumen"

    def signed_document(self, form, signature):
        """``(pdf_bytes, placement, cover_title)`` of the document ``signature`` signs."""
        raise NotImplementedError

    def signature(self):
        """The signature block of the step's officer (raises ``SignatureError`` without a NIP)."""
        step = self.process.catalogue.step_for_task(self.task)
        return signature_block(self.request.user, self.task, self.process.organisation, step.actor)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        try:
            context["signature"] = self.signature()
        except SignatureError as error:
            context["signature_problem"] = str(error)
        return context

    def prepare(self):
        """Outside the transaction: render and sign; audit a failed attempt."""
        form = self.get_form()
        if not form.is_valid() or not form.signs:
            return None
        try:
            return self.sign(form)
        except SignatureError as error:
            AuditEvent.record(AuditEvent.Action.SIGN_FAILED, self.request.user, self.process, self.task, str(error)[:500])
            return {"error": str(error)}

    def sign(self, form):
        # The NIP first: what the document would print is checked before any key is touched.
        with translation.override("id"):  # what is signed is Indonesian, whatever the officer's UI language
            signature = self.signature()
        identity = SigningIdentity.objects.filter(officer__user=self.request.user).first()
        if identity is None:
            raise SignatureError(_("Akun Anda belum memiliki sertifikat tanda tangan elektronik. Hubungi admin."))
        content, placement, cover_title = self.signed_document(form, signature)
        with translation.override("id"):
            reason = _("Pengesahan %(title)s") % {"title": cover_title}
        token = uuid.uuid4()
        signed, checked = identity.sign(
            content, token=token, signer_name=signature.name,
            reason=reason,
            location=self.process.organisation.signing_place,
            passphrase=form.cleaned_data["passphrase"], placement=placement,
        )
        return {**stage_signed_pdf(self.request, self.process, signed), "token": token,
                "signer_name": signature.name, "signer_title": signature.title,
                "signed_at": checked["timestamp"] or timezone.now(), "timestamped_at": checked["timestamp"],
                "cover_title": cover_title}

    def form_valid(self, form):
        if form.signs:
            prepared = self.request.prepared
            if prepared is None or "error" in prepared:
                form.add_error("passphrase", prepared["error"] if prepared else _("Dokumen belum dapat ditandatangani."))
                return self.form_invalid(form)
            self.signed = self.record_signed_document(prepared)
        return super().form_valid(form)

    def record_signed_document(self, prepared):
        return keep_signed_document(self.request, self.process, self.task, prepared, title=self.signed_title)

    def audit_detail(self, form):
        detail = super().audit_detail(form)
        if getattr(self, "signed", None):
            detail = f"{detail} " + _("Ditandatangani elektronik, SHA-256 %(sha)s") % {"sha": self.signed.sha256[:16]}
        return detail.strip()
