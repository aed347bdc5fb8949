"""BsreSigner against a local fake of the BSrE esign server (loopback only).

The fake follows the public esign client code: ``POST /api/sign/pdf`` with Basic Auth and a
multipart form (file, nik, passphrase, tampilan, image, linkQR, page, xAxis, yAxis, width,
height) answers 200 with the signed PDF and an ``id_dokumen`` header, or an error as
``{"error": ..., "status_code": ...}``; ``GET /api/sign/download/{id}`` returns the stored copy.
It signs for real with pyHanko and a demo certificate, so the returned PDF validates.
"""

import base64
import email.parser
import email.policy
import json
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from workflows.management.commands.make_demo_ca import make_ca, make_signer, pkcs12_bytes
from workflows.signing import BsreSigner, Pkcs12Signer, SignatureError, verify_pdf

from .test_signing import qr_modules, expected_modules, simple_pdf

NIK = "1771010101800001"  # synthetic, never a real person's
PASSPHRASE = "passphrase-tte-uji"
USER, PASSWORD = "sopflow", "rahasia-klien"
SIGNER = "Kepala Dinas Uji"


class FakeBsre(BaseHTTPRequestHandler):
    server_version = "FakeBSrE/1"

    def log_message(self, *args):  # keep test output clean
        pass

    def _authorised(self):
        expected = "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
        return self.headers.get("Authorization") == expected

    def _json(self, status, payload):
        body = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _pdf(self, content, document_id=None):
        self.send_response(200)
        self.send_header("Content-Type", "application/pdf")
        if document_id:
            self.send_header("id_dokumen", document_id)
        self.send_header("Content-Length", str(len(content)))
        self.end_headers()
        self.wfile.write(content)

    def do_POST(self):
        state = self.server.state
        if self.path != "/api/sign/pdf":
            return self._json(404, {"error": "Not found", "status_code": 404})
        if not self._authorised():
            return self._json(401, {"error": "Unauthorized", "status_code": 401})
        length = int(self.headers["Content-Length"])
        raw = self.rfile.read(length)
        message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
            f"Content-Type: {self.headers['Content-Type']}\r\n\r\n".encode() + raw
        )
        form = {}
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            form[name] = part.get_payload(decode=True)
        state["requests"].append({key: value for key, value in form.items() if key not in ("file", "passphrase")})
        if form.get("nik", b"").decode() != NIK:
            return self._json(400, {"error": "NIK tidak terdaftar", "status_code": 1111})
        if form.get("passphrase", b"").decode() != PASSPHRASE:
            return self._json(400, {"error": "Passphrase anda salah", "status_code": 2031})
        x, y = float(form["xAxis"]), float(form["yAxis"])
        width, height = float(form["width"]), float(form["height"])
        signed = Pkcs12Signer(state["p12"]).sign(
            form["file"], signer_name=SIGNER, reason=form.get("reason", b"").decode(), location="",
            passphrase=state["p12_passphrase"], verification_url=form["linkQR"].decode(),
            placement={"page": int(form["page"]) - 1, "box": (x, y, x + width, y + height)},
        )
        document_id = uuid.uuid4().hex
        state["documents"][document_id] = signed
        if state["mode"] == "body":
            return self._pdf(signed, document_id)
        return self._json(200, {"id_dokumen": document_id, "message": "Proses berhasil"})

    def do_GET(self):
        prefix = "/api/sign/download/"
        if not self._authorised():
            return self._json(401, {"error": "Unauthorized", "status_code": 401})
        document = self.server.state["documents"].get(self.path[len(prefix):]) if self.path.startswith(prefix) else None
        if document is None:
            return self._json(404, {"error": "Dokumen tidak ditemukan", "status_code": 404})
        return self._pdf(document)


@pytest.fixture(scope="module")
def certificates(tmp_path_factory):
    directory = tmp_path_factory.mktemp("bsre")
    ca_key, ca_cert = make_ca("BSrE Uji")
    key, cert = make_signer(ca_key, ca_cert, SIGNER, "BSrE Uji")
    p12 = directory / "kadis.p12"
    p12.write_bytes(pkcs12_bytes(key, cert, ca_cert, SIGNER, "kunci-server-uji"))
    root = directory / "root.der"
    from cryptography.hazmat.primitives.serialization import Encoding

    root.write_bytes(ca_cert.public_bytes(Encoding.DER))
    return p12, root


@pytest.fixture
def server(certificates):
    p12, _root = certificates
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), FakeBsre)
    httpd.state = {"p12": p12, "p12_passphrase": "kunci-server-uji", "documents": {}, "requests": [], "mode": "body"}
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()
    thread.join(timeout=5)


def signer_for(server, **overrides):
    host, port = server.server_address
    options = {"username": USER, "password": PASSWORD, "nik": NIK, "timeout": 30, **overrides}
    return BsreSigner(f"http://{host}:{port}/", options.pop("username"), options.pop("password"), **options)


def sign(signer, pdf=None, passphrase=PASSPHRASE):
    return signer.sign(pdf or simple_pdf(), signer_name=SIGNER, reason="Pengesahan laporan", location="Bengkulu",
                       passphrase=passphrase, verification_url="https://sopflow.example/v/xyz",
                       placement={"page": 1, "box": (300, 100, 560, 200)})


@pytest.mark.parametrize("mode", ["body", "download"])
def test_bsre_signed_pdf_validates_whether_returned_directly_or_downloaded(server, certificates, mode):
    server.state["mode"] = mode
    signer = signer_for(server)
    result = sign(signer)
    report = verify_pdf(result, trust_roots=[certificates[1]])
    assert report["intact"] and report["trusted"] and report["signer"] == SIGNER
    assert signer.last_document_id in server.state["documents"]


def test_bsre_request_carries_the_documented_fields(server):
    sign(signer_for(server))
    sent = server.state["requests"][-1]
    assert sent["nik"] == NIK.encode() and sent["tampilan"] == b"visible" and sent["image"] == b"false"
    assert sent["linkQR"] == b"https://sopflow.example/v/xyz"
    assert (sent["page"], sent["xAxis"], sent["yAxis"], sent["width"], sent["height"]) == (b"2", b"300", b"100", b"260", b"100")


def test_bsre_signature_block_carries_the_qr_code_on_the_requested_page(server):
    import io

    from pypdf import PdfReader

    result = sign(signer_for(server))
    page = PdfReader(io.BytesIO(result)).pages[1]
    widget = next(a.get_object() for a in page["/Annots"] if a.get_object().get("/Subtype") == "/Widget")
    assert qr_modules(widget["/AP"]["/N"]) == expected_modules("https://sopflow.example/v/xyz")


def test_bsre_wrong_passphrase_shows_the_server_message_and_never_the_passphrase(server):
    with pytest.raises(SignatureError) as caught:
        sign(signer_for(server), passphrase="bukan-ini")
    assert "Passphrase anda salah (2031)" in str(caught.value)
    assert "bukan-ini" not in str(caught.value) and NIK not in str(caught.value)


def test_bsre_wrong_application_account_is_refused(server):
    with pytest.raises(SignatureError, match="akun aplikasi"):
        sign(signer_for(server, password="salah"))


def test_bsre_unreachable_server_is_a_clear_error():
    probe = ThreadingHTTPServer(("127.0.0.1", 0), FakeBsre)
    host, port = probe.server_address
    probe.server_close()  # nothing listens on this port any more
    signer = BsreSigner(f"http://{host}:{port}", USER, PASSWORD, nik=NIK, timeout=5)
    with pytest.raises(SignatureError, match="tidak dapat dihubungi"):
        sign(signer)
