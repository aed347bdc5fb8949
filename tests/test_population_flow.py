"""SOP A end to end through HTTP, each step by the role the SOP names, with return rounds."""

from viewflow.workflow.status import PROCESS, STATUS

from io import StringIO
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client

from workflows.models import AuditEvent, Review
from workflows.sops.population.models import AggregationRun, DkbUpload

from .conftest import (
    SIGNING_PASSPHRASE,
    client_for,
    do_step,
    open_task,
    process_dkb,
    start_population,
    task_url,
    upload_dkb,
)
from .test_signing_bsre import certificates, server  # noqa: F401 - the fake BSrE server's fixtures

SIGN = {"decision": "approve", "passphrase": SIGNING_PASSPHRASE}
BACKUP_PASSWORD = "kata-sandi-arsip-uji-2025"
BACKUP = {"password1": BACKUP_PASSWORD, "password2": BACKUP_PASSWORD, "notes": ""}


def form_team(org, process):
    do_step(org["kabid"], process, "form_team", {
        "number": "800/1/2025", "date": "2025-07-01", "members": [org["tim"].pk],
    })


def test_sop_a_runs_from_kadis_order_to_adb_backup_with_returns_at_every_review(bengkulu, dkb_file):
    org = bengkulu
    process = start_population(org["kadis"])
    assert process.organisation == org.organisation
    assert process.period_label == "Semester I 2025"
    form_team(org, process)

    process_dkb(org["tim"], process, dkb_file)
    # Kasi finds a problem: back to the team member who uploaded, with the reason.
    do_step(org["kasi"], process, "correct", {"decision": "return", "notes": "Tabel umur belum lengkap."})
    reopened = open_task(process, "process_data")
    assert reopened.status == STATUS.ASSIGNED and reopened.owner == org["tim"]
    page = client_for(org["tim"]).get(task_url(process, reopened, "execute"))
    assert "Tabel umur belum lengkap." in page.content.decode()

    # The team resubmits: a corrected extract, aggregated again, with new notes.
    process_dkb(org["tim"], process, dkb_file, notes="Diperbaiki.")
    assert process.dkb_uploads.count() == 2
    assert process.draft_submissions.count() == 2
    do_step(org["kasi"], process, "correct", {"decision": "approve", "notes": ""})

    # Kabid sends it one step back, to the same Kasi.
    do_step(org["kabid"], process, "validate", {"decision": "return", "notes": "Periksa rasio jenis kelamin."})
    assert open_task(process, "correct").owner == org["kasi"]
    do_step(org["kasi"], process, "correct", {"decision": "approve"})
    do_step(org["kabid"], process, "validate", {"decision": "approve"})

    # Kadis returns once, then approves.
    do_step(org["kadis"], process, "approve", {"decision": "return", "notes": "Kata pengantar kurang."})
    assert open_task(process, "validate").owner == org["kabid"]
    do_step(org["kabid"], process, "validate", {"decision": "approve"})
    do_step(org["kadis"], process, "approve", SIGN)

    do_step(org["kabid"], process, "receive", {"text": "Cetak 50 eksemplar."})
    do_step(org["kasi"], process, "print_distribute", {
        "copies": 50, "printed_on": "2025-08-01", "published_on": "2025-08-02", "channel": "Situs web dinas",
        "instruction_to_adb": "Back-up.",
        "distribution-TOTAL_FORMS": 3, "distribution-INITIAL_FORMS": 0,
        "distribution-MIN_NUM_FORMS": 0, "distribution-MAX_NUM_FORMS": 50,
        "distribution-0-recipient": "Bappeda Provinsi", "distribution-0-delivered_on": "2025-08-03",
        "distribution-0-copies": 5,
        "distribution-1-recipient": "", "distribution-1-delivered_on": "", "distribution-1-copies": "",
        "distribution-2-recipient": "", "distribution-2-delivered_on": "", "distribution-2-copies": "",
    })
    do_step(org["adb"], process, "backup", BACKUP)

    process.refresh_from_db()
    assert process.status == PROCESS.DONE
    assert process.return_count == 3
    returns = Review.objects.filter(process=process, decision=Review.RETURN)
    assert [r.notes for r in returns] == [
        "Tabel umur belum lengkap.", "Periksa rasio jenis kelamin.", "Kata pengantar kurang.",
    ]
    assert process.publications.get().distributions.get().recipient == "Bappeda Provinsi"
    actions = list(AuditEvent.objects.filter(process=process).values_list("action", flat=True))
    assert actions.count("return") == 3
    assert actions[0] == "start" and actions[-1] == "complete"
    assert "assign" in actions and "upload" in actions


def test_only_the_officers_named_in_the_sk_may_take_the_processing_step(bengkulu, dkb_file):
    org = bengkulu
    process = start_population(org["kadis"])
    form_team(org, process)  # names "tim" only, not "tim2"
    task = open_task(process, "process_data")
    response = client_for(org["tim2"]).post(task_url(process, task, "assign"))
    assert response.status_code == 403
    queue = client_for(org["tim2"]).get("/population/queue/").content.decode()
    assert f"/{task.pk}/" not in queue
    assert f"/{task.pk}/" in client_for(org["tim"]).get("/population/queue/").content.decode()


def test_a_return_without_a_reason_is_refused_and_keeps_the_task_open(bengkulu, dkb_file):
    org = bengkulu
    process = start_population(org["kadis"])
    form_team(org, process)
    process_dkb(org["tim"], process, dkb_file)
    response = do_step(org["kasi"], process, "correct", {"decision": "return", "notes": "  "}, expect=200)
    assert "Tuliskan alasan pengembalian" in response.content.decode()
    assert open_task(process, "correct").status == STATUS.ASSIGNED


def test_task_page_shows_the_sop_step_header_and_history(bengkulu):
    org = bengkulu
    process = start_population(org["kadis"])
    task = open_task(process, "form_team")
    client = client_for(org["kabid"])
    client.post(task_url(process, task, "assign"))
    page = client.get(task_url(process, task, "execute")).content.decode()
    assert "Membentuk Tim Teknis" in page
    assert "2 jam" in page
    assert "SK Tim Pengolahan dan Penyajian Data" in page
    assert "Komputer, Printer, ATK" in page
    assert "memulai proses" in page and "mengambil tugas" in page


def test_upload_is_stored_outside_the_web_root_under_a_random_name(bengkulu, dkb_file, settings):
    org = bengkulu
    process = start_population(org["kadis"])
    form_team(org, process)
    upload_dkb(org["tim"], process, dkb_file)
    upload = DkbUpload.objects.get()
    path = upload.file.path
    assert path.startswith(str(settings.PRIVATE_STORAGE_DIR))
    assert "dkb_bengkulu" not in path
    assert upload.original_name == "dkb_bengkulu.csv"
    assert "NIK" in upload.columns


def test_step_3_aggregates_in_the_background_and_shows_the_tables_before_handing_over(bengkulu, dkb_file):
    org = bengkulu
    process = start_population(org["kadis"])
    form_team(org, process)
    upload_dkb(org["tim"], process, dkb_file)
    task = open_task(process, "process_data")
    run = AggregationRun.objects.get()
    assert run.status == AggregationRun.QUEUED
    client = client_for(org["tim"])
    page = client.get(task_url(process, task, "execute")).content.decode()
    assert "Menunggu giliran pengolahan" in page and "<progress" in page
    # Handing over before the tables exist is refused, and the task stays open.
    response = client.post(task_url(process, task, "execute"), {"notes": "x"})
    assert "Belum ada tabel agregat yang selesai diolah" in response.content.decode()

    call_command("run_jobs", "--once", stdout=StringIO())
    run.refresh_from_db()
    assert run.status == AggregationRun.DONE and run.percent == 100
    status = client.get(f"/berkas/{process.pk}/olah/{run.pk}/status/").json()
    assert status["status"] == "done"
    page = client.get(task_url(process, task, "execute")).content.decode()
    total = sum(row["jumlah"] for row in run.result["tables"]["penduduk"])
    assert total == run.result["rows"]["used"] > 0
    assert "Kabupaten Rejang Lebong" in page and "Laporan kualitas data" in page
    # No personal data in what is stored with the process.
    assert "NIK" not in str(run.result["tables"]) and "WARGA" not in str(run.result)

    do_step(org["tim"], process, "process_data", {"notes": "Siap dikoreksi."})
    kasi_task = open_task(process, "correct")
    kasi = client_for(org["kasi"])
    kasi.post(task_url(process, kasi_task, "assign"))
    page = kasi.get(task_url(process, kasi_task, "execute")).content.decode()
    assert "Siap dikoreksi." in page and "Kabupaten Rejang Lebong" in page and "Laporan kualitas data" in page

    xlsx = kasi.get(f"/berkas/{process.pk}/tabel/{run.pk}.xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    csv_text = kasi.get(f"/berkas/{process.pk}/tabel/{run.pk}.csv").content.decode("utf-8-sig")
    assert csv_text.splitlines()[0] == "tingkat,tabel,kode,wilayah,kategori,keterangan,laki_laki,perempuan,jumlah"
    assert f"kabupaten,penduduk,17.02,Kabupaten Rejang Lebong" in csv_text
    assert AuditEvent.objects.filter(process=process, action="download").count() == 2


def test_a_file_the_engine_cannot_use_shows_its_message_and_leaves_the_task_open(bengkulu, tmp_path):
    org = bengkulu
    process = start_population(org["kadis"])
    form_team(org, process)
    # Header and sample rows look fine; a region outside Bengkulu only shows in the full read.
    from workflows.dkb.generator import write_dkb

    other = tmp_path / "sumbar.csv"
    write_dkb(other, province="13", rows=50, seed=3)
    response = upload_dkb(org["tim"], process, other, expect=200)
    assert "provinsi" in response.content.decode().lower()
    assert open_task(process, "process_data").status == STATUS.ASSIGNED


def advance_to_approval(org, dkb_file):
    process = start_population(org["kadis"])
    form_team(org, process)
    process_dkb(org["tim"], process, dkb_file)
    do_step(org["kasi"], process, "correct", {"decision": "approve"})
    do_step(org["kabid"], process, "validate", {"decision": "approve"})
    return process


def sign_print_and_distribute(org, process, printed_on="2025-08-01"):
    """Steps 6 to 8, as their officers do them, up to the ADB's backup (step 9)."""
    day = int(printed_on[-2:])
    do_step(org["kadis"], process, "approve", SIGN)
    do_step(org["kabid"], process, "receive", {"text": "Cetak."})
    do_step(org["kasi"], process, "print_distribute", {
        "copies": 5, "printed_on": printed_on, "published_on": printed_on, "channel": "Web",
        "instruction_to_adb": "Back-up.", "distribution-TOTAL_FORMS": 1, "distribution-INITIAL_FORMS": 0,
        "distribution-0-recipient": "Bappeda", "distribution-0-delivered_on": f"{printed_on[:-2]}{day + 1:02d}",
    })


def test_kadis_signature_needs_the_right_passphrase_and_validates_with_pyhanko(bengkulu, dkb_file):
    from workflows.models import SignedDocument
    from workflows.signing import verify_pdf

    org = bengkulu
    process = advance_to_approval(org, dkb_file)
    response = do_step(org["kadis"], process, "approve", {"decision": "approve", "passphrase": "salah"}, expect=200)
    assert "Passphrase salah" in response.content.decode()
    assert open_task(process, "approve").status == STATUS.ASSIGNED
    assert not SignedDocument.objects.exists()

    do_step(org["kadis"], process, "approve", SIGN)
    document = SignedDocument.objects.get()
    client = client_for(org["kabid"])
    pdf = client.get(f"/berkas/{process.pk}/dokumen/{document.pk}.pdf")
    content = b"".join(pdf.streaming_content)
    report = verify_pdf(content)
    assert report["intact"] and report["signer"] == "Kadis Uji"
    assert report["sha256"] == document.sha256

    # The public verification page (no login) matches the original and rejects an altered copy.
    public = Client()
    page = public.get(f"/verifikasi/{document.token}/")
    assert page.status_code == 200 and document.sha256 in page.content.decode()
    same = public.post(f"/verifikasi/{document.token}/", {"copy": SimpleUploadedFile("a.pdf", content)})
    assert "SAMA: salinan ini identik" in same.content.decode()
    altered = bytearray(content)
    altered[len(altered) // 2] ^= 0x01
    different = public.post(f"/verifikasi/{document.token}/", {"copy": SimpleUploadedFile("a.pdf", bytes(altered))})
    # One bit in the signed bytes: the signature no longer matches its content.
    assert "TIDAK SAH: tanda tangan pada salinan ini tidak cocok lagi dengan isinya" in different.content.decode()
    assert not verify_pdf(bytes(altered))["intact"]


def test_backup_writes_an_encrypted_archive_and_purges_the_raw_extract(bengkulu, dkb_file, settings):
    from workflows.sops.population.backup import BackupError, verify_backup

    org = bengkulu
    process = advance_to_approval(org, dkb_file)
    sign_print_and_distribute(org, process)
    short = do_step(org["adb"], process, "backup", {"password1": "pendek", "password2": "pendek"}, expect=200)
    assert "Kata sandi terlalu pendek. Harus mengandung setidaknya 12 karakter." in short.content.decode()
    mismatch = do_step(org["adb"], process, "backup", {"password1": BACKUP_PASSWORD, "password2": "lain-lain-lain-1"},
                       expect=200)
    assert "Kedua kata sandi tidak sama." in mismatch.content.decode()
    upload = process.dkb_uploads.get()
    raw_path = upload.file.path

    do_step(org["adb"], process, "backup", BACKUP)
    backup = process.backups.get()
    report = verify_backup(backup.location, BACKUP_PASSWORD, expected_sha256=backup.sha256)
    assert any(member["name"].startswith("dkb/") for member in report.members)
    with pytest.raises(BackupError):
        verify_backup(backup.location, "kata-sandi-yang-salah")
    upload.refresh_from_db()
    assert upload.purged_at is not None and not Path(raw_path).exists()
    assert AggregationRun.objects.get().result["tables"]["penduduk"]  # the tables stay
    assert BACKUP_PASSWORD not in AuditEvent.objects.filter(process=process).values_list("detail", flat=True)
    archive = client_for(org["adb"]).get(f"/berkas/{process.pk}/backup/{backup.pk}.7z")
    assert archive.status_code == 200
    assert client_for(org["staf"]).get(f"/berkas/{process.pk}/backup/{backup.pk}.7z").status_code == 404


def test_documents_download_for_the_organisation_and_are_audited(bengkulu, sumbar, dkb_file):
    org = bengkulu
    process = advance_to_approval(org, dkb_file)
    run = AggregationRun.objects.get()
    client = client_for(org["kasi"])
    draft = client.get(f"/berkas/{process.pk}/laporan/draf/{run.pk}.pdf")
    assert draft.status_code == 200 and draft.content[:4] == b"%PDF"
    sheet = client.get(f"/berkas/{process.pk}/lembar-kendali.pdf")
    assert sheet.status_code == 200 and sheet.content[:4] == b"%PDF"
    assert AuditEvent.objects.filter(process=process, action="download").count() == 2
    outsider = client_for(sumbar["kadis"])
    for url in (f"/berkas/{process.pk}/laporan/draf/{run.pk}.pdf", f"/berkas/{process.pk}/lembar-kendali.pdf"):
        assert outsider.get(url).status_code == 404


def test_the_process_chart_colours_a_reopened_step_by_its_latest_task(bengkulu, dkb_file):
    import re

    org = bengkulu
    process = advance_to_approval(org, dkb_file)
    do_step(org["kadis"], process, "approve", {"decision": "return", "notes": "Perbaiki kata pengantar."})
    do_step(org["kabid"], process, "validate", {"decision": "approve"})
    assert open_task(process, "approve").status == STATUS.NEW  # step 6 again, in the Kadis's queue
    svg = client_for(org["kasi"]).get(f"/population/{process.pk}/chart/").content.decode()
    classes = dict(re.findall(r'<g id="(\w+)" transform="[^"]*"(?: class="(\w+)")?>', svg))
    assert classes["approve"] == "new"  # the open round, not the returned one
    assert classes["validate"] == "done" and classes["receive"] == ""


@pytest.fixture
def trust_services():
    from .timestamping import LocalTrustServices

    services = LocalTrustServices()
    yield services
    services.close()


def signed_report(org, process):
    from workflows.models import SignedDocument

    document = SignedDocument.objects.get(process=process)
    response = client_for(org["kabid"]).get(f"/berkas/{process.pk}/dokumen/{document.pk}.pdf")
    return document, b"".join(response.streaming_content)


def test_the_qr_code_uses_the_base_url_and_the_page_names_the_report_by_its_cover(bengkulu, dkb_file, settings):
    from .test_signing import expected_modules
    from .timestamping import add_validation_data_again, draw_on_page, signature_qr

    settings.SOPFLOW_BASE_URL = "https://sopflow.contoh.go.id"
    org = bengkulu
    process = advance_to_approval(org, dkb_file)
    do_step(org["kadis"], process, "approve", SIGN)
    document, content = signed_report(org, process)
    url = f"https://sopflow.contoh.go.id/verifikasi/{document.token}/"
    assert signature_qr(content) == expected_modules(url)  # never the host the Kadis's browser named
    assert document.cover_title == "Laporan Data Kependudukan Semester I Tahun 2025 Provinsi Bengkulu"
    assert document.timestamped_at is None

    public = Client()
    page = public.get(f"/verifikasi/{document.token}/").content.decode()
    assert "Laporan Data Kependudukan Semester I Tahun 2025 Provinsi Bengkulu" in page
    assert " WIB" in page and "hanya menurut jam server SOPFlow" in page

    def judged(copy):
        return public.post(f"/verifikasi/{document.token}/", {"copy": SimpleUploadedFile("a.pdf", copy)}).content.decode()

    assert "SAMA: salinan ini identik" in judged(content)
    assert "ASLI, DISIMPAN ULANG" in judged(add_validation_data_again(content))
    assert "DIUBAH: salinan ini memuat tanda tangan dokumen ini" in judged(draw_on_page(content, page=2))
    position = content.index(b"/Producer") + 3  # inside the signed bytes
    forged = content[:position] + bytes([content[position] ^ 0x01]) + content[position + 1:]
    assert "TIDAK SAH" in judged(forged)
    from .test_signing import simple_pdf

    assert "tidak memuat tanda tangan elektronik" in judged(simple_pdf(1))
    assert "TIDAK SAMA: berkas ini rusak" in judged(b"%PDF-1.7 bukan laporan")


def test_with_a_timestamp_authority_the_report_is_b_lt_and_the_page_says_so(bengkulu, dkb_file, settings,
                                                                            trust_services):
    from workflows.signing import verify_pdf

    settings.SOPFLOW_TSA_URL = trust_services.tsa_url
    org = bengkulu
    process = advance_to_approval(org, dkb_file)
    do_step(org["kadis"], process, "approve", SIGN)
    document, content = signed_report(org, process)
    report = verify_pdf(content)
    assert report["intact"] and report["certified"] and report["timestamp"] is not None
    assert report["validation_data"]["certs"] >= 3  # signer, demo CA, TSA (its CA is the demo CA's twin)
    assert document.timestamped_at == report["timestamp"] == document.signed_at
    page = Client().get(f"/verifikasi/{document.token}/").content.decode()
    assert "Dijamin cap waktu (RFC 3161)" in page and "hanya menurut jam server" not in page


def assert_failed_without_a_trace(org, process, response, message, files_before):
    from workflows.models import SignedDocument

    from .timestamping import document_files
    from django.conf import settings

    assert message in response.content.decode()
    assert open_task(process, "approve").status == STATUS.ASSIGNED
    assert not SignedDocument.objects.filter(process=process).exists()
    assert document_files(settings) == files_before  # neither a signed file nor a temporary one
    failed = AuditEvent.objects.filter(process=process, action=AuditEvent.Action.SIGN_FAILED).order_by("-pk").first()
    assert failed is not None and failed.actor == org["kadis"] and message in failed.detail
    assert SIGNING_PASSPHRASE not in failed.detail and "salah-sekali" not in failed.detail


def test_a_failed_local_signing_leaves_no_file_and_is_audited(bengkulu, dkb_file, settings):
    from .conftest import run_worker
    from .timestamping import document_files, unused_url

    org = bengkulu
    process = advance_to_approval(org, dkb_file)
    run_worker()  # the unsigned final report is rendered
    before = document_files(settings)
    wrong = do_step(org["kadis"], process, "approve", {"decision": "approve", "passphrase": "salah-sekali"}, expect=200)
    assert_failed_without_a_trace(org, process, wrong, "Passphrase salah", before)
    settings.SOPFLOW_TSA_URL = unused_url()  # the TSA is down: the key signed nothing that is kept
    down = do_step(org["kadis"], process, "approve", SIGN, expect=200)
    assert_failed_without_a_trace(org, process, down, "Server cap waktu (TSA)", before)


def test_a_failed_bsre_signing_leaves_no_file_and_is_audited(bengkulu, dkb_file, settings, server):
    from .conftest import run_worker
    from .test_signing_bsre import PASSPHRASE as BSRE_PASSPHRASE
    from .timestamping import document_files, use_bsre

    org = bengkulu
    use_bsre(org["kadis"], settings, server)
    process = advance_to_approval(org, dkb_file)
    run_worker()
    before = document_files(settings)
    wrong = do_step(org["kadis"], process, "approve", {"decision": "approve", "passphrase": "salah-sekali"}, expect=200)
    assert_failed_without_a_trace(org, process, wrong, "Passphrase anda salah", before)
    do_step(org["kadis"], process, "approve", {"decision": "approve", "passphrase": BSRE_PASSPHRASE})
    document, content = signed_report(org, process)
    assert verify_pdf_intact(content) and document.sha256 in Client().get(f"/verifikasi/{document.token}/").content.decode()


def verify_pdf_intact(content):
    from workflows.signing import verify_pdf

    return verify_pdf(content)["intact"]
