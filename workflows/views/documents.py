"""The shared documents SOPFlow issues: signed reports, the control sheet and the public
verification page (each SOP's own downloads live in its package). Every download is authorised
by the scope middleware (organisation), checked for role where the content needs it, and
written to the audit trail."""

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.defaultfilters import filesizeformat
from django.utils.decorators import method_decorator
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from .. import sla
from ..models import AuditEvent, SignedDocument, SopProcess
from ..reports.control_sheet import render_control_sheet
from ..signing import verify_pdf
from ..throttle import over_limit
from ..uploads import UploadLimit, refusal_error
from .errors import too_many_requests


def pdf_response(request, process, content, filename, detail):
    AuditEvent.record(AuditEvent.Action.DOWNLOAD, request.user, process, detail=detail)
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def stream_file(request, process, file_field, name, detail):
    """A stored file of ``process`` as an attachment, the download written to the audit trail."""
    if not file_field:
        raise Http404
    try:
        handle = file_field.open("rb")
    except FileNotFoundError:
        raise Http404(_("Berkas sudah tidak tersedia."))
    AuditEvent.record(AuditEvent.Action.DOWNLOAD, request.user, process, detail=detail)
    return FileResponse(handle, as_attachment=True, filename=name)


def require_roles(request, roles):
    officer = getattr(request.user, "officer", None)
    if not request.user.is_superuser and (officer is None or not (officer.role_codes & roles)):
        raise Http404


class SignedDocumentView(View):
    def get(self, request, process_pk, document_pk):
        document = get_object_or_404(SignedDocument, pk=document_pk, process_id=process_pk)
        try:
            handle = document.file.open("rb")
        except FileNotFoundError:
            raise Http404
        AuditEvent.record(AuditEvent.Action.DOWNLOAD, request.user, document.process, detail=document.title)
        return FileResponse(handle, as_attachment=True, filename=f"{document.title}.pdf", content_type="application/pdf")


class ControlSheetView(View):
    def get(self, request, process_pk):
        process = get_object_or_404(SopProcess.objects.select_related("organisation"), pk=process_pk)
        sheet = sla.control_sheet(process)
        totals = {key: sheet[key] for key in ("standard", "actual", "returns")}
        pdf = render_control_sheet(process, sheet["rows"], totals=totals)
        return pdf_response(request, process, pdf, f"lembar-kendali-{process.pk}.pdf", _("lembar kendali (PDF)"))


class SopDocumentView(View):
    """The SOP document of the version the process ran (for a built-in SOP: its current definition)."""

    def get(self, request, process_pk):
        from ..reports.sop_document import render_sop_document

        process = get_object_or_404(SopProcess.objects.select_related("organisation"), pk=process_pk)
        sop = process.catalogue
        pdf = render_sop_document(sop, process.organisation, paper=getattr(settings, "SOPFLOW_SOP_PAPER", "A4"),
                                  version=sop.version_number)
        name = f"sop-{sop.short_code.lower()}-v{sop.version_number}.pdf" if sop.authored else f"sop-{sop.code.lower()}.pdf"
        return pdf_response(request, process, pdf, name, _("dokumen SOP (PDF)"))


class CompareForm(forms.Form):
    copy = forms.FileField(label=gettext_lazy("Berkas PDF yang ingin dicocokkan"))


def declared_body_size(request):
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


# Room for the multipart framing and the CSRF token around the uploaded copy.
FORM_OVERHEAD_BYTES = 64 * 1024


# csrf_exempt only so that the size and rate checks run before anything reads the body (the
# CSRF middleware would parse the whole upload to find the token); compare() is csrf_protect-ed.
@method_decorator([login_not_required, csrf_exempt], name="dispatch")
class VerificationView(View):
    """Public: the QR code on a signed report points here. Shows the document's title (from its
    cover), fingerprint, signer and signing time in the organisation's zone (WIB/WITA/WIT),
    saying whether a timestamp authority vouches for it or the server's clock only; an uploaded
    copy is compared byte for byte (SHA-256) and its signature validated (``judge``).

    Anyone may upload, so an upload is bounded: at most VERIFY_UPLOAD_MAX_MB, refused from its
    declared length before a byte of it is read (Django never reads past CONTENT_LENGTH), and
    at most VERIFY_UPLOADS_PER_HOUR comparisons per address.
    """

    template_name = "workflows/verification.html"
    # Also enforced while the body streams in (workflows/uploads.py), for a body that declared
    # less than it sends.
    max_upload_bytes = UploadLimit("VERIFY_UPLOAD_MAX_MB")

    def get(self, request, token):
        return self.show(request, token, CompareForm())

    def post(self, request, token):
        limit = settings.VERIFY_UPLOADS_PER_HOUR
        if over_limit("verify-upload", request, limit):
            return too_many_requests(request, _(
                "Terlalu banyak pencocokan dokumen dari alamat Anda: paling banyak %(limit)s kali dalam satu jam. "
                "Coba lagi nanti."
            ) % {"limit": limit})
        max_bytes = settings.VERIFY_UPLOAD_MAX_MB * 1024 * 1024
        if declared_body_size(request) > max_bytes + FORM_OVERHEAD_BYTES:
            return self.show(request, token, self.refused_form(max_bytes), status=413)
        return csrf_protect(self.compare)(request, token)

    def refused_form(self, max_bytes):
        form = CompareForm(data={}, files={})
        form.is_valid()
        form.errors["copy"] = form.error_class([_(
            "Berkas terlalu besar: salinan laporan yang dicocokkan paling besar %(size)s. Berkas ini tidak diproses."
        ) % {"size": filesizeformat(max_bytes)}])
        return form

    def compare(self, request, token):
        form = CompareForm(request.POST, request.FILES)
        max_bytes = settings.VERIFY_UPLOAD_MAX_MB * 1024 * 1024
        if form.is_valid():
            copy = form.cleaned_data["copy"]
            if refusal_error(copy) or copy.size > max_bytes:
                return self.show(request, token, self.refused_form(max_bytes), status=413)
        if not form.is_valid():
            return self.show(request, token, form)
        document = self.document(token)
        content = b"".join(form.cleaned_data["copy"].chunks())
        return self.show(request, token, form, copy=self.judge(document, content), document=document)

    @staticmethod
    def judge(document, content):
        """What an uploaded copy is: the very file, a re-saved copy whose signed content is
        unchanged (only validation data or timestamps added), a modified or forged copy, a
        copy of another signing, an unsigned document, or no readable PDF at all. The signature itself is
        validated, so a copy need not be byte-identical to be told genuine."""
        report = verify_pdf(content)
        if report["sha256"] == document.sha256:
            verdict = "identical"
        elif not report["readable"]:
            verdict = "unreadable"
        elif not report["signed"]:
            verdict = "unsigned"
        elif not document.matches_signature_of(report):
            verdict = "other"
        elif report["intact"]:
            verdict = "resaved"
        elif report["valid"]:
            verdict = "modified"
        else:
            verdict = "forged"
        return {"verdict": verdict, "sha256": report["sha256"], "report": report}

    def document(self, token):
        document = SignedDocument.objects.filter(token=token).select_related("process__organisation").first()
        if document is None:
            raise Http404
        return document

    def show(self, request, token, form, copy=None, status=200, document=None):
        document = document or self.document(token)
        context = {"document": document, "form": form, "copy": copy,
                   "timezone": document.process.organisation.timezone}
        return render(request, self.template_name, context, status=status)
