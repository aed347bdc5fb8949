"""PAdES signing with a local PKCS#12 certificate, offline verification and the demo CA command."""

import io
import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from pypdf import PdfReader

from workflows.management.commands.make_demo_ca import CA_CERT, CA_KEY, signer_file_name
from workflows.signing import Pkcs12Signer, SignatureError, verify_pdf

PASSPHRASE = "rahasia-demo-123"
SIGNER = "Dr. Contoh Pejabat, M.Si."


def simple_pdf(pages=2):
    """A small two-page PDF made by the project's own renderer (no external file)."""
    from weasyprint import HTML

    body = "".join(f'<p style="break-after: page">Halaman uji {number}</p>' for number in range(1, pages + 1))
    return HTML(string=f"<html><body>{body}</body></html>").write_pdf()


@pytest.fixture(scope="module")
def demo_ca(tmp_path_factory):
    directory = tmp_path_factory.mktemp("ca")
    secret = directory / "passphrase.txt"
    secret.write_text(PASSPHRASE + "\n")
    out = StringIO()
    call_command("make_demo_ca", str(directory / "certs"), "--signer", SIGNER, "--organisation", "Disdukcapil Uji",
                 "--passphrase-file", str(secret), stdout=out)
    return directory / "certs", out.getvalue()


@pytest.fixture(scope="module")
def signed(demo_ca):
    certs, _output = demo_ca
    pdf = simple_pdf()
    signer = Pkcs12Signer(certs / signer_file_name(SIGNER))
    result = signer.sign(pdf, signer_name=SIGNER, reason="Pengesahan laporan", location="Bengkulu",
                         passphrase=PASSPHRASE, verification_url="https://sopflow.example/v/abc123",
                         placement={"page": 1, "box": (300, 100, 560, 200)})
    return pdf, result


def test_demo_ca_command_writes_fixed_names_and_never_prints_the_passphrase(demo_ca):
    certs, output = demo_ca
    assert (certs / CA_CERT).is_file() and (certs / CA_KEY).is_file()
    assert (certs / "signer-dr-contoh-pejabat-msi.p12").is_file()
    assert oct((certs / CA_KEY).stat().st_mode & 0o777) == "0o600"
    assert PASSPHRASE not in output
    assert PASSPHRASE.encode() not in (certs / CA_KEY).read_bytes()


def test_demo_ca_command_never_overwrites_a_signer_certificate(demo_ca, tmp_path):
    certs, _output = demo_ca
    secret = tmp_path / "p.txt"
    secret.write_text(PASSPHRASE)
    before = (certs / signer_file_name(SIGNER)).read_bytes()
    with pytest.raises(CommandError, match="tidak ditimpa"):
        call_command("make_demo_ca", str(certs), "--signer", SIGNER, "--passphrase-file", str(secret), stdout=StringIO())
    assert (certs / signer_file_name(SIGNER)).read_bytes() == before


def test_second_signer_reuses_the_ca_only_with_its_passphrase(demo_ca, tmp_path):
    certs, _output = demo_ca
    wrong = tmp_path / "wrong.txt"
    wrong.write_text("passphrase-lain-99")
    with pytest.raises(CommandError, match="tidak cocok"):
        call_command("make_demo_ca", str(certs), "--signer", "Kabid Uji", "--passphrase-file", str(wrong),
                     stdout=StringIO())
    right = tmp_path / "right.txt"
    right.write_text(PASSPHRASE)
    call_command("make_demo_ca", str(certs), "--signer", "Kabid Uji", "--passphrase-file", str(right), stdout=StringIO())
    assert (certs / "signer-kabid-uji.p12").is_file()


def test_signed_pdf_validates_with_the_signer_and_the_demo_root(demo_ca, signed):
    certs, _output = demo_ca
    _original, result = signed
    report = verify_pdf(result, trust_roots=[certs / CA_CERT])
    assert report["intact"] and report["valid"] and report["trusted"]
    assert report["signer"] == SIGNER
    assert report["signing_time"] is not None
    assert report["error"] is None
    assert len(report["sha256"]) == 64


def test_signature_is_not_trusted_without_its_root(signed):
    report = verify_pdf(signed[1])
    assert report["intact"] and report["trusted"] is None


def test_changing_one_byte_of_the_signed_content_breaks_the_signature(signed):
    _original, result = signed
    start, length, *_rest = map(int, re.search(rb"/ByteRange \[\s*(\d+) (\d+) (\d+) (\d+)", result).groups())
    # A letter of the producer string: inside the signed range, and the file still parses.
    position = result.index(b"WeasyPrint") + 1
    assert start <= position < start + length
    tampered = bytearray(result)
    tampered[position] = ord("E")
    report = verify_pdf(bytes(tampered))
    assert report["signed"] and not report["intact"]
    assert report["error"]
    assert report["sha256"] != verify_pdf(result)["sha256"]


def test_the_signature_block_is_visible_on_the_chosen_page_with_a_qr_link(signed):
    _original, result = signed
    page = PdfReader(io.BytesIO(result)).pages[1]
    annotations = [annotation.get_object() for annotation in page.get("/Annots", [])]
    widget = next(a for a in annotations if a.get("/Subtype") == "/Widget")
    assert [round(float(value)) for value in widget["/Rect"]] == [300, 100, 560, 200]
    assert "/AP" in widget  # it has an appearance: the visible block
    assert qr_modules(widget["/AP"]["/N"]) == expected_modules("https://sopflow.example/v/abc123")
    assert not PdfReader(io.BytesIO(result)).pages[0].get("/Annots")


def qr_modules(xobject, seen=None):
    """The dark modules pyHanko drew ("col row 1 1 re") anywhere inside an appearance stream."""
    seen = seen if seen is not None else set()
    xobject = xobject.get_object()
    found = set(re.findall(rb"(\d+) (\d+) 1 1 re", xobject.get_data()))
    for child in xobject.get("/Resources", {}).get("/XObject", {}).values():
        if id(child.get_object()) not in seen:
            seen.add(id(child.get_object()))
            found |= qr_modules(child, seen)
    return {(int(col), int(row)) for col, row in found}


def expected_modules(url):
    import qrcode

    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M)
    code.add_data(url)
    code.make()
    return {(col, row) for row, line in enumerate(code.modules) for col, dark in enumerate(line) if dark}


def test_wrong_passphrase_is_a_clear_error_without_the_passphrase(demo_ca):
    certs, _output = demo_ca
    signer = Pkcs12Signer(certs / signer_file_name(SIGNER))
    with pytest.raises(SignatureError) as caught:
        signer.sign(simple_pdf(1), signer_name=SIGNER, reason="r", location="l", passphrase="tebakan-salah",
                    verification_url="https://sopflow.example/v/1")
    assert "Passphrase salah" in str(caught.value)
    assert "tebakan-salah" not in str(caught.value)


def test_missing_certificate_and_non_pdf_are_clear_errors(demo_ca, tmp_path):
    certs, _output = demo_ca
    with pytest.raises(SignatureError, match="tidak ditemukan"):
        Pkcs12Signer(tmp_path / "none.p12").sign(simple_pdf(1), signer_name="x", reason="r", location="l",
                                                  passphrase=PASSPHRASE, verification_url="u")
    with pytest.raises(SignatureError, match="bukan PDF"):
        Pkcs12Signer(certs / signer_file_name(SIGNER)).sign(b"bukan pdf", signer_name="x", reason="r", location="l",
                                                             passphrase=PASSPHRASE, verification_url="u")


def test_an_unsigned_or_broken_file_is_reported_not_raised():
    assert verify_pdf(simple_pdf(1))["signed"] is False
    report = verify_pdf(b"%PDF-1.7 rusak")
    assert report["signed"] is False and report["error"]
