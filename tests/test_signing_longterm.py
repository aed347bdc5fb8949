"""PAdES B-LT: a timestamp from a (local) timestamp authority, validation data in the DSS, a
certified document whose later overlay is reported, and a signature that outlives its
certificate. The TSA and the CRL are served by tests/timestamping.py on 127.0.0.1 only."""

import datetime
import io
import shutil
import subprocess

import pytest
import time_machine

from workflows.signing import BsreSigner, Pkcs12Signer, SignatureError, timestamper_for, verify_pdf

from .test_signing import simple_pdf
from .test_signing_bsre import NIK, PASSPHRASE as BSRE_PASSPHRASE, PASSWORD, USER, server  # noqa: F401 - fixture
from .test_signing_bsre import certificates  # noqa: F401 - fixture
from .timestamping import LocalTrustServices, add_validation_data_again, draw_on_page, unused_url

PASSPHRASE = "rahasia-arsip-123"
SIGNER = "Kepala Arsip Uji"


@pytest.fixture(scope="module")
def services():
    services = LocalTrustServices()
    yield services
    services.close()


@pytest.fixture(scope="module")
def p12(services, tmp_path_factory):
    return services.signer_p12(tmp_path_factory.mktemp("lt") / "signer.p12", SIGNER, PASSPHRASE)


def sign(p12_path, timestamper, pdf=None, **extra):
    return Pkcs12Signer(p12_path, timestamper=timestamper, **extra).sign(
        pdf or simple_pdf(), signer_name=SIGNER, reason="Pengesahan laporan", location="Bengkulu",
        passphrase=PASSPHRASE, verification_url="https://sopflow.example/verifikasi/arsip/",
        placement={"page": 1, "box": (300, 100, 560, 200)},
    )


@pytest.fixture(scope="module")
def signed(services, p12):
    return sign(p12, timestamper_for(services.tsa_url))


def pyhanko_status(pdf_bytes, roots):
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    reader = PdfFileReader(io.BytesIO(pdf_bytes), strict=False)
    return validate_pdf_signature(reader.embedded_signatures[0], ValidationContext(trust_roots=roots, allow_fetching=False))


def test_the_signature_carries_a_tsa_timestamp_and_the_chains_validation_data(services, signed):
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import DocumentSecurityStore

    status = pyhanko_status(signed, [services.root])
    assert status.bottom_line and status.trusted
    assert status.timestamp_validity is not None and status.timestamp_validity.trusted
    assert status.docmdp_ok and status.modification_level.name == "LTA_UPDATES"  # the DSS after the signature
    dss = DocumentSecurityStore.read_dss(PdfFileReader(io.BytesIO(signed), strict=False))
    assert len(dss.crls) == 1 and services.crl_requests >= 1  # the CRL the certificate names
    report = verify_pdf(signed, trust_roots=[services.root])
    assert report["intact"] and report["trusted"] and report["long_term"] and report["certified"]
    assert report["timestamp"] == status.timestamp_validity.timestamp
    assert abs(report["timestamp"] - datetime.datetime.now(datetime.timezone.utc)) < datetime.timedelta(minutes=5)
    # Signer, CA and TSA certificates; the CRL.
    assert report["validation_data"]["certs"] >= 3 and report["validation_data"]["crls"] == 1
    assert services.tsa_requests >= 1


def test_the_archived_report_still_validates_after_the_certificate_expired(services, signed):
    later = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=3 * 365 + 60)
    with time_machine.travel(later, tick=False):
        report = verify_pdf(signed, trust_roots=[services.root])
    assert report["intact"]
    assert report["trusted"] is False  # checked against today: the certificate has expired
    assert report["long_term"] is True  # at the TSA's time, from the embedded data alone


def test_without_a_timestamp_the_expired_signature_has_nothing_to_stand_on(services, p12):
    plain = sign(p12, None)
    report = verify_pdf(plain, trust_roots=[services.root])
    assert report["intact"] and report["timestamp"] is None and report["long_term"] is None
    assert report["validation_data"]["crls"] == 1  # B-B plus DSS: still no trusted time


def test_an_overlay_drawn_on_a_certified_page_is_reported_as_a_modification(services, signed):
    forged = draw_on_page(signed, page=0)
    status = pyhanko_status(forged, [services.root])
    assert status.intact and status.valid  # the signed bytes are untouched ...
    assert status.docmdp_ok is False and status.modification_level.name == "OTHER"  # ... the document is not
    assert not status.bottom_line
    report = verify_pdf(forged, trust_roots=[services.root])
    assert report["modified"] and report["valid"] and not report["intact"] and report["error"]


def test_adding_only_validation_data_is_not_a_modification(services, signed):
    resaved = add_validation_data_again(signed)
    assert resaved != signed
    report = verify_pdf(resaved, trust_roots=[services.root])
    assert report["intact"] and report["modified"] is False
    assert report["signature_id"] == verify_pdf(signed)["signature_id"]


@pytest.mark.skipif(shutil.which("pdfsig") is None, reason="poppler-utils (pdfsig) is not installed")
def test_pdfsig_accepts_the_signature(signed, tmp_path):
    path = tmp_path / "laporan.pdf"
    path.write_bytes(signed)
    result = subprocess.run(["pdfsig", str(path)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "Signature Validation: Signature is Valid." in result.stdout
    assert f"Signer Certificate Common Name: {SIGNER}" in result.stdout
    # And it sees the overlay for what it is: the signature no longer covers what is shown.
    forged = tmp_path / "dipalsukan.pdf"
    forged.write_bytes(draw_on_page(signed))
    assert "Not total document signed" in subprocess.run(["pdfsig", str(forged)], capture_output=True, text=True,
                                                         timeout=60).stdout


def test_a_tsa_that_is_down_fails_the_signing_with_a_clear_message(p12):
    with pytest.raises(SignatureError, match="cap waktu"):
        sign(p12, timestamper_for(unused_url(), timeout=5))


def test_a_chain_whose_root_is_unknown_is_a_clear_message(services, tmp_path):
    """A PKCS#12 without its CA certificate: its validation data cannot be completed."""
    from cryptography.hazmat.primitives.serialization import BestAvailableEncryption, pkcs12

    full = services.signer_p12(tmp_path / "full.p12", SIGNER, PASSPHRASE)
    key, cert, _chain = pkcs12.load_key_and_certificates(full.read_bytes(), PASSPHRASE.encode())
    bare = tmp_path / "bare.p12"
    bare.write_bytes(pkcs12.serialize_key_and_certificates(b"x", key, cert, None,
                                                           BestAvailableEncryption(PASSPHRASE.encode())))
    with pytest.raises(SignatureError, match="SOPFLOW_TRUST_ROOTS"):
        sign(bare, None)
    # Given as a configured root, the same certificate signs.
    root = tmp_path / "root.pem"
    from cryptography.hazmat.primitives.serialization import Encoding

    root.write_bytes(services.ca_cert.public_bytes(Encoding.PEM))
    assert verify_pdf(sign(bare, None, trust_roots=[root]))["intact"]


def test_only_the_first_signature_certifies_and_a_certified_document_is_not_signed_over(services, p12):
    from workflows.signing import sign_with

    certified = sign(p12, None)
    assert verify_pdf(certified)["certified"] is True
    with pytest.raises(SignatureError, match="tidak mengizinkan perubahan"):
        sign(p12, None, pdf=certified)
    # A document someone signed without certifying it gets an approval signature next to it.
    cms_signer = Pkcs12Signer(p12).load(PASSPHRASE)
    approved = sign_with(cms_signer, simple_pdf(), signer_name=SIGNER, reason="r", location="l",
                         verification_url="https://sopflow.example/v/1", certify=False)
    assert verify_pdf(approved)["certified"] is False
    countersigned = sign(p12, None, pdf=approved)
    report = verify_pdf(countersigned)
    assert report["signatures"] == 2 and report["intact"] and report["certified"] is False


def test_a_remote_bsre_signature_gets_the_dss_and_a_document_timestamp_locally(server, certificates, services):  # noqa: F811
    host, port = server.server_address
    signer = BsreSigner(f"http://{host}:{port}/", USER, PASSWORD, nik=NIK, timeout=30,
                        timestamper=timestamper_for(services.tsa_url))
    result = signer.sign(simple_pdf(), signer_name="Kepala Dinas Uji", reason="Pengesahan", location="Bengkulu",
                         passphrase=BSRE_PASSPHRASE, verification_url="https://sopflow.example/v/xyz",
                         placement={"page": 1, "box": (300, 100, 560, 200)})
    report = verify_pdf(result, trust_roots=[certificates[1]])
    assert report["intact"] and report["trusted"] and report["signer"] == "Kepala Dinas Uji"
    assert report["timestamp"] is not None  # the document timestamp added after the remote signature
    assert report["validation_data"]["certs"] >= 2
    from pyhanko.pdf_utils.reader import PdfFileReader

    kinds = [item.sig_object_type for item in PdfFileReader(io.BytesIO(result), strict=False).embedded_signatures]
    assert kinds[-1] == "/DocTimeStamp"
