"""Electronic signatures (PAdES) on SOPFlow's PDFs, with pluggable signers.

A signer turns PDF bytes into signed PDF bytes. Two ship:

- ``Pkcs12Signer``: a local PKCS#12 certificate per official (demo CA from ``make_demo_ca``, or an
  agency's own). The passphrase is passed per signing and never stored.
- ``BsreSigner``: the BSrE (BSSN) esign server the government uses for certified signatures
  (domain notes section 6): ``POST /api/sign/pdf`` answers with the signed PDF and an
  ``id_dokumen`` header; ``GET /api/sign/download/{id}`` returns the stored copy.

Both put a visible block with a QR code pointing to the verification URL on the signed page.
``verify_pdf`` checks a signed file offline with pyHanko. Passphrases and NIKs never reach an
exception message or a log line.
"""

import base64
import hashlib
import io
import json
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol
from urllib import error as urlerror
from urllib import request as urlrequest

from django.utils.translation import gettext as _

MM = 72 / 25.4
FIELD_NAME = "Pengesahan"


class SignatureError(Exception):
    """Signing failed; ``str(error)`` is an Indonesian message safe to show to the signer."""


@dataclass(frozen=True)
class Placement:
    """Where the visible signature goes: page index (negative counts from the end) and a box in PDF
    points (x1, y1, x2, y2) from the page's bottom-left corner."""

    page: int = -1
    box: tuple = (104 * MM, 24 * MM, 192 * MM, 58 * MM)

    @classmethod
    def of(cls, value):
        if value is None:
            return cls()
        if isinstance(value, cls):
            return value
        return cls(page=value.get("page", -1), box=tuple(value["box"]))


class Signer(Protocol):
    def sign(self, pdf_bytes: bytes, *, signer_name: str, reason: str, location: str, passphrase: str,
             verification_url: str, placement=None) -> bytes:
        """Return ``pdf_bytes`` signed; raise ``SignatureError`` with an Indonesian message."""


def stamp_style():
    """The visible block: QR code to the verification URL on the left, who and when on the right.

    The text uses the PDF standard Courier font (Latin-1): embedding DejaVu through pyHanko's
    OpenType engine needs HarfBuzz bindings and spaced the letters out in our tests.
    """
    from pyhanko import stamp
    from pyhanko.pdf_utils import text

    return stamp.QRStampStyle(
        stamp_text=_("Ditandatangani secara elektronik oleh:\n%(signer)s\n%(ts)s\nPindai kode QR untuk verifikasi"),
        timestamp_format="%d-%m-%Y %H.%M %Z",
        text_box_style=text.TextBoxStyle(font_size=8, leading=10),
        border_width=1,
        background=None,
    )


def _page_index(writer, page):
    count = int(writer.root["/Pages"]["/Count"])
    index = page if page >= 0 else count + page
    if not 0 <= index < count:
        raise SignatureError(_("Halaman untuk tanda tangan tidak ada dalam dokumen."))
    return index


def sign_with(cms_signer, pdf_bytes, *, signer_name, reason, location, verification_url, placement=None):
    """Sign with any pyHanko ``Signer`` (key material already unlocked) and a visible QR block."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.misc import PdfReadError
    from pyhanko.sign import fields, signers

    placement = Placement.of(placement)
    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf_bytes), strict=False)
    except (PdfReadError, ValueError):
        raise SignatureError(_("Berkas yang akan ditandatangani bukan PDF yang dapat dibaca.")) from None
    existing = {name for name, *_rest in fields.enumerate_sig_fields(writer)}
    field_name = FIELD_NAME if FIELD_NAME not in existing else f"{FIELD_NAME}{len(existing) + 1}"
    meta = signers.PdfSignatureMetadata(
        field_name=field_name, reason=reason, location=location, name=signer_name,
        subfilter=fields.SigSeedSubFilter.PADES, md_algorithm="sha256",
    )
    pdf_signer = signers.PdfSigner(
        meta, signer=cms_signer, stamp_style=stamp_style(),
        new_field_spec=fields.SigFieldSpec(field_name, on_page=_page_index(writer, placement.page),
                                           box=tuple(int(round(v)) for v in placement.box)),
    )
    output = pdf_signer.sign_pdf(writer, appearance_text_params={"url": verification_url})
    return output.getvalue()


class Pkcs12Signer:
    """Signs with a PKCS#12 file (.p12/.pfx) holding one official's key and certificate chain."""

    def __init__(self, p12_path):
        self.p12_path = Path(p12_path)

    def load(self, passphrase):
        from pyhanko.sign import signers

        try:
            data = self.p12_path.read_bytes()
        except OSError:
            raise SignatureError(_("Berkas sertifikat penandatangan tidak ditemukan.")) from None
        try:
            return signers.SimpleSigner.load_pkcs12_data(data, other_certs=None,
                                                        passphrase=(passphrase or "").encode("utf-8"))
        except ValueError:
            # Wrong passphrase and damaged file look the same to PKCS#12; say both.
            raise SignatureError(_("Passphrase salah atau berkas sertifikat rusak.")) from None

    def sign(self, pdf_bytes, *, signer_name, reason, location, passphrase, verification_url, placement=None):
        cms_signer = self.load(passphrase)
        return sign_with(cms_signer, pdf_bytes, signer_name=signer_name, reason=reason, location=location,
                         verification_url=verification_url, placement=placement)


def _multipart(fields, files):
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in fields.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    for name, (filename, content, mime) in files.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
            f"Content-Type: {mime}\r\n\r\n".encode() + content + b"\r\n"
        )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


class BsreSigner:
    """Certified signatures through a BSrE esign server (one signer per NIK).

    The server places the visible block itself from ``page``/``xAxis``/``yAxis``/``width``/
    ``height`` (PDF points from the bottom-left corner, page numbers from 1) and draws the QR code
    from ``linkQR``. A signed PDF in the sign response is used as is; otherwise the copy is
    downloaded by its ``id_dokumen``.
    """

    def __init__(self, base_url, username, password, *, nik, timeout=120):
        self.base_url = base_url.rstrip("/")
        self.username, self.password, self.nik, self.timeout = username, password, nik, timeout
        self.last_document_id = None

    def _headers(self):
        token = base64.b64encode(f"{self.username}:{self.password}".encode()).decode()
        return {"Authorization": f"Basic {token}"}

    def _open(self, req):
        try:
            return urlrequest.urlopen(req, timeout=self.timeout)
        except urlerror.HTTPError as error:
            detail = _server_message(error.read())
            if error.code in (401, 403):
                raise SignatureError(_("Server TTE menolak akun aplikasi (HTTP %(code)s).") % {"code": error.code}) from None
            raise SignatureError(_("Server TTE menolak permintaan: %(detail)s") % {"detail": detail}) from None
        except (urlerror.URLError, TimeoutError, ConnectionError):
            raise SignatureError(_("Server TTE tidak dapat dihubungi; coba lagi nanti.")) from None

    def sign(self, pdf_bytes, *, signer_name, reason, location, passphrase, verification_url, placement=None):
        from pyhanko.pdf_utils.reader import PdfFileReader

        placement = Placement.of(placement)
        count = int(PdfFileReader(io.BytesIO(pdf_bytes), strict=False).root["/Pages"]["/Count"])
        page = (placement.page if placement.page >= 0 else count + placement.page) + 1
        x1, y1, x2, y2 = placement.box
        body, content_type = _multipart(
            {"nik": self.nik, "passphrase": passphrase, "tampilan": "visible", "image": "false",
             "linkQR": verification_url, "page": page, "xAxis": round(x1), "yAxis": round(y1),
             "width": round(x2 - x1), "height": round(y2 - y1), "reason": reason, "location": location},
            {"file": ("dokumen.pdf", pdf_bytes, "application/pdf")},
        )
        req = urlrequest.Request(f"{self.base_url}/api/sign/pdf", data=body, method="POST",
                                 headers={**self._headers(), "Content-Type": content_type})
        with self._open(req) as response:
            document_id = response.headers.get("id_dokumen")
            content = response.read()
        if not content.startswith(b"%PDF"):
            document_id = document_id or _json_id(content)
            if not document_id:
                raise SignatureError(_("Server TTE tidak mengembalikan dokumen yang ditandatangani: %(detail)s")
                                     % {"detail": _server_message(content)})
            content = self.download(document_id)
        self.last_document_id = document_id
        if b"/ByteRange" not in content:
            raise SignatureError(_("Dokumen dari server TTE tidak memuat tanda tangan elektronik."))
        return content

    def download(self, document_id):
        req = urlrequest.Request(f"{self.base_url}/api/sign/download/{document_id}", headers=self._headers())
        with self._open(req) as response:
            content = response.read()
        if not content.startswith(b"%PDF"):
            raise SignatureError(_("Server TTE tidak mengembalikan berkas PDF untuk dokumen %(id)s.") % {"id": document_id})
        return content


def _json_id(content):
    try:
        data = json.loads(content.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None
    return str(data.get("id_dokumen") or data.get("id") or "") or None if isinstance(data, dict) else None


def _server_message(content):
    """The server's own error text (BSrE answers ``{"error": ..., "status_code": ...}``), shortened."""
    try:
        data = json.loads(content.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return _("jawaban tidak terbaca")
    if isinstance(data, dict):
        message = data.get("error") or data.get("message") or ""
        code = data.get("status_code")
        return (f"{message} ({code})" if code else str(message))[:300] or _("tanpa keterangan")
    return _("tanpa keterangan")


def verify_pdf(pdf_bytes, *, trust_roots=None):
    """Check the last signature of a PDF, offline.

    Returns ``{"signed", "intact", "valid", "trusted", "signer", "signing_time", "sha256",
    "signatures", "error"}``: ``intact`` is true only when the signed bytes hash to the signed
    digest, the signature verifies and nothing but signature updates follows it. ``trusted`` is
    ``None`` without ``trust_roots`` (asn1crypto or PEM/DER certificates); no network is used.
    """
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    report = {"signed": False, "intact": False, "valid": False, "trusted": None, "signer": None,
              "signing_time": None, "sha256": hashlib.sha256(pdf_bytes).hexdigest(), "signatures": 0,
              "error": None}
    try:
        reader = PdfFileReader(io.BytesIO(pdf_bytes), strict=False)
        signatures = reader.embedded_signatures
    except Exception:  # noqa: BLE001 - any parse failure means the file cannot be trusted
        report["error"] = _("Berkas PDF rusak atau bukan PDF.")
        return report
    report["signatures"] = len(signatures)
    if not signatures:
        report["error"] = _("Dokumen tidak memuat tanda tangan elektronik.")
        return report
    report["signed"] = True
    roots = [_certificate(root) for root in (trust_roots or [])]
    # Only the roots given are trusted: never the operating system's list, never the network.
    context = ValidationContext(trust_roots=roots, allow_fetching=False)
    try:
        status = validate_pdf_signature(signatures[-1], context)
    except Exception:  # noqa: BLE001 - a mangled signature is reported, not raised
        report["error"] = _("Tanda tangan tidak dapat diperiksa: struktur tanda tangan rusak.")
        return report
    whole = status.coverage == SignatureCoverageLevel.ENTIRE_FILE or status.modification_level is not None and \
        status.modification_level.name in ("NONE", "LTA_UPDATES")
    report.update({
        "intact": bool(status.intact and status.valid and whole),
        "valid": bool(status.valid),
        "trusted": bool(status.trusted) if roots else None,
        "signer": status.signing_cert.subject.native.get("common_name"),
        "signing_time": status.signer_reported_dt or _signature_time(signatures[-1]),
    })
    if not report["intact"]:
        report["error"] = _("Isi dokumen telah berubah setelah ditandatangani, atau tanda tangan tidak sah.")
    return report


def _signature_time(embedded):
    try:
        return embedded.self_reported_timestamp
    except Exception:  # noqa: BLE001
        return None


def _certificate(value):
    from asn1crypto import pem, x509

    if isinstance(value, x509.Certificate):
        return value
    data = Path(value).read_bytes() if isinstance(value, (str, Path)) else value
    if pem.detect(data):
        _type, _headers, data = pem.unarmor(data)
    return x509.Certificate.load(data)
