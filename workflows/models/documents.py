"""Signed documents, signing identities: what SOPFlow issues and who signs it."""

import secrets
import uuid
from pathlib import Path

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from viewflow.workflow.models import Task

from ..storage import private_storage
from .organisation import Officer
from .process import SopProcess


class SigningIdentity(models.Model):
    """How an official signs: a local PKCS#12 certificate or the agency's BSrE esign server.

    The passphrase is never stored: it is asked at each signing.
    """

    PKCS12, BSRE = "pkcs12", "bsre"
    KINDS = [(PKCS12, _("Sertifikat PKCS#12 lokal")), (BSRE, _("Server esign BSrE (BSSN)"))]

    officer = models.OneToOneField(Officer, on_delete=models.CASCADE, related_name="signing_identity")
    kind = models.CharField(_("jenis"), max_length=10, choices=KINDS, default=PKCS12)
    p12_path = models.CharField(
        _("berkas PKCS#12"), max_length=500, blank=True, help_text=_("Path di server, di luar direktori web.")
    )
    bsre_nik = models.CharField(_("NIK pada BSrE"), max_length=16, blank=True)

    class Meta:
        verbose_name = _("identitas penandatangan")
        verbose_name_plural = _("identitas penandatangan")

    def __str__(self):
        return f"{self.officer} ({self.get_kind_display()})"

    def signer(self):
        from ..signing import BsreSigner, Pkcs12Signer, timestamper_for

        long_term = {"timestamper": timestamper_for(settings.SOPFLOW_TSA_URL),
                     "trust_roots": settings.SOPFLOW_TRUST_ROOTS}
        if self.kind == self.BSRE:
            return BsreSigner(
                settings.SOPFLOW_BSRE_URL, settings.SOPFLOW_BSRE_USERNAME, settings.SOPFLOW_BSRE_PASSWORD,
                nik=self.bsre_nik, **long_term,
            )
        return Pkcs12Signer(self.p12_path, **long_term)

    def sign(self, pdf_bytes, *, token, signer_name, reason, location, passphrase, placement=None):
        """Sign ``pdf_bytes`` for the document ``token`` will name; the signed bytes and their
        ``verify_pdf`` report. A result that does not validate is refused (``SignatureError``)."""
        from ..signing import SignatureError, verify_pdf

        signed = self.signer().sign(
            pdf_bytes, signer_name=signer_name, reason=reason, location=location, passphrase=passphrase,
            verification_url=SignedDocument.verification_url_for(token), placement=placement,
        )
        report = verify_pdf(signed)
        if not report["intact"]:
            raise SignatureError(_("Dokumen hasil penandatanganan tidak lolos pemeriksaan tanda tangan; tidak disimpan."))
        return signed, report


class AttachedFile(models.Model):
    """A file an officer attached at a step, kept in private storage by the subclass's own
    ``file`` field (its path scheme): the name it came with, its size, who sent it and when."""

    token = models.CharField(max_length=32, editable=False)
    suffix = models.CharField(max_length=16, editable=False)
    original_name = models.CharField(max_length=255)
    size = models.BigIntegerField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True

    @classmethod
    def store(cls, upload, user, **fields):
        """Save ``upload`` (already size-checked by its form) under a random name; the row."""
        item = cls(
            token=secrets.token_hex(16), suffix=Path(upload.name).suffix.lower()[:16],
            original_name=Path(upload.name).name[:255], size=upload.size, uploaded_by=user, **fields,
        )
        item.file.save(upload.name, upload, save=False)
        item.save()
        return item

    @property
    def is_pdf(self):
        return self.suffix == ".pdf"


def document_path(instance, filename):
    return f"documents/{instance.process_id}/{instance.token}.pdf"


class SignedDocument(models.Model):
    """A signed PDF issued by a process; its public verification page is keyed by ``token``."""

    process = models.ForeignKey(SopProcess, on_delete=models.CASCADE, related_name="signed_documents")
    task = models.ForeignKey(Task, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(max_length=300)
    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    file = models.FileField(storage=private_storage, upload_to=document_path, max_length=300)
    sha256 = models.CharField(max_length=64)
    size = models.BigIntegerField()
    signer_name = models.CharField(max_length=200)
    signer_title = models.CharField(max_length=200)
    signed_at = models.DateTimeField()
    signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # The title on the document's cover (its own /Title), what the verification page names it by.
    cover_title = models.CharField(_("judul dokumen"), max_length=300, blank=True)
    # Set when a timestamp authority vouches for ``signed_at``; empty: the server's clock only.
    timestamped_at = models.DateTimeField(_("cap waktu TSA"), null=True, blank=True)

    class Meta:
        ordering = ["-signed_at"]

    @staticmethod
    def verification_url_for(token):
        """The public verification page of ``token`` at SOPFLOW_BASE_URL, never the request's host."""
        return settings.SOPFLOW_BASE_URL.rstrip("/") + reverse("verify_document", args=[token])

    @property
    def verification_url(self):
        return self.verification_url_for(self.token)

    @property
    def display_title(self):
        return self.cover_title or self.title

    def matches_signature_of(self, report):
        """Whether a ``verify_pdf`` report of some copy carries this document's own signature."""
        if not report.get("signature_id"):
            return False
        from ..signing import verify_pdf

        with self.file.open("rb") as handle:
            return verify_pdf(handle.read())["signature_id"] == report["signature_id"]
