"""The Lembar Kendali Mutu Baku as printed: Nomor SOP (the organisation's own for a built-in SOP),
full dates in the organisation's zone, durations in working days and hours, the supervisor's
signature block; the process page keeps the table inside its card."""

import io
import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from pypdf import PdfReader

from workflows.models import OrganisationSopNumber

from .conftest import client_for, do_step
from .test_sla_deadlines import hand_over_list, submit_list

WIB = ZoneInfo("Asia/Jakarta")


def pdf_text(response):
    assert response.status_code == 200, response.status_code
    body = b"".join(response.streaming_content) if response.streaming else response.content
    text = "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(body)).pages)
    return re.sub(r"\s+", " ", text)


def sheet_pdf(user, process):
    return pdf_text(client_for(user).get(f"/berkas/{process.pk}/lembar-kendali.pdf"))


@pytest.fixture
def running(sumbar):
    """SOP B of Sumatera Barat: list handed over Tuesday 1 Dec 2026 08.00 WIB, filled by 11.00,
    counted; the sheet is read two working days later."""
    process = hand_over_list(sumbar, datetime(2026, 12, 1, 8, 0, tzinfo=WIB), number=4)
    with time_machine.travel(datetime(2026, 12, 1, 11, 0, tzinfo=WIB), tick=False):
        submit_list(sumbar, process)
        do_step(sumbar["staf"], process, "count", {"confirmed": "on"})
    return process


def test_the_printed_sheet_has_full_dates_working_days_and_a_blank_for_the_unknown_number(sumbar, running):
    with time_machine.travel(datetime(2026, 12, 3, 10, 15, tzinfo=WIB), tick=False):
        text = sheet_pdf(sumbar["kabid"], running)
    assert "Nomor SOP belum bernomor" in text  # SOP B's seed has no number
    assert "1 Desember 2026 08.00 WIB" in text and "1 Desember 2026 11.00 WIB" in text
    assert "1 Des 2026" not in text
    # Step 5 (the Kasi's analysis, open since Tue 1 Dec 11.00): 4 h that day (lunch 12-13), a full
    # 7.5-hour day on the 2nd, 2 h 45 min on the 3rd: 14 h 15 min = 1 working day 6 h 45 min.
    assert "1 hari 6 jam 45 menit" in text
    assert re.search(r"\b\d+ jam\b", text) and " menit" in text
    assert not re.search(r"\b\d{2,} jam\b", text)  # no "15 jam": a full working day is written as hari


def test_the_signature_block_names_the_head_from_the_organisation_or_leaves_lines_to_sign(sumbar, running):
    organisation = sumbar.organisation
    organisation.head_title = "Kepala Dinas Pengendalian Penduduk"
    organisation.head_name = "Dra. Contoh Pimpinan, M.M."
    organisation.head_nip = "197502022000032002"
    organisation.save()
    text = sheet_pdf(sumbar["kabid"], running)
    assert "Mengetahui, Kepala Dinas Pengendalian Penduduk" in text
    assert "Dra. Contoh Pimpinan, M.M." in text and "NIP. 197502022000032002" in text

    # Nothing known: no name, and no NIP line at all (never a dotted placeholder).
    organisation.head_name = organisation.head_nip = ""
    organisation.save()
    sumbar["kadis"].is_active = False
    sumbar["kadis"].save()
    text = sheet_pdf(sumbar["kabid"], running)
    assert "Mengetahui, Kepala Dinas Pengendalian Penduduk" in text
    assert "NIP" not in text and "……" not in text and "..." not in text


def test_the_signature_block_names_the_one_head_officer_when_the_organisation_has_no_head_name(sumbar, running):
    from workflows.models import Officer

    Officer.objects.filter(user=sumbar["kadis"]).update(nip="")  # the fixture's head has one
    text = sheet_pdf(sumbar["kabid"], running)
    assert "Mengetahui, Kepala Dinas" in text and "Kadis SBR" in text
    assert "NIP" not in text  # the officer has no NIP on file


def test_the_admin_numbers_sop_b_for_the_sheet_the_sop_document_and_the_sop_page(admin_client, sumbar, bengkulu, running):
    page = client_for(sumbar["kabid"]).get("/sop-bawaan/B/").content.decode()
    assert "belum bernomor" in page

    response = admin_client.post("/admin/workflows/organisationsopnumber/add/", {
        "organisation": sumbar.organisation.pk, "sop": "B", "nomor": "   "})
    assert response.status_code == 200 and "Isi Nomor SOP" in response.content.decode()
    response = admin_client.post("/admin/workflows/organisationsopnumber/add/", {
        "organisation": sumbar.organisation.pk, "sop": "B", "nomor": "800/13.04/DP2KBKPS/2026"})
    assert response.status_code == 302
    response = admin_client.post("/admin/workflows/organisationsopnumber/add/", {
        "organisation": sumbar.organisation.pk, "sop": "B", "nomor": "800/99"})
    assert "sudah memberi nomor untuk SOP itu" in response.content.decode()

    text = sheet_pdf(sumbar["kabid"], running)
    assert "800/13.04/DP2KBKPS/2026" in text and "belum bernomor" not in text
    document = pdf_text(client_for(sumbar["kabid"]).get(f"/berkas/{running.pk}/dokumen-sop.pdf"))
    assert "800/13.04/DP2KBKPS/2026" in document
    page = client_for(sumbar["kabid"]).get("/sop-bawaan/B/").content.decode()
    assert "800/13.04/DP2KBKPS/2026" in page and "belum bernomor" not in page
    # Another organisation's SOP B keeps its own (missing) number.
    assert "belum bernomor" in client_for(bengkulu["kabid"]).get("/sop-bawaan/B/").content.decode()
    assert "800/13.04" not in pdf_text(client_for(bengkulu["kabid"]).get("/sop-bawaan/B/dokumen-sop.pdf"))


def test_the_process_page_keeps_the_sheet_in_a_scrolling_box(sumbar, running):
    page = client_for(sumbar["kabid"]).get(f"/{running.catalogue.url_prefix}/{running.pk}/").content.decode()
    assert re.search(r'<div class="sop-scroll-x">\s*<table class="sop-table sop-control">', page)
    assert "Nomor SOP: belum bernomor" in page
    css = open("static/sopflow/sopflow.css").read()
    assert re.search(r"\.sop-scroll-x \{[^}]*overflow-x: auto", css)
