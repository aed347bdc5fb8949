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

Long-term validation (PAdES B-LT): with a timestamp authority (``timestamper_for``, from
``SOPFLOW_TSA_URL``) the signature carries an RFC 3161 timestamp, and the certificates, CRLs and
OCSP responses of its chain (and of the TSA's) are embedded in the document security store
(DSS), so the archived file still validates after the signer's certificate has expired. A local
signature *certifies* the document (DocMDP, no changes allowed): any later change other than
validation data or document timestamps is reported as a modification. A BSrE signature is made
remotely: the DSS (and, with a TSA, a document timestamp) is added locally afterwards
(``extend_long_term``); certifying it is up to the BSrE server.
"""

import asyncio
import base64
import hashlib
import io
import json
import logging
import uuid
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Protocol
from urllib import error as urlerror
from urllib import request as urlrequest

from django.utils import translation
from django.utils.translation import gettext as _

MM = 72 / 25.4
FIELD_NAME = "Pengesahan"
TSA_TIMEOUT_SECONDS = 30


def signing_time_note():
    """What the signer is told about the signing time (SOPFLOW_TSA_URL set or not)."""
    from django.conf import settings

    if settings.SOPFLOW_TSA_URL:
        return _("Waktu tanda tangan dijamin cap waktu dari otoritas cap waktu (TSA).")
    return _("Tanpa server cap waktu (TSA): waktu tanda tangan hanya menurut jam server SOPFlow.")


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


# The characters the signature block's font is prepared for: Latin (every Indonesian name and
# title, with the accents of loan names), digits, punctuation and the symbols of a date line.
STAMP_CHARACTERS = (*range(0x20, 0x7F), *range(0xA0, 0x250), *range(0x1E00, 0x1F00), *range(0x2000, 0x2070),
                    0x20AC, 0x2116, 0x2122)
STAMP_FONT_SIZE = 8
# fontTools reports every table it subsets at INFO; the project's root logger is at INFO.
logging.getLogger("fontTools").setLevel(logging.WARNING)


def stamp_font_path():
    """The TrueType/OpenType font of the visible signature block (``SOPFLOW_STAMP_FONT``)."""
    from django.conf import settings

    return Path(settings.SOPFLOW_STAMP_FONT)


@lru_cache(maxsize=2)
def _stamp_font_program(path, mtime):
    """The stamp font as a font program in a 1000-unit em, with the characters it can print.

    pyHanko writes a CID font's glyph widths as the font's own units, while PDF counts them in
    thousandths of an em: a font with another em size (DejaVu's is 2048) would print spaced out
    and have widths that do not match its program, which PDF/A forbids. Scaled to 1000 units
    (fontTools), widths and program agree. Kept to ``STAMP_CHARACTERS`` so the preparation, once
    per process, takes a fraction of a second.
    """
    from fontTools import subset, ttLib
    from fontTools.ttLib.scaleUpem import scale_upem

    font = ttLib.TTFont(path)
    options = subset.Options(hinting=False, notdef_outline=True, name_IDs=["*"], name_languages=["*"])
    options.drop_tables += ["FFTM"]  # FontForge's timestamp table: fontTools cannot subset it
    subsetter = subset.Subsetter(options=options)
    subsetter.populate(unicodes=STAMP_CHARACTERS)
    subsetter.subset(font)
    if font["head"].unitsPerEm != 1000:
        scale_upem(font, 1000)
    output = io.BytesIO()
    font.save(output)
    return output.getvalue(), frozenset(font.getBestCmap())


def stamp_font():
    """``(program bytes, characters it has)`` of the configured stamp font; ``SignatureError``
    when the file is missing or is not a TrueType/OpenType font."""
    path = stamp_font_path()
    try:
        return _stamp_font_program(str(path), path.stat().st_mtime)
    except OSError:
        raise SignatureError(_("Huruf (font) blok tanda tangan tidak ditemukan di server (SOPFLOW_STAMP_FONT); "
                               "hubungi admin.")) from None
    except Exception:  # noqa: BLE001 - fontTools raises many kinds for a file that is not a font
        raise SignatureError(_("Berkas huruf (font) blok tanda tangan (SOPFLOW_STAMP_FONT) bukan huruf TrueType/"
                               "OpenType yang dapat dibaca; hubungi admin.")) from None


class StampFontFactory:
    """A pyHanko ``FontEngineFactory`` (the interface is this one method): the prepared stamp
    font, embedded as a subset, shaped by HarfBuzz through pyHanko's ``GlyphAccumulator``."""

    def __init__(self, program, size):
        self.program, self.size = program, size

    def create_font_engine(self, writer, obj_stream=None):
        from pyhanko.pdf_utils.font.opentype import GlyphAccumulator

        if obj_stream is None and writer.stream_xrefs:
            obj_stream = writer.prepare_object_stream()
        return GlyphAccumulator(writer=writer, font_handle=io.BytesIO(self.program), font_size=self.size,
                                obj_stream=obj_stream)


def stamp_style(signer_name=""):
    """The visible block: QR code to the verification URL on the left, who and when on the right.

    The text is set in an embedded subset of ``SOPFLOW_STAMP_FONT`` (DejaVu Sans by default, the
    reports' own face): a signed PDF/A report keeps every font embedded. A signer's name with a
    letter the font does not have is refused before anything is signed (it would print as a box,
    and PDF/A forbids the missing-glyph mark).
    """
    from pyhanko import stamp
    from pyhanko.pdf_utils import text

    program, characters = stamp_font()
    missing = sorted({char for char in signer_name if ord(char) not in characters and not char.isspace()})
    if missing:
        raise SignatureError(_("Nama penandatangan memuat huruf yang tidak dapat dicetak pada blok tanda tangan: "
                               "%(chars)s.") % {"chars": " ".join(missing)})
    factory = StampFontFactory(program, STAMP_FONT_SIZE)
    # The block is part of the signed document: Indonesian whatever the signing officer's UI language.
    with translation.override("id"):
        stamp_text = _("Ditandatangani secara elektronik oleh:\n%(signer)s\n%(ts)s\nPindai kode QR untuk verifikasi")
    return stamp.QRStampStyle(
        stamp_text=stamp_text,
        timestamp_format="%d-%m-%Y %H.%M %Z",
        text_box_style=text.TextBoxStyle(font=factory, font_size=STAMP_FONT_SIZE, leading=10),
        border_width=1,
        background=None,
    )


def signed_reason(process):
    """The signature's /Reason ("Pengesahan <the process's brief>"): part of the signed document,
    so Indonesian whatever the signing officer's UI language (the brief's period label too)."""
    with translation.override("id"):
        return _("Pengesahan %(title)s") % {"title": process.brief}


def _page_index(writer, page):
    count = int(writer.root["/Pages"]["/Count"])
    index = page if page >= 0 else count + page
    if not 0 <= index < count:
        raise SignatureError(_("Halaman untuk tanda tangan tidak ada dalam dokumen."))
    return index


def timestamper_for(url, timeout=TSA_TIMEOUT_SECONDS):
    """The RFC 3161 client for the timestamp authority at ``url``; ``None`` for an empty URL."""
    if not url:
        return None
    from pyhanko.sign.timestamps import HTTPTimeStamper

    return HTTPTimeStamper(url, timeout=timeout)


def _self_signed(certificates):
    return [cert for cert in certificates if cert.self_signed]


def validation_context(chain=(), trust_roots=(), timestamper=None, *, fetching=True):
    """The context in which a fresh signature's validation data is gathered.

    The roots are the configured ones plus the self-signed certificates the signer's chain and
    the TSA's answer carry: this context only collects what a validator needs later (no trust
    decision is made here). CRLs and OCSP responses are fetched from the addresses the
    certificates name; a certificate that names none is embedded without.
    """
    from pyhanko_certvalidator import ValidationContext

    chain = list(chain)
    extra = []
    if timestamper is not None:
        # One probe request: the TSA's own certificates, so that its chain can be validated too.
        try:
            asyncio.run(timestamper.async_dummy_response("sha256"))
        except Exception:  # noqa: BLE001 - any transport or format failure
            raise SignatureError(_("Server cap waktu (TSA) tidak dapat dihubungi atau jawabannya tidak terbaca; "
                                   "coba lagi nanti.")) from None
        extra = list(timestamper.cert_registry)
    roots = [*(_certificate(root) for root in trust_roots), *_self_signed(chain + extra)]
    return ValidationContext(trust_roots=roots, other_certs=chain + extra, allow_fetching=fetching,
                             revocation_mode="soft-fail")


def _signing_failure(error):
    """A pyHanko or certificate-validation failure, as an Indonesian ``SignatureError``."""
    from pyhanko.sign.timestamps import TimestampRequestError
    from pyhanko_certvalidator.errors import ExpiredError, NotYetValidError, PathBuildingError, RevokedError

    if isinstance(error, SignatureError):
        return error
    cause = error.__cause__ or error.__context__
    if cause is not None and type(error).__name__ == "SigningError":
        return _signing_failure(cause)  # pyHanko wraps what went wrong underneath
    if isinstance(error, TimestampRequestError):
        return SignatureError(_("Server cap waktu (TSA) menolak atau tidak menjawab permintaan; coba lagi nanti."))
    if isinstance(error, RevokedError):
        return SignatureError(_("Sertifikat penandatangan telah dicabut (revoked); dokumen tidak ditandatangani."))
    if isinstance(error, (ExpiredError, NotYetValidError)):
        return SignatureError(_("Sertifikat penandatangan atau server cap waktu tidak berlaku pada saat ini."))
    if isinstance(error, PathBuildingError) or type(error).__name__ in ("PathValidationError", "ValidationError"):
        return SignatureError(_(
            "Data validasi sertifikat tidak dapat dikumpulkan: rantai sertifikat tidak sampai ke akar yang dikenal. "
            "Admin dapat menambahkan sertifikat akarnya di SOPFLOW_TRUST_ROOTS."))
    return SignatureError(_("Penandatanganan gagal: dokumen tidak dapat ditandatangani (%(kind)s).")
                          % {"kind": type(error).__name__})


def sign_with(cms_signer, pdf_bytes, *, signer_name, reason, location, verification_url, placement=None,
              timestamper=None, trust_roots=(), certify=True):
    """Sign with any pyHanko ``Signer`` (key material already unlocked) and a visible QR block.

    PAdES B-LT: a timestamp from ``timestamper`` (B-B without one) and the chain's validation
    data in the DSS. The first signature of a document certifies it (DocMDP: no changes);
    a document that is already signed gets an approval signature.
    """
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.misc import PdfReadError
    from pyhanko.sign import fields, signers
    from pyhanko.sign.fields import MDPPerm

    placement = Placement.of(placement)
    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf_bytes), strict=False)
    except (PdfReadError, ValueError):
        raise SignatureError(_("Berkas yang akan ditandatangani bukan PDF yang dapat dibaca.")) from None
    existing = {name for name, *_rest in fields.enumerate_sig_fields(writer)}
    signed_before = any(True for _field in fields.enumerate_sig_fields(writer, filled_status=True))
    if signed_before and _locked(writer):
        raise SignatureError(_("Dokumen ini sudah disahkan dengan tanda tangan yang tidak mengizinkan perubahan apa pun; "
                               "tanda tangan baru akan merusaknya. Tandatangani dokumen aslinya."))
    field_name = FIELD_NAME if FIELD_NAME not in existing else f"{FIELD_NAME}{len(existing) + 1}"
    style = stamp_style(signer_name)  # before any request to the TSA: a name it cannot print stops here
    try:
        context = validation_context(list(cms_signer.cert_registry), trust_roots, timestamper)
        meta = signers.PdfSignatureMetadata(
            field_name=field_name, reason=reason, location=location, name=signer_name,
            subfilter=fields.SigSeedSubFilter.PADES, md_algorithm="sha256",
            certify=certify and not signed_before, docmdp_permissions=MDPPerm.NO_CHANGES,
            embed_validation_info=True, validation_context=context,
        )
        pdf_signer = signers.PdfSigner(
            meta, signer=cms_signer, stamp_style=style, timestamper=timestamper,
            new_field_spec=fields.SigFieldSpec(field_name, on_page=_page_index(writer, placement.page),
                                               box=tuple(int(round(v)) for v in placement.box)),
        )
        output = pdf_signer.sign_pdf(writer, appearance_text_params={"url": verification_url})
    except Exception as error:  # noqa: BLE001 - every failure is one Indonesian message, nothing half-signed
        raise _signing_failure(error) from None
    return output.getvalue()


def _locked(writer):
    """Whether a certification signature of the document forbids every change (DocMDP P=1)."""
    from pyhanko.sign.fields import MDPPerm
    from pyhanko.sign.validation import read_certification_data

    try:
        info = read_certification_data(writer.prev)
    except Exception:  # noqa: BLE001 - an unreadable /Perms is left to pyHanko to refuse
        return False
    return info is not None and info.permission == MDPPerm.NO_CHANGES


def extend_long_term(pdf_bytes, *, timestamper=None, trust_roots=()):
    """Add, after the last signature of a signed PDF, its validation data (DSS) and, with a
    ``timestamper``, a document timestamp: what a remotely made signature needs for B-LT."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign import signers
    from pyhanko.sign.validation import add_validation_info

    try:
        reader = PdfFileReader(io.BytesIO(pdf_bytes), strict=False)
        signature = _last_signature(reader.embedded_signatures)
        if signature is None:
            raise SignatureError(_("Dokumen dari server TTE tidak memuat tanda tangan elektronik."))
        context = validation_context(list(signature.other_embedded_certs) + [signature.signer_cert], trust_roots,
                                     timestamper)
        extended = add_validation_info(signature, context, force_write=True).getvalue()
        if timestamper is not None:
            writer = IncrementalPdfFileWriter(io.BytesIO(extended), strict=False)
            extended = signers.PdfTimeStamper(timestamper).timestamp_pdf(
                writer, "sha256", validation_context=context).getvalue()
    except Exception as error:  # noqa: BLE001
        raise _signing_failure(error) from None
    return extended


def _last_signature(signatures):
    """The last signature proper (document timestamps are not signatures of a person)."""
    found = [item for item in signatures if item.sig_object_type == "/Sig"]
    return found[-1] if found else None


class Pkcs12Signer:
    """Signs with a PKCS#12 file (.p12/.pfx) holding one official's key and certificate chain."""

    def __init__(self, p12_path, *, timestamper=None, trust_roots=()):
        self.p12_path = Path(p12_path)
        self.timestamper, self.trust_roots = timestamper, tuple(trust_roots)

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
                         verification_url=verification_url, placement=placement, timestamper=self.timestamper,
                         trust_roots=self.trust_roots)


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

    def __init__(self, base_url, username, password, *, nik, timeout=120, timestamper=None, trust_roots=()):
        self.base_url = base_url.rstrip("/")
        self.username, self.password, self.nik, self.timeout = username, password, nik, timeout
        self.timestamper, self.trust_roots = timestamper, tuple(trust_roots)
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
        # The remote signature made long-term here: its validation data, and our TSA's time.
        return extend_long_term(content, timestamper=self.timestamper, trust_roots=self.trust_roots)

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

    Returns a dict:

    - ``readable`` (a PDF at all), ``signed``, ``signatures``, ``sha256``, ``title`` (the
      document's own title), ``error``;
    - ``intact``: the signed bytes hash to the signed digest, the signature verifies and nothing
      but validation data or document timestamps follows it;
    - ``valid``: the signature verifies over the bytes it covers (``modified`` may still be true);
    - ``modified``: something other than validation data or timestamps was added after signing
      (a certified document's DocMDP "no changes" broken, or an overlay on an approval signature);
    - ``certified``: the signature certifies the document (DocMDP);
    - ``timestamp``: the time a timestamp authority vouches for (the signature's own timestamp,
      else a valid document timestamp after it), ``None`` without one; ``signing_time`` is that
      time, or the signer's own clock;
    - ``validation_data``: how many certificates, CRLs and OCSP responses the DSS holds;
    - ``trusted``: the chain ends at one of ``trust_roots`` now (``None`` without roots);
      ``long_term``: it did at the timestamp's time, judged from the embedded data alone (what
      still holds once the certificate expired; ``None`` without roots or timestamp);
    - ``signature_id``: SHA-256 of the signature container, the same in every copy of one signing.

    No network is used, and only ``trust_roots`` are trusted.
    """
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import DocumentSecurityStore, validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    report = {"readable": True, "signed": False, "intact": False, "valid": False, "modified": None, "certified": False,
              "trusted": None, "long_term": None, "signer": None, "signing_time": None, "timestamp": None,
              "validation_data": {"certs": 0, "crls": 0, "ocsps": 0}, "signature_id": None, "title": None,
              "sha256": hashlib.sha256(pdf_bytes).hexdigest(), "signatures": 0, "error": None}
    try:
        reader = PdfFileReader(io.BytesIO(pdf_bytes), strict=False)
        signatures = reader.embedded_signatures
        report["title"] = _document_title(reader)
    except Exception:  # noqa: BLE001 - any parse failure means the file cannot be trusted
        report.update(readable=False, error=_("Berkas PDF rusak atau bukan PDF."))
        return report
    signature = _last_signature(signatures)
    report["signatures"] = len([item for item in signatures if item.sig_object_type == "/Sig"])
    if signature is None:
        report["error"] = _("Dokumen tidak memuat tanda tangan elektronik.")
        return report
    report["signed"] = True
    roots = [_certificate(root) for root in (trust_roots or [])]
    try:
        dss = DocumentSecurityStore.read_dss(reader)
    except Exception:  # noqa: BLE001 - no DSS (or an unreadable one): no embedded validation data
        dss = None
    if dss is not None:
        report["validation_data"] = {"certs": len(dss.certs), "crls": len(dss.crls), "ocsps": len(dss.ocsps)}
    try:
        report["signature_id"] = hashlib.sha256(signature.signed_data.dump()).hexdigest()
        # Only the roots given are trusted: never the operating system's list, never the network.
        status = validate_pdf_signature(signature, ValidationContext(trust_roots=roots, allow_fetching=False))
    except Exception:  # noqa: BLE001 - a mangled signature is reported, not raised
        report["error"] = _("Tanda tangan tidak dapat diperiksa: struktur tanda tangan rusak.")
        return report
    timestamp = status.timestamp_validity.timestamp if status.timestamp_validity is not None and \
        status.timestamp_validity.intact and status.timestamp_validity.valid else None
    timestamp = timestamp or _document_timestamp_after(signatures, signature, roots)
    level = status.modification_level.name if status.modification_level is not None else None
    unchanged = status.coverage == SignatureCoverageLevel.ENTIRE_FILE or level in ("NONE", "LTA_UPDATES")
    modified = not (unchanged and status.docmdp_ok is not False)
    report.update({
        "intact": bool(status.intact and status.valid and not modified),
        "valid": bool(status.intact and status.valid),
        "modified": modified,
        "certified": signature.docmdp_level is not None,
        "trusted": bool(status.trusted) if roots else None,
        "signer": status.signing_cert.subject.native.get("common_name"),
        "timestamp": timestamp,
        "signing_time": timestamp or status.signer_reported_dt or _signature_time(signature),
    })
    if roots and timestamp is not None:
        report["long_term"] = _trusted_at(signature, dss, roots, timestamp)
    if not report["intact"]:
        report["error"] = _("Isi dokumen telah berubah setelah ditandatangani, atau tanda tangan tidak sah.")
    return report


def _trusted_at(signature, dss, roots, moment):
    """Whether the signer's chain was valid at ``moment`` (a timestamp), judged from the
    validation data embedded in the document only."""
    from pyhanko.sign.validation import DocumentSecurityStore, validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    options = {"trust_roots": roots, "allow_fetching": False}
    try:
        if dss is None:
            dss = DocumentSecurityStore(writer=None)
        past = dss.as_validation_context({**options, "moment": moment, "retroactive_revinfo": True,
                                          "revocation_mode": "hard-fail"})
        status = validate_pdf_signature(signature, past, ts_validation_context=dss.as_validation_context(options),
                                        skip_diff=True)
    except Exception:  # noqa: BLE001
        return False
    return bool(status.intact and status.valid and status.trusted)


def _document_timestamp_after(signatures, signature, roots):
    from pyhanko.sign.validation import validate_pdf_timestamp
    from pyhanko_certvalidator import ValidationContext

    later = signatures[signatures.index(signature) + 1:]
    for item in later:
        if item.sig_object_type != "/DocTimeStamp":
            continue
        try:
            status = validate_pdf_timestamp(item, ValidationContext(trust_roots=roots, allow_fetching=False),
                                            skip_diff=True)
        except Exception:  # noqa: BLE001
            continue
        if status.intact and status.valid:
            return status.timestamp
    return None


def _document_title(reader):
    try:
        title = reader.trailer_view["/Info"]["/Title"]
    except Exception:  # noqa: BLE001 - no info dictionary, no title
        return None
    return str(title).strip() or None


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
