"""A local timestamp authority and CRL publisher for the signing tests (loopback only).

``LocalTrustServices`` is one HTTP server on 127.0.0.1 (a free port): ``POST /tsa`` answers RFC
3161 requests with pyHanko's ``DummyTimeStamper`` (a real, signed timestamp token from a test
TSA certificate), ``GET /ca.crl`` serves the test CA's CRL. The CA also issues signer
certificates that name that CRL, so the validation data embedded at signing includes it. No
outside service is ever contacted.
"""

import datetime
import io
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from workflows.management.commands.make_demo_ca import make_ca, pkcs12_bytes

TSA_VALID_DAYS = 10 * 365


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):  # keep test output clean
        pass

    def _send(self, status, content_type, body):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        if self.path != "/ca.crl":
            return self._send(404, "text/plain", b"not found")
        self.server.services.crl_requests += 1
        return self._send(200, "application/pkix-crl", self.server.services.crl_der)

    def do_POST(self):
        from asn1crypto import tsp

        if self.path != "/tsa":
            return self._send(404, "text/plain", b"not found")
        request = tsp.TimeStampReq.load(self.rfile.read(int(self.headers["Content-Length"])))
        self.server.services.tsa_requests += 1
        response = self.server.services.timestamper.request_tsa_response(request)
        return self._send(200, "application/timestamp-reply", response.dump())


def _asn1(cert):
    from asn1crypto import x509
    from cryptography.hazmat.primitives.serialization import Encoding

    return x509.Certificate.load(cert.public_bytes(Encoding.DER))


class LocalTrustServices:
    def __init__(self, organisation="Otoritas Uji"):
        from asn1crypto import keys
        from cryptography import x509
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import rsa
        from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
        from pyhanko.sign.timestamps import DummyTimeStamper

        self.now = datetime.datetime.now(datetime.timezone.utc)
        self.ca_key, self.ca_cert = make_ca(organisation)
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.httpd.services = self
        host, port = self.httpd.server_address
        self.base = f"http://{host}:{port}"
        self.tsa_url, self.crl_url = f"{self.base}/tsa", f"{self.base}/ca.crl"
        self.tsa_requests = self.crl_requests = 0

        issuer_key_id = x509.AuthorityKeyIdentifier.from_issuer_public_key(self.ca_key.public_key())
        crl = (
            x509.CertificateRevocationListBuilder().issuer_name(self.ca_cert.subject)
            .last_update(self.now - datetime.timedelta(minutes=1)).next_update(self.now + datetime.timedelta(days=7))
            .add_extension(issuer_key_id, critical=False).add_extension(x509.CRLNumber(1), critical=False)
            .sign(self.ca_key, hashes.SHA256())
        )
        self.crl_der = crl.public_bytes(serialization.Encoding.DER)

        tsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        tsa_cert = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "TSA Uji SOPFlow")]))
            .issuer_name(self.ca_cert.subject).public_key(tsa_key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(self.now - datetime.timedelta(minutes=5))
            .not_valid_after(self.now + datetime.timedelta(days=TSA_VALID_DAYS))
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
            .add_extension(issuer_key_id, critical=False)
            .sign(self.ca_key, hashes.SHA256())
        )
        key_info = keys.PrivateKeyInfo.load(tsa_key.private_bytes(
            serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
        self.timestamper = DummyTimeStamper(tsa_cert=_asn1(tsa_cert), tsa_key=key_info,
                                            certs_to_embed=[_asn1(self.ca_cert)])
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    @property
    def root(self):
        return _asn1(self.ca_cert)

    def signer_p12(self, path, signer_name, passphrase, valid_days=3 * 365):
        """A PKCS#12 file for ``signer_name``, issued by this CA, naming this CRL; ``path``."""
        from cryptography import x509
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import rsa
        from cryptography.x509.oid import NameOID

        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        cert = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, signer_name)]))
            .issuer_name(self.ca_cert.subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(self.now - datetime.timedelta(minutes=5))
            .not_valid_after(self.now + datetime.timedelta(days=valid_days))
            .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True, key_encipherment=False,
                                         data_encipherment=False, key_agreement=False, key_cert_sign=False,
                                         crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
            .add_extension(x509.CRLDistributionPoints([x509.DistributionPoint(
                [x509.UniformResourceIdentifier(self.crl_url)], None, None, None)]), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(self.ca_key.public_key()),
                           critical=False)
            .sign(self.ca_key, hashes.SHA256())
        )
        path.write_bytes(pkcs12_bytes(key, cert, self.ca_cert, signer_name, passphrase))
        return path

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)


def unused_url():
    """An http:// address on which nothing listens (a TSA that is down)."""
    probe = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    host, port = probe.server_address
    probe.server_close()
    return f"http://{host}:{port}/tsa"


def draw_on_page(pdf_bytes, page=0):
    """An incremental update that paints a red box and new figures on ``page``: what someone
    falsifying a signed report would do."""
    import io

    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(io.BytesIO(pdf_bytes), strict=False)
    font = writer.add_object(generic.DictionaryObject({
        generic.NameObject("/Type"): generic.NameObject("/Font"),
        generic.NameObject("/Subtype"): generic.NameObject("/Type1"),
        generic.NameObject("/BaseFont"): generic.NameObject("/Helvetica"),
    }))
    resources = generic.DictionaryObject({generic.NameObject("/Font"): generic.DictionaryObject(
        {generic.NameObject("/FZ"): font})})
    stream = generic.StreamObject(stream_data=b"q 1 0 0 rg 60 600 220 40 re f BT /FZ 28 Tf 0 0 1 rg 70 610 Td (9.999.999) Tj ET Q")
    writer.add_stream_to_page(page, writer.add_object(stream), resources=resources)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def add_validation_data_again(pdf_bytes):
    """An incremental update that only adds validation data (DSS): a harmless re-save, as a
    PDF reader's "add verification information" does."""
    import io

    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import add_validation_info
    from pyhanko_certvalidator import ValidationContext

    reader = PdfFileReader(io.BytesIO(pdf_bytes), strict=False)
    signature = reader.embedded_signatures[0]
    roots = [cert for cert in signature.other_embedded_certs if cert.self_signed]
    context = ValidationContext(trust_roots=roots, other_certs=signature.other_embedded_certs, allow_fetching=False)
    return add_validation_info(signature, context, force_write=True, skip_timestamp=True).getvalue()


def document_files(settings):
    """Every file (final or temporary) under private storage's documents/ folder."""
    folder = settings.PRIVATE_STORAGE_DIR / "documents"
    return sorted(path for path in folder.rglob("*") if path.is_file()) if folder.exists() else []


def use_bsre(user, settings, server):
    """Switch ``user``'s signing identity to the fake BSrE server of tests/test_signing_bsre.py."""
    from workflows.models import SigningIdentity

    from .test_signing_bsre import NIK, PASSWORD, USER

    host, port = server.server_address
    settings.SOPFLOW_BSRE_URL = f"http://{host}:{port}"
    settings.SOPFLOW_BSRE_USERNAME, settings.SOPFLOW_BSRE_PASSWORD = USER, PASSWORD
    SigningIdentity.objects.filter(officer__user=user).update(kind=SigningIdentity.BSRE, bsre_nik=NIK)


def signature_qr(pdf_bytes):
    """The dark modules of the QR code in the signature block of a signed PDF."""
    from pypdf import PdfReader

    from .test_signing import qr_modules

    for page in PdfReader(io.BytesIO(pdf_bytes)).pages:
        for annotation in page.get("/Annots", []):
            widget = annotation.get_object()
            if widget.get("/Subtype") == "/Widget" and "/AP" in widget:
                return qr_modules(widget["/AP"]["/N"])
    return set()
