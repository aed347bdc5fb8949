"""SOP B's outputs signed through HTTP: the Kasi signs the Laporan Pemanfaatan at step 5, the Kabid
the LAKIP Bidang material at step 6 (PAdES, the signers SOP A uses), each with the letterhead,
place and date, the position's signature block and the PKS the staff entered, flagged."""

import io
import re
import subprocess
import tempfile
from datetime import date, datetime, timedelta
from functools import lru_cache
from io import StringIO
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client
from pypdf import PdfReader
from viewflow.workflow.status import STATUS

from workflows.management.commands.make_demo_ca import CA_CERT, signer_file_name
from workflows.models import ActingAppointment, AuditEvent, Officer, Position, SignedDocument, SigningIdentity
from workflows.signing import verify_pdf
from workflows.sops.utilization.models import Opd, PksStatus, pks_status

from .conftest import SIGNING_PASSPHRASE, client_for, demo_certificate, do_step, open_task, start_utilization, task_url
from .test_utilization_flow import (
    KABID_NAME, KABID_NIP, KABID_POSITION, KASI_NAME, KASI_NIP, KASI_POSITION, add_entry, certificate_of, entry,
    sopb_signers, trust_root,
)

WIB = ZoneInfo("Asia/Jakarta")
# March of next year: the demo certificates are issued today (valid three years), so the frozen
# day must fall inside their validity.
YEAR = date.today().year + 1
REPORT_DAY = date(YEAR, 3, 16)


def at(day=REPORT_DAY, hour=10):
    return time_machine.travel(datetime(day.year, day.month, day.day, hour, 0, tzinfo=WIB), tick=True)


def pdf_text(content, first=None, last=None):
    """The text poppler's pdftotext extracts in reading order (a table cell's lines stay together),
    optionally of some pages only."""
    pages = (["-f", str(first), "-l", str(last)] if first else [])
    return subprocess.run(["pdftotext", *pages, "-", "-"], input=content, capture_output=True,
                          check=True).stdout.decode()


def download(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return b"".join(response.streaming_content) if response.streaming else response.content


def documents_on_disk(settings):
    folder = Path(settings.PRIVATE_STORAGE_DIR) / "documents"
    return sorted(str(path) for path in folder.rglob("*") if path.is_file()) if folder.exists() else []


def run_to_evaluation(org):
    """Triwulan IV of last year: seven OPDs, three of which use data under a PKS in force in the
    period; one PKS is still in force long after the report, one ends 76 days after it, one ended
    before it (in force during the period)."""
    for name in ("Dinas Pendidikan", "Biro Pemerintahan", "RSUD"):
        Opd.objects.create(organisation=org.organisation, name=name)
    process = start_utilization(org["kabid"], year=YEAR - 1, period_type="triwulan", number=4)
    do_step(org["kasi"], process, "instruct_staff", {"text": "Kumpulkan data dukung.", "staff": [org["staf"].pk]})
    client_for(org["staf"]).post(task_url(process, open_task(process, "fill_list"), "assign"))
    bappeda, bkd, dinkes = (Opd.objects.get(organisation=org.organisation, name=name)
                            for name in ("Bappeda", "BKD", "Dinas Kesehatan"))
    add_entry(org["staf"], process, entry(bappeda, 120, pks_number="119/1/PKS-DUKCAPIL/2025",
                                          pks_date=f"{YEAR - 2}-01-10", expiry=f"{YEAR}-12-31"))
    add_entry(org["staf"], process, entry(bappeda, 30, use_type="data", pks_number="119/1/PKS-DUKCAPIL/2025",
                                          pks_date=f"{YEAR - 2}-01-10", expiry=f"{YEAR}-12-31"))
    add_entry(org["staf"], process, entry(bkd, 45, use_type="ktpel", access_method="card_reader",
                                          pks_number="119/2/PKS-DUKCAPIL/2025", pks_date=f"{YEAR - 2}-06-01",
                                          expiry=(REPORT_DAY + timedelta(days=76)).isoformat()))
    add_entry(org["staf"], process, entry(dinkes, 10, access_method="web_portal", pks_number="119/3/PKS-DUKCAPIL/2024",
                                          pks_date=f"{YEAR - 3}-03-01", expiry=f"{YEAR}-03-01"))
    do_step(org["staf"], process, "fill_list", {"action": "submit"})
    do_step(org["staf"], process, "count", {"confirmed": "on"})
    return process


APPROVE = {"decision": "approve", "analysis": "Tiga dari tujuh OPD memanfaatkan data.", "notes": ""}
LAKIP = {"indicator": "Persentase OPD yang memanfaatkan data kependudukan", "target": "40", "realisation": "42.9",
         "analysis": "Capaian melampaui target triwulan."}


def test_pks_flags_count_from_the_report_day():
    day = date(2027, 3, 16)
    assert pks_status(day + timedelta(days=91), day) == PksStatus.IN_FORCE
    assert pks_status(day + timedelta(days=90), day) == PksStatus.EXPIRING
    assert pks_status(day, day) == PksStatus.EXPIRING  # its last day: still in force, ending
    assert pks_status(day - timedelta(days=1), day) == PksStatus.EXPIRED


def test_kasi_and_kabid_sign_the_reports_with_their_blocks_pks_rows_and_one_decimal(sumbar, bengkulu, settings,
                                                                                      tmp_path):
    org = sumbar
    sopb_signers(org, nip=False)
    with at():
        process = run_to_evaluation(org)
        kasi = client_for(org["kasi"])
        task = open_task(process, "evaluate")
        assert kasi.post(task_url(process, task, "assign")).status_code == 302
        page = kasi.get(task_url(process, task, "execute")).content.decode()
        assert "42,9%" in page and "42.86" not in page
        assert "NIP Kasi Uji belum tercatat" in page  # said before the Kasi tries to sign

        # Without a NIP: refused before signing, with the reason; audited; nothing written.
        refused = do_step(org["kasi"], process, "evaluate", {**APPROVE, "passphrase": SIGNING_PASSPHRASE}, expect=200)
        assert "NIP Kasi Uji belum tercatat pada data pegawai" in refused.content.decode()
        assert AuditEvent.objects.filter(process=process, action=AuditEvent.Action.SIGN_FAILED,
                                         detail__contains="NIP").exists()
        Officer.objects.filter(user=org["kasi"]).update(nip=KASI_NIP)
        Officer.objects.filter(user=org["kabid"]).update(nip=KABID_NIP)
        # A wrong passphrase: refused, audited, no file, the step still open.
        wrong = do_step(org["kasi"], process, "evaluate", {**APPROVE, "passphrase": "tebakan-salah"}, expect=200)
        assert "Passphrase salah" in wrong.content.decode()
        assert AuditEvent.objects.filter(process=process, action=AuditEvent.Action.SIGN_FAILED).count() == 2
        assert documents_on_disk(settings) == [] and not SignedDocument.objects.exists()
        assert open_task(process, "evaluate").status == STATUS.ASSIGNED

        # Before signing, the report is a watermarked draft.
        draft = download(kasi, f"/berkas/{process.pk}/laporan-pemanfaatan.pdf")
        assert "Draf: belum ditandatangani" in pdf_text(draft) and not verify_pdf(draft)["signed"]

        do_step(org["kasi"], process, "evaluate", {**APPROVE, "passphrase": SIGNING_PASSPHRASE})
        report = download(client_for(org["kabid"]), f"/berkas/{process.pk}/laporan-pemanfaatan.pdf")
        kabid = client_for(org["kabid"])
        task = open_task(process, "lakip")
        assert kabid.post(task_url(process, task, "assign")).status_code == 302
        lakip_page = kabid.get(task_url(process, task, "execute"))
        assert 'value="42.9"' in lakip_page.content.decode()  # the realisation, one decimal
        do_step(org["kabid"], process, "lakip", {**LAKIP, "passphrase": SIGNING_PASSPHRASE})
        lakip = download(client_for(org["sekretariat"]), f"/berkas/{process.pk}/lakip-bidang.pdf")

    document = SignedDocument.objects.get(title__startswith="laporan-pemanfaatan-")
    assert document.signer_title == KASI_POSITION and document.signer_name == KASI_NAME
    assert document.cover_title == f"Laporan Pemanfaatan Data Kependudukan oleh OPD — Triwulan IV {YEAR - 1}"
    checked = verify_pdf(report, trust_roots=[trust_root()])
    assert checked["intact"] and checked["trusted"] and checked["certified"] and checked["signer"] == KASI_NAME
    assert checked["sha256"] == document.sha256
    copy = tmp_path / "laporan.pdf"
    copy.write_bytes(report)
    poppler = subprocess.run(["pdfsig", str(copy)], capture_output=True, text=True).stdout
    assert "Signature is Valid." in poppler and f"Signer Certificate Common Name: {KASI_NAME}" in poppler

    # Words as read, whatever wraps in a cell (a line may break after a hyphen: "KTP-" "el").
    text = re.sub(r"-\s+", "-", " ".join(pdf_text(report).split()))
    assert org.organisation.name in text  # the letterhead
    for number in ("119/1/PKS-DUKCAPIL/2025", "119/2/PKS-DUKCAPIL/2025", "119/3/PKS-DUKCAPIL/2024"):
        assert text.count(number) == 1, number  # one row per OPD and PKS, not per use type
    assert "Card reader KTP-el" in text and "Web portal" in text and "Web service" in text
    assert f"31 Desember {YEAR}" in text and f"10 Januari {YEAR - 2}" in text
    assert "akan berakhir (76 hari lagi)" in text and "sudah berakhir" in text
    assert "1 PKS akan berakhir dalam 90 hari dan 1 PKS sudah berakhir" in text
    assert "3 dari 7 OPD (42,9%)" in text and "42,86" not in text
    assert f"Padang, 16 Maret {YEAR}" in text
    assert f"{KASI_POSITION}," in text and KASI_NAME in text and f"NIP. {KASI_NIP}" in text
    assert "…" not in text and "DRAF" not in text

    # The stamp sits in the block's box, on the page that carries the block.
    reader = PdfReader(io.BytesIO(report))
    page_index = next(index for index, page in enumerate(reader.pages)
                      if any(a.get_object().get("/Subtype") == "/Widget" for a in page.get("/Annots", [])))
    assert f"NIP. {KASI_NIP}" in pdf_text(report, page_index + 1, page_index + 1)

    # The LAKIP material: the Kabid's block, the same place and day, every percentage one decimal.
    checked = verify_pdf(lakip, trust_roots=[trust_root()])
    assert checked["intact"] and checked["trusted"] and checked["signer"] == KABID_NAME
    text = " ".join(pdf_text(lakip).split())
    assert "40,0%" in text and "42,9%" in text and "107,3%" in text and "107,25" not in text
    assert f"Padang, 16 Maret {YEAR}" in text and f"{KABID_POSITION}," in text and f"NIP. {KABID_NIP}" in text
    assert org.organisation.name in text and "Bahan LAKIP Bidang" in text and "…" not in text

    # Each signed file has its public verification page, named by its cover title.
    for signed in SignedDocument.objects.all():
        page = Client().get(f"/verifikasi/{signed.token}/").content.decode()
        assert signed.cover_title in page and signed.sha256 in page

    # Another organisation does not see the files exist.
    outsider = client_for(bengkulu["kadis"])
    for url in (f"/berkas/{process.pk}/laporan-pemanfaatan.pdf", f"/berkas/{process.pk}/lakip-bidang.pdf",
                f"/berkas/{process.pk}/dokumen/{document.pk}.pdf"):
        assert outsider.get(url).status_code == 404, url


def test_the_lakip_material_is_refused_without_the_kabid_nip_and_nothing_is_kept(sumbar, settings):
    org = sumbar
    sopb_signers(org)
    with at():
        process = run_to_evaluation(org)
        do_step(org["kasi"], process, "evaluate", {**APPROVE, "passphrase": SIGNING_PASSPHRASE})
        Officer.objects.filter(user=org["kabid"]).update(nip="")
        before = documents_on_disk(settings)
        refused = do_step(org["kabid"], process, "lakip", {**LAKIP, "passphrase": SIGNING_PASSPHRASE}, expect=200)
    assert "NIP Kabid Uji belum tercatat pada data pegawai" in refused.content.decode()
    assert documents_on_disk(settings) == before and not process.lakip_materials.exists()
    assert client_for(org["kabid"]).get(f"/berkas/{process.pk}/lakip-bidang.pdf").status_code == 404
    assert open_task(process, "lakip").status == STATUS.ASSIGNED


def test_a_plh_kasi_signs_as_plh_with_own_name_and_nip(sumbar):
    from django.contrib.auth import get_user_model

    from workflows.models import OfficerRole

    org = sumbar
    sopb_signers(org)
    user = get_user_model().objects.create_user("sbr.plh", password="pw", first_name="Ratna", last_name="Pengganti")
    officer = Officer.objects.create(user=user, organisation=org.organisation, nip="199001012015032001")
    OfficerRole.objects.create(officer=officer, role="staf")
    SigningIdentity.objects.create(officer=officer, p12_path=str(certificate_of("Ratna Pengganti")))
    with at():
        process = run_to_evaluation(org)
        ActingAppointment.objects.create(
            organisation=org.organisation, officer=officer, kind="plh",
            position=Position.objects.get(organisation=org.organisation, role="kasi"),
            start_date=REPORT_DAY, end_date=REPORT_DAY + timedelta(days=5), letter_number="800/12/SET/2027",
            letter_date=REPORT_DAY - timedelta(days=1),
        )
        do_step(user, process, "evaluate", {**APPROVE, "passphrase": SIGNING_PASSPHRASE})
        report = download(client_for(org["kabid"]), f"/berkas/{process.pk}/laporan-pemanfaatan.pdf")
    text = " ".join(pdf_text(report).split())  # words as read, whatever wraps in a cell
    assert f"Plh. {KASI_POSITION}," in text and "Ratna Pengganti" in text and "NIP. 199001012015032001" in text
    assert KASI_NIP not in text
    assert SignedDocument.objects.get().signer_title == f"Plh. {KASI_POSITION}"
