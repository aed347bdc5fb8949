"""The SOP editor in a real (headless) Chromium: the SOP administrator logs in, opens "SOP Organisasi"
from the site menu, writes a two-step SOP, adds a third row with "Tambah baris" (the page's script
copies the empty row, no round trip), saves, and publishes it. Screenshots go to /tmp/sopflow-shots/.
"""

import os
import re
from pathlib import Path

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from workflows.authored.models import SopDefinition  # noqa: E402
from workflows.models import Position  # noqa: E402

from tests.browser.test_sop_a_clicked_through import (  # noqa: E402
    browser, log_in, page, shoot,  # noqa: F401  (fixtures)
)
from tests.conftest import make_org  # noqa: E402

sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright for Python is not installed")
expect = sync_api.expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def base_url(live_server):
    return live_server.url


def fill_row(page, index, number, kegiatan, pelaksana, amount, unit, kind, target=""):
    prefix = f"langkah-{index}-"
    page.locator(f"[name={prefix}number]").fill(str(number))
    page.locator(f"[name={prefix}kegiatan]").fill(kegiatan)
    page.locator(f"[name={prefix}position]").select_option(label=pelaksana)
    page.locator(f"[name={prefix}waktu_amount]").fill(str(amount))
    page.locator(f"[name={prefix}waktu_unit]").select_option(unit)
    page.locator(f"[name={prefix}kind]").select_option(kind)
    page.locator(f"[name={prefix}return_to]").fill(str(target))


def test_sop_admin_writes_and_publishes_a_sop_in_the_browser(page, tmp_path):
    org = make_org("bkl", "Disdukcapil Provinsi Bengkulu", "17", "Bengkulu")
    Position.objects.create(organisation=org.organisation, name="Operator Layanan", code="operator-layanan")
    officer = org["sekretariat"].officer
    officer.is_sop_admin = True
    officer.save(update_fields=["is_sop_admin"])

    log_in(page, "bkl.sekretariat")
    page.get_by_role("link", name="SOP Organisasi", exact=True).click()
    expect(page).to_have_url(re.compile(r"/sop-organisasi/$"))
    page.get_by_role("link", name="Susun SOP baru").click()

    page.locator("[name=code]").fill("LAYANAN-DATA")
    page.locator("[name=nomor]").fill("800/017/SOP-LD/2026")
    page.locator("[name=nama]").fill("Pelayanan Permintaan Data")
    # The new page has five empty rows; remove them down to two by leaving them empty.
    fill_row(page, 0, 1, "Menerima surat permohonan data", "Operator Layanan", 15, "menit", "perintah")
    fill_row(page, 1, 2, "Memeriksa surat permohonan", "Kepala Seksi", 1, "jam", "pemeriksaan", 1)
    rows = page.locator(".sop-editor__rows tr")
    before = rows.count()
    page.get_by_role("button", name="Tambah baris").click()
    expect(rows).to_have_count(before + 1)
    added = before  # the new row's index
    expect(page.locator(f"[name=langkah-{added}-number]")).to_have_value("3")  # after the filled rows
    fill_row(page, added, 3, "Mencatat layanan dalam register", "Operator Layanan", 10, "menit", "pencatatan")
    shoot(page, tmp_path, "editor-new-sop.png")
    page.get_by_role("button", name="Simpan draf").click()
    expect(page.get_by_text("Draf ini lengkap dan dapat diterbitkan")).to_be_visible()
    definition = SopDefinition.objects.get(code="LAYANAN-DATA")
    assert [(s.number, s.kind) for s in definition.draft().ordered_steps] == [
        (1, "perintah"), (2, "pemeriksaan"), (3, "pencatatan")]

    page.get_by_role("link", name="LAYANAN-DATA").click()
    page.get_by_role("button", name="Terbitkan").click()
    expect(page.get_by_role("cell", name="Unduh dokumen SOP (PDF)")).to_be_visible()
    shoot(page, tmp_path, "editor-published.png")
    assert definition.latest_published().number == 1
