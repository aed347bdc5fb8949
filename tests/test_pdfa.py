"""Every PDF SOPFlow produces is PDF/A-3b, the signed final report included.

Checked on the files themselves (pypdf, fontTools, poppler's ``pdffonts`` and ``pdfsig``):

- the XMP metadata stream names PDF/A part 3, conformance B, the title, the agency as author
  and a subject, and agrees with the document information dictionary;
- the output intent is GTS_PDFA1 with an sRGB ICC profile;
- every font is embedded (``pdffonts``), the signature block's too, and the glyph widths the
  font dictionaries give are the widths of the embedded font programs (PDF/A 6.2.11.5: a block
  set with the font's own units would print spaced out).

veraPDF, the reference validator, is a Java program distributed outside PyPI and Debian; these
tests check the structures it checks for level B, one by one.
"""

import io
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from datetime import date, datetime, timezone
from decimal import Decimal

import pytest
from pypdf import PdfReader
from pypdf.generic import IndirectObject

from workflows.catalogue import SOPS
from workflows.dkb.aggregate import aggregate_file
from workflows.models import Organisation, SopProcess
from workflows.reports.control_sheet import render_control_sheet
from workflows.reports.sop_document import render_sop_document
from workflows.signing import Pkcs12Signer, SignatureError
from workflows.sops.population.definition import SOP_A
from workflows.sops.population.report import APPROVAL_PAGE_INDEX, render_population_report
from workflows.sops.utilization.report import render_lakip, render_utilization_report

from .conftest import SIGNING_PASSPHRASE, client_for, demo_certificate, do_step, start_population
from .test_population_flow import SIGN, advance_to_approval, signed_report, trust_services  # noqa: F401 - fixture
from .test_reports import FIGURES, PREVIOUS, bengkulu_org, sumbar_process

NS = {
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "dc": "http://purl.org/dc/elements/1.1/",
    "pdf": "http://ns.adobe.com/pdf/1.3/",
    "pdfaid": "http://www.aiim.org/pdfa/ns/id/",
    "xmp": "http://ns.adobe.com/xap/1.0/",
}
POPPLER = pytest.mark.skipif(shutil.which("pdffonts") is None or shutil.which("pdfsig") is None,
                             reason="poppler-utils (pdffonts, pdfsig) is not installed")


# ---------------------------------------------------------------------------------------------
# What is checked


def xmp_properties(pdf_bytes):
    """The XMP packet's simple properties (``{"pdfaid:part": "3", "dc:title": "...", ...}``),
    whether a writer put them as attributes (pyHanko) or as elements (WeasyPrint)."""
    reader = PdfReader(io.BytesIO(pdf_bytes))
    metadata = reader.trailer["/Root"].get("/Metadata")
    assert metadata is not None, "no /Metadata stream in the catalog"
    stream = metadata.get_object()
    assert stream.get("/Type") == "/Metadata" and stream.get("/Subtype") == "/XML"
    packet = stream.get_data().decode("utf-8")
    assert packet.lstrip("\ufeff").startswith("<?xpacket begin=")
    root = ET.fromstring(packet[packet.index("<x:xmpmeta"):packet.index("</x:xmpmeta>") + len("</x:xmpmeta>")])
    prefixes = {uri: prefix for prefix, uri in NS.items()}

    def name(tag):
        uri, local = tag[1:].split("}")
        return f"{prefixes.get(uri, uri)}:{local}"

    found = {}
    for description in root.iter(f"{{{NS['rdf']}}}Description"):
        for key, value in description.attrib.items():
            if key.startswith("{") and not key.startswith(f"{{{NS['rdf']}}}"):
                found[name(key)] = value
        for child in description:
            items = [item.text or "" for item in child.iter(f"{{{NS['rdf']}}}li")]
            found[name(child.tag)] = " | ".join(items) if items else (child.text or "")
    return found


def output_intent_profile(pdf_bytes):
    """The PDF/A output intent's ICC profile bytes (asserting its dictionary on the way)."""
    reader = PdfReader(io.BytesIO(pdf_bytes))
    intents = [intent.get_object() for intent in reader.trailer["/Root"].get("/OutputIntents", [])]
    pdfa = [intent for intent in intents if intent.get("/S") == "/GTS_PDFA1"]
    assert len(pdfa) == 1, intents
    profile = pdfa[0]["/DestOutputProfile"].get_object()
    assert profile["/N"] == 3  # three components: RGB
    return profile.get_data()


def pdffonts(pdf_bytes, tmp_path):
    """``pdffonts`` rows as ``(name, type, embedded)``."""
    path = tmp_path / "document.pdf"
    path.write_bytes(pdf_bytes)
    lines = subprocess.run(["pdffonts", str(path)], check=True, capture_output=True, text=True).stdout.splitlines()
    header, rule, *rows = lines
    emb = header.index("emb")
    type_start, type_end = header.index("type"), header.index("encoding")
    return [(row[:type_start].strip(), row[type_start:type_end].strip(), row[emb:emb + 3].strip()) for row in rows]


def width_mismatches(pdf_bytes):
    """Glyphs whose width in a CID font's /W array differs (by more than rounding) from the
    embedded TrueType program's advance, in thousandths of an em as PDF counts."""
    from fontTools import ttLib

    reader = PdfReader(io.BytesIO(pdf_bytes))
    mismatches, checked = [], 0
    # Every object the cross-reference tables name (all revisions), in object streams or not.
    numbers = set(reader.xref_objStm) | {number for table in reader.xref.values() for number in table}
    for number in sorted(numbers):
        font = reader.get_object(IndirectObject(number, 0, reader))
        if not hasattr(font, "get") or font.get("/Subtype") != "/CIDFontType2":
            continue
        program = ttLib.TTFont(io.BytesIO(font["/FontDescriptor"]["/FontFile2"].get_object().get_data()))
        scale = 1000 / program["head"].unitsPerEm
        order, metrics = program.getGlyphOrder(), program["hmtx"].metrics
        mapping = font.get("/CIDToGIDMap", "/Identity")
        mapping = None if mapping == "/Identity" else mapping.get_object().get_data()

        def advance(cid):
            gid = cid if mapping is None else int.from_bytes(mapping[2 * cid:2 * cid + 2], "big")
            return metrics[order[gid]][0] * scale

        entries, index = list(font.get("/W", [])), 0
        while index < len(entries):
            first = int(entries[index])
            if isinstance(entries[index + 1].get_object(), list):
                pairs = [(first + offset, float(width)) for offset, width in enumerate(entries[index + 1])]
                index += 2
            else:
                last, width = int(entries[index + 1]), float(entries[index + 2])
                pairs = [(cid, width) for cid in range(first, last + 1)]
                index += 3
            for cid, width in pairs:
                checked += 1
                if abs(width - advance(cid)) > 1:
                    mismatches.append((str(font["/BaseFont"]), cid, width, round(advance(cid), 1)))
    assert checked, "no CID TrueType font found"
    return mismatches


def assert_pdfa_3b(pdf_bytes, tmp_path, *, title, author, subject):
    """Every PDF/A-3b structure this project is responsible for, on one file."""
    assert pdf_bytes.startswith(b"%PDF-1.7")
    properties = xmp_properties(pdf_bytes)
    assert properties.get("pdfaid:part") == "3", properties
    assert properties.get("pdfaid:conformance") == "B", properties
    assert properties.get("dc:title") == title
    assert properties.get("dc:creator") == author
    assert subject in properties.get("dc:description", ""), properties.get("dc:description")

    # The information dictionary says nothing the XMP packet does not say the same way.
    info = PdfReader(io.BytesIO(pdf_bytes)).metadata or {}
    counterpart = {"/Title": "dc:title", "/Author": "dc:creator", "/Subject": "dc:description",
                   "/Creator": "xmp:CreatorTool", "/Producer": "pdf:Producer"}
    for key, value in info.items():
        if key in counterpart:
            assert properties.get(counterpart[key]) == str(value), (key, value, properties.get(counterpart[key]))
        else:
            assert key in ("/CreationDate", "/ModDate", "/Keywords"), key

    profile = output_intent_profile(pdf_bytes)
    assert profile[36:40] == b"acsp"  # an ICC profile
    assert profile[16:20] == b"RGB "  # of an RGB colour space
    assert b"sRGB" in profile

    fonts = pdffonts(pdf_bytes, tmp_path)
    assert fonts, "pdffonts lists no font"
    assert [row for row in fonts if row[2] != "yes"] == []
    assert width_mismatches(pdf_bytes) == []
    return fonts


# ---------------------------------------------------------------------------------------------
# Every kind of document


@pytest.fixture(scope="module")
def semester(dkb_file):
    result = aggregate_file(dkb_file, cutoff="2025-06-30", province="17").as_dict()
    process = SopProcess(organisation=bengkulu_org(), sop="A", year=2025, period_type="semester", period_number=1)
    return process, result


def _population(semester, final):
    process, result = semester
    return render_population_report(process, result, final=final, approved_at=date(2025, 7, 21) if final else None)


def _control_sheet():
    process = sumbar_process(sop="A", year=2025, period_type="semester", period_number=1)
    rows = [{"number": step.number, "title": str(step.title), "actor": step.actor_label,
             "start": datetime(2025, 7, 1, 1, 30, tzinfo=timezone.utc), "finish": "—", "standard": step.waktu_label,
             "actual": "1 jam 20 menit", "status": "Selesai tepat waktu", "returns": 0} for step in SOP_A.steps]
    return render_control_sheet(process, rows)


def _demo_letter():
    from workflows.authored.demo import reply_letter

    return reply_letter(bengkulu_org(), number="470/07/PIAK/2026", recipient="Kepala Bappeda",
                        recipient_place="Bengkulu", subject="Penyampaian Data Agregat Kependudukan",
                        paragraphs=["Bersama ini kami sampaikan data agregat (contoh sintetis)."], place="Bengkulu")


LAKIP = {"indicator": "Persentase OPD yang memanfaatkan data kependudukan", "target": Decimal("20.00"),
         "realisation": Decimal("21.43"), "achievement": None, "analysis": "Capaian melampaui target."}
SUMBAR = "Dinas Pengendalian Penduduk, KB, Dukcapil Provinsi Sumatera Barat"
BENGKULU = "Dinas Kependudukan dan Pencatatan Sipil Provinsi Bengkulu"
KINDS = {
    # kind: (render(semester), title, author, a part of the subject)
    "laporan-semester-final": (lambda semester: _population(semester, True),
                               "Laporan Data Kependudukan Semester I Tahun 2025 Provinsi Bengkulu", BENGKULU,
                               "SOP Pengolahan dan Penyajian Data Kependudukan"),
    "laporan-semester-draf": (lambda semester: _population(semester, False),
                              "Laporan Data Kependudukan Semester I Tahun 2025 Provinsi Bengkulu", BENGKULU,
                              "SOP Pengolahan dan Penyajian Data Kependudukan"),
    "laporan-pemanfaatan": (lambda _s: render_utilization_report(sumbar_process(), FIGURES, PREVIOUS, "Naik.")[0],
                            "Laporan Pemanfaatan Data Kependudukan oleh OPD — Triwulan II 2026", SUMBAR,
                            "SOP Pengumpulan dan Penghitungan Data Kinerja Pemanfaatan Data Kependudukan"),
    "bahan-lakip": (lambda _s: render_lakip(sumbar_process(), LAKIP)[0], "Bahan LAKIP Bidang — Triwulan II 2026", SUMBAR,
                    "Bahan LAKIP Bidang — SOP Pengumpulan dan Penghitungan"),
    "lembar-kendali": (lambda _s: _control_sheet(),
                       "Lembar Kendali Mutu Baku — Pengolahan dan Penyajian Data Kependudukan — Semester I 2025",
                       SUMBAR, "Lembar Kendali Mutu Baku"),
    "dokumen-sop-a": (lambda _s: render_sop_document(SOPS["A"], bengkulu_org()),
                      "SOP A · Pengolahan dan Penyajian Data Kependudukan", BENGKULU,
                      "Dokumen Standar Operasional Prosedur Pengolahan dan Penyajian Data Kependudukan"),
    "dokumen-sop-b": (lambda _s: render_sop_document(SOPS["B"], sumbar_process().organisation),
                      "SOP B · Pengumpulan dan Penghitungan Data Kinerja Pemanfaatan Data Kependudukan", SUMBAR,
                      "Dokumen Standar Operasional Prosedur Pengumpulan"),
    "surat-balasan-demo": (lambda _s: _demo_letter(), "Penyampaian Data Agregat Kependudukan", BENGKULU,
                           "Penyampaian Data Agregat Kependudukan"),
}


@POPPLER
@pytest.mark.django_db
@pytest.mark.parametrize("kind", list(KINDS))
def test_every_kind_of_document_is_pdfa_3b(kind, semester, tmp_path):
    render, title, author, subject = KINDS[kind]
    pdf = render(semester)
    assert_pdfa_3b(pdf, tmp_path, title=title, author=author, subject=subject)
    if kind == "laporan-semester-final":
        approval = PdfReader(io.BytesIO(pdf)).pages[APPROVAL_PAGE_INDEX].extract_text()
        assert "Disahkan pada tanggal 21 Juli 2025" in approval  # the approval page is this very file


@POPPLER
def test_the_monitoring_form_and_control_sheet_downloaded_are_pdfa_3b(bengkulu, tmp_path):
    kabid = client_for(bengkulu["kabid"])
    response = kabid.get("/sop-monitoring/A/2026-s2.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert_pdfa_3b(response.content, tmp_path, title=xmp_properties(response.content)["dc:title"],
                   author=bengkulu.organisation.name,
                   subject="Formulir Monitoring Pelaksanaan SOP — SOP Pengolahan dan Penyajian Data Kependudukan")
    assert "Semester II 2026" in xmp_properties(response.content)["dc:title"]

    process = start_population(bengkulu["kadis"])
    response = kabid.get(f"/berkas/{process.pk}/lembar-kendali.pdf")
    assert response.status_code == 200
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert_pdfa_3b(body, tmp_path, title="Lembar Kendali Mutu Baku — Pengolahan dan Penyajian Data Kependudukan — "
                                         "Semester I 2025", author=bengkulu.organisation.name,
                   subject="Lembar Kendali Mutu Baku — SOP Pengolahan dan Penyajian Data Kependudukan")


# ---------------------------------------------------------------------------------------------
# The signed final report


@POPPLER
def test_the_signed_final_report_stays_pdfa_with_every_font_embedded(bengkulu, dkb_file, settings, tmp_path,
                                                                      trust_services):
    """The Kadis signs over HTTP (PAdES B-LT: TSA timestamp, DSS in a later revision): the stored
    file still declares PDF/A-3b, its metadata agree, and the signature block's font is embedded
    with its true widths, where the standard Courier used to be."""
    from workflows.signing import verify_pdf

    settings.SOPFLOW_TSA_URL = trust_services.tsa_url
    org = bengkulu
    process = advance_to_approval(org, dkb_file)
    do_step(org["kadis"], process, "approve", SIGN)
    _document, signed = signed_report(org, process)

    report = verify_pdf(signed, trust_roots=[trust_services.root])
    assert report["intact"] and report["certified"] and report["timestamp"] is not None
    assert report["validation_data"]["certs"] >= 3

    title = "Laporan Data Kependudukan Semester I Tahun 2025 Provinsi Bengkulu"
    fonts = assert_pdfa_3b(signed, tmp_path, title=title, author=org.organisation.name,
                           subject="SOP Pengolahan dan Penyajian Data Kependudukan")
    names = [name for name, _type, _emb in fonts]
    assert not any("Courier" in name for name in names), names
    stamp = [name for name, font_type, _emb in fonts if name.endswith("DejaVuSans-Identity-H")]
    assert len(stamp) == 1 and fonts[names.index(stamp[0])][1] == "CID TrueType"

    path = tmp_path / "signed.pdf"
    path.write_bytes(signed)
    checked = subprocess.run(["pdfsig", str(path)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr
    assert "Signature Validation: Signature is Valid." in checked.stdout
    assert "ETSI.CAdES.detached" in checked.stdout

    # The block reads as words, not as letters spaced apart.
    reader = PdfReader(io.BytesIO(signed))
    widget = next(annotation.get_object() for annotation in reader.pages[APPROVAL_PAGE_INDEX]["/Annots"]
                  if annotation.get_object().get("/Subtype") == "/Widget")
    lines = appearance_text(widget["/AP"]["/N"])
    assert lines[0] == "Ditandatangani secara elektronik oleh:" and lines[-1] == "Pindai kode QR untuk verifikasi"
    assert re.fullmatch(r"\d{2}-\d{2}-\d{4} \d{2}\.\d{2} WIB", lines[2]), lines


ESCAPES = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}


def pdf_string(token):
    """A PDF string token from a content stream (``(literal)`` or ``<hex>``) as text."""
    if token.startswith(b"<"):
        data = bytes.fromhex(token[1:-1].decode("ascii"))
    else:
        data = re.sub(rb"\\([0-7]{1,3}|.)", lambda match: bytes([int(match.group(1), 8)]) if match.group(1)[:1].isdigit()
                      else ESCAPES.get(match.group(1), match.group(1)), token[1:-1], flags=re.DOTALL)
    return data[2:].decode("utf-16-be") if data.startswith(b"\xfe\xff") else data.decode("latin-1")


def appearance_text(xobject, seen=None):
    """The lines an appearance stream (and the form XObjects it draws) shows: the /ActualText
    pyHanko marks each shaped line with."""
    seen = seen if seen is not None else set()
    xobject = xobject.get_object()
    lines = [pdf_string(token) for token in
             re.findall(rb"/ActualText (\((?:\\.|[^\\)])*\)|<[0-9a-fA-F]*>)", xobject.get_data(), flags=re.DOTALL)]
    for child in xobject.get("/Resources", {}).get("/XObject", {}).values():
        if id(child.get_object()) not in seen:
            seen.add(id(child.get_object()))
            lines += appearance_text(child, seen)
    return lines


# ---------------------------------------------------------------------------------------------
# The signature block's font


def _sign(pdf, signer_name="Dr. Contoh Pejabat, M.Si."):
    return Pkcs12Signer(demo_certificate()).sign(
        pdf, signer_name=signer_name, reason="Pengesahan", location="Bengkulu", passphrase=SIGNING_PASSPHRASE,
        verification_url="https://sopflow.contoh.go.id/verifikasi/uji/", placement={"page": 0, "box": (300, 100, 560, 200)})


@pytest.mark.django_db
def test_a_missing_or_unreadable_stamp_font_stops_signing_with_a_clear_message_and_a_system_check(settings, tmp_path):
    from workflows.checks import signature_block_font_is_installed

    pdf = KINDS["bahan-lakip"][0](None)
    assert signature_block_font_is_installed(None) == []
    settings.SOPFLOW_STAMP_FONT = str(tmp_path / "tidak-ada.ttf")
    with pytest.raises(SignatureError, match="SOPFLOW_STAMP_FONT"):
        _sign(pdf)
    [problem] = signature_block_font_is_installed(None)
    assert problem.id == "sopflow.E001" and "does not exist" in problem.msg
    not_a_font = tmp_path / "bukan-font.ttf"
    not_a_font.write_bytes(b"bukan huruf")
    settings.SOPFLOW_STAMP_FONT = str(not_a_font)
    with pytest.raises(SignatureError, match="bukan huruf TrueType/OpenType"):
        _sign(pdf)
    [problem] = signature_block_font_is_installed(None)
    assert problem.id == "sopflow.E001" and "not a readable" in problem.msg


@pytest.mark.django_db
def test_a_signer_name_the_font_cannot_print_is_refused_before_signing():
    pdf = KINDS["bahan-lakip"][0](None)
    with pytest.raises(SignatureError, match="tidak dapat dicetak pada blok tanda tangan: 漢"):
        _sign(pdf, signer_name="Kepala 漢 Dinas")
    # Latin letters with accents are the font's: a loan name signs.
    assert b"/ByteRange" in _sign(pdf, signer_name="Dr. Ñoño Ançé, M.Si.")
