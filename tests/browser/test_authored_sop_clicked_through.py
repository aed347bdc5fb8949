"""An organisation's own SOP, imported from its Permenpan table and run, in a real (headless) Chromium.

The SOP administrator imports a six-step SOP from an XLSX workbook the test writes (one
pemeriksaan that can return to step 3, one penandatanganan) and publishes it; then every
position it names logs in and does its step, the Kabid returns step 3 once with a note, the
Kadis signs the letter with the certificate's passphrase, and the operator records the outgoing
letter. Along the way the queue shows each step's deadline; at the end the control sheet PDF
lists the six steps with their Waktu and the time-performance dashboard shows the SOP.
"""

import io
import os
import re

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from openpyxl import Workbook  # noqa: E402
from pypdf import PdfReader  # noqa: E402
from viewflow.workflow.status import PROCESS  # noqa: E402

from tests.authored_sop import STEPS, add_operator  # noqa: E402
from tests.browser.test_sop_a_clicked_through import browser, log_in, log_out, page, shoot  # noqa: E402,F401
from tests.conftest import SIGNING_PASSPHRASE, make_org  # noqa: E402
from tests.test_authored_flow import blank_pdf  # noqa: E402
from workflows import sla  # noqa: E402
from workflows.authored.models import AuthoredProcess, SopDefinition  # noqa: E402
from workflows.models import Position, TaskSla  # noqa: E402

sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright for Python is not installed")
expect = sync_api.expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RETURN_NOTE = "Tambahkan rincian per desa pada lampiran data."
TITLES = {number: kegiatan for number, _kind, _code, kegiatan, *_rest in STEPS}


@pytest.fixture
def base_url(live_server):
    return live_server.url


def write_workbook(path, organisation):
    """The SOP as an agency would type it: position names, Waktu as written in SOPs."""
    names = {position.code: position.name for position in Position.objects.filter(organisation=organisation)}
    book = Workbook()
    identity = book.active
    identity.title = "Identitas"
    for key, value in [
        ("Nomor SOP", "800/017/SOP-LDK/2026"), ("Nama SOP", "Layanan Data dan Informasi Kependudukan"),
        ("Tanggal Pembuatan", "2 Januari 2026"), ("Tanggal Revisi", ""), ("Tanggal Efektif", "5 Januari 2026"),
        ("Disahkan oleh", "Kepala Dinas"),
        ("Dasar Hukum", "Undang-Undang Nomor 24 Tahun 2013\nPermendagri Nomor 102 Tahun 2019"),
        ("Kualifikasi Pelaksana", "Memahami tata naskah dinas\nMampu mengolah data agregat"),
        ("Keterkaitan", "SOP Pengelolaan Surat Masuk"), ("Peralatan/Perlengkapan", "Komputer\nJaringan internet"),
        ("Peringatan", "Data pribadi tidak diserahkan tanpa perjanjian kerja sama."),
        ("Pencatatan dan Pendataan", "Buku agenda surat keluar"),
    ]:
        identity.append([key, value])
    table = book.create_sheet("Prosedur")
    table.append(["No", "Kegiatan", "Pelaksana", "Kelengkapan", "Waktu", "Output", "Jenis", "Kembali ke", "Keterangan"])
    for number, kind, code, kegiatan, kelengkapan, amount, unit, output, return_to in STEPS:
        table.append([number, kegiatan, names[code], kelengkapan, f"{amount} {unit}", output, kind, return_to, ""])
    book.save(path)


def take(page, list_url, number, process_pk, claim=True):
    """Open the queue (or inbox), check the step's row shows its deadline, open the task."""
    page.goto(list_url)
    row = page.locator("table.vf-list__table tbody tr", has_text=f"#{process_pk}/").filter(
        has_text=f"{number}. ")
    expect(row).to_have_count(1)
    process = AuthoredProcess.objects.get(pk=process_pk)
    due = TaskSla.objects.filter(process=process, step_number=number, finished__isnull=True).get().due
    expect(row).to_contain_text(sla.format_moment(due, process.organisation.timezone))
    row.get_by_role("link").first.click()
    if claim:
        expect(page).to_have_url(re.compile(r"/assign/$"))
        page.get_by_role("button", name="Ambil dan lanjutkan").click()
    expect(page).to_have_url(re.compile(r"/execute/$"))
    expect(page.locator(".sop-step__number")).to_have_text(re.compile(rf"Langkah {number} dari 6", re.I))


def done(page, number, button="Selesaikan langkah ini"):
    page.get_by_role("button", name=button, exact=True).click()
    expect(page.get_by_text(re.compile(rf"Langkah {number} \(.*\) selesai\."))).to_be_visible()


def test_sop_admin_imports_a_sop_and_its_positions_carry_it_to_the_end(page, tmp_path):
    org = make_org("bkl", "Disdukcapil Provinsi Bengkulu", "17", "Bengkulu")
    add_operator(org, "bkl.operator")
    admin = org["sekretariat"].officer
    admin.is_sop_admin = True
    admin.save(update_fields=["is_sop_admin"])
    workbook = tmp_path / "sop-layanan-data.xlsx"
    write_workbook(workbook, org.organisation)

    # The SOP administrator imports the table and publishes it as version 1.
    log_in(page, "bkl.sekretariat")
    page.get_by_role("link", name="SOP Organisasi", exact=True).click()
    page.get_by_role("link", name="Impor dari XLSX").click()
    page.get_by_label("Workbook SOP (.xlsx)").set_input_files(str(workbook))
    page.get_by_label("Langsung terbitkan").check()
    page.get_by_role("button", name="Impor").click()
    expect(page).to_have_url(re.compile(r"/sop-organisasi/\d+/$"))
    definition = SopDefinition.objects.get(organisation=org.organisation)
    assert definition.latest_published().number == 1
    expect(page.locator("body")).to_contain_text("Layanan Data dan Informasi Kependudukan")
    shoot(page, tmp_path, "authored-imported.png")
    log_out(page)

    # 1. The operator starts it from the SOP's page: step 1 is done in the start form.
    log_in(page, "bkl.operator")
    page.goto(f"/sop-organisasi/{definition.pk}/")
    page.get_by_role("link", name="Mulai proses").click()
    expect(page.locator(".sop-step__number")).to_have_text(re.compile("Langkah 1 dari 6", re.I))
    page.get_by_label("Perihal").fill("Permohonan data agregat dari Bappeda")
    page.get_by_label("Catatan").fill("Surat permohonan dan KTP-el pemohon lengkap.")
    page.get_by_label("Berkas kelengkapan/output").set_input_files(
        files=[{"name": "permohonan.pdf", "mimeType": "application/pdf", "buffer": blank_pdf()}])
    page.get_by_role("button", name="Mulai proses").click()
    started = page.get_by_text(re.compile(r"Proses #\d+ .* dimulai\."))
    expect(started).to_be_visible()
    process_pk = int(re.search(r"#(\d+)", started.inner_text()).group(1))
    log_out(page)

    # 2. The Kasi finds the disposition step in the queue, with its deadline, and writes it.
    log_in(page, "bkl.kasi")
    take(page, "/sop/queue/", 2, process_pk)
    page.get_by_label("Isi perintah/disposisi untuk pelaksana berikutnya").fill("Siapkan data per kecamatan.")
    done(page, 2)
    log_out(page)

    # 3. The operator prepares the data and the draft letter.
    log_in(page, "bkl.operator")
    take(page, "/sop/queue/", 3, process_pk)
    expect(page.get_by_text("Siapkan data per kecamatan.")).to_be_visible()  # the disposition
    page.get_by_label("Catatan").fill("Data per kecamatan dan konsep surat terlampir.")
    page.get_by_label("Berkas kelengkapan/output").set_input_files(
        files=[{"name": "konsep-surat-jawaban.pdf", "mimeType": "application/pdf", "buffer": blank_pdf()}])
    done(page, 3)
    log_out(page)

    # 4. The Kabid returns it to step 3 with a note.
    log_in(page, "bkl.kabid")
    take(page, "/sop/queue/", 4, process_pk)
    expect(page.get_by_role("link", name="konsep-surat-jawaban.pdf")).to_be_visible()
    page.get_by_label(re.compile("Kembalikan ke langkah 3")).check()
    page.get_by_label("Catatan").fill(RETURN_NOTE)
    done(page, 4, button="Simpan keputusan")
    log_out(page)

    # 3 again: back in the operator's own inbox, with the Kabid's note on the page.
    log_in(page, "bkl.operator")
    take(page, "/sop/inbox/", 3, process_pk, claim=False)
    expect(page.locator(".sop-returned")).to_contain_text(RETURN_NOTE)
    page.get_by_label("Catatan").fill("Rincian per desa ditambahkan.")
    done(page, 3)
    log_out(page)

    # 4 again: the same Kabid approves.
    log_in(page, "bkl.kabid")
    take(page, "/sop/inbox/", 4, process_pk, claim=False)
    page.get_by_label("Sesuai, lanjutkan").check()
    done(page, 4, button="Simpan keputusan")
    log_out(page)

    # 5. The Kadis signs the draft letter with the certificate's passphrase.
    log_in(page, "bkl.kadis")
    take(page, "/sop/queue/", 5, process_pk)
    page.get_by_label("konsep-surat-jawaban.pdf").check()
    page.get_by_label("Passphrase sertifikat").fill(SIGNING_PASSPHRASE)
    done(page, 5, button="Tandatangani dan selesaikan")
    log_out(page)

    # 6. The operator records the outgoing letter: the process ends.
    log_in(page, "bkl.operator")
    take(page, "/sop/queue/", 6, process_pk)
    page.get_by_label("Nomor").fill("470/123/Disdukcapil/2026")
    page.get_by_label("Tanggal").fill("2026-12-01")
    done(page, 6)
    log_out(page)
    process = AuthoredProcess.objects.get(pk=process_pk)
    assert process.status == PROCESS.DONE

    # The Kasi reads the finished process, its control sheet and the dashboard.
    log_in(page, "bkl.kasi")
    page.goto(f"/sop/{process_pk}/")
    expect(page.locator("body")).to_contain_text("versi 1")
    shoot(page, tmp_path, "authored-finished.png")
    with page.expect_download() as download:
        page.get_by_role("link", name="Lembar Kendali Mutu Baku (PDF)").click()
    pdf = download.value.path().read_bytes()
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).split())
    for number, _kind, _code, _kegiatan, _kel, amount, unit, *_rest in STEPS:
        assert f"{amount} {unit}" in text, (number, amount, unit)
    for number in range(1, 7):
        assert re.search(rf"(^| ){number} ", text), number
    page.goto("/sla/")
    expect(page.locator("body")).to_contain_text(f"{definition.code} 4. Memeriksa konsep surat jawaban")
    shoot(page, tmp_path, "authored-dashboard.png")
