"""SOP A clicked through in a real (headless) Chromium, one officer after another.

Every role logs in through the login form, finds its work the way a person does (the
dashboard, the Antrean/Kotak Masuk lists, the task link), claims it with "Ambil dan lanjutkan",
fills the step's form and presses the step's button. The team member uploads the DKB extract
through the file input and watches the page until the background worker (run here as
`run_jobs --once`) has aggregated it; the Kasi returns the draft once with a note, which the
team member reads on the reopened task and answers. Screenshots of the step-3 page and of the
finished process go to the test's tmp_path and to /tmp/sopflow-shots/.

With SOPFLOW_BROWSER_BASE_URL the first test drives an already running SOPFlow instead of a live
test server (CI: the production recipe behind nginx, see .ci/run): the officers are then the
demo logins of `manage.py seed_demo`, the period is one the seed leaves free, that server's own
`run_jobs` does the background work, and what is checked is what the pages show.
"""

import os
import re
import shutil
from io import StringIO
from pathlib import Path

import pytest

# Playwright's sync API runs an asyncio loop in this thread; Django's ORM refuses to run under
# a running loop unless told this is fine (it is: the ORM calls here are plain, sequential).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from django.core.management import call_command  # noqa: E402
from viewflow.workflow.status import PROCESS  # noqa: E402

from tests.conftest import SIGNING_PASSPHRASE, do_step, make_org, process_dkb, start_population  # noqa: E402
from workflows.models import SopProcess  # noqa: E402

sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright for Python is not installed")
expect = sync_api.expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# Generous waits: the live server may share a small, busy machine; a page normally shows in < 1 s.
TIMEOUT_MS = 20_000
# Steps that do real work in the background (aggregation, rendering) show their progress; wait
# for it to end, however long a loaded machine takes.
WORK_TIMEOUT_MS = 300_000
SHOTS_DIR = Path("/tmp/sopflow-shots")
STEP_TITLES = {
    1: "Perintah pembentukan tim",
    2: "Pembentukan Tim (SK)",
    3: "Pengolahan data kependudukan",
    4: "Koreksi laporan",
    5: "Validasi laporan",
    6: "Pengesahan laporan",
    7: "Perintah cetak dan publikasi",
    8: "Cetak, distribusi dan publikasi",
    9: "Back-up data",
}
EXTERNAL_URL = os.environ.get("SOPFLOW_BROWSER_BASE_URL", "").rstrip("/")
if EXTERNAL_URL:
    from workflows.management.commands.seed_demo import DEMO_PASSWORD, ROLE_NAMES

    # The seed's officers: "<role label> Bengkulu (demo)", one password for logins and the
    # Kadis's certificate; its SOP A processes are 2024 II and 2025 I, so 2026 I is free.
    YEAR, PASSWORD, PASSPHRASE = 2026, DEMO_PASSWORD, DEMO_PASSWORD
    NAMES = {role: f"{label} Bengkulu (demo)" for role, label in ROLE_NAMES.items()}
else:
    # make_org's officers: "<Role> BKL", password "pw".
    YEAR, PASSWORD, PASSPHRASE = 2025, "pw", SIGNING_PASSPHRASE
    NAMES = {role: f"{role.title()} BKL" for role in ("kadis", "kabid", "kasi", "tim", "adb")}
local_only = pytest.mark.skipif(bool(EXTERNAL_URL), reason="drives the test database; not an external server")
RETURN_NOTE = "Jelaskan baris yang ditolak dalam laporan kualitas data."
FIRST_NOTES = f"Diolah dari DKB semester I {YEAR}."
SECOND_NOTES = "Baris yang ditolak berkode wilayah di luar Bengkulu; sudah dilaporkan ke Ditjen Dukcapil."
HAND_OVER = "Serahkan draf ke Kasi (selesaikan langkah ini)"


@pytest.fixture
def org(request):
    if EXTERNAL_URL:
        return None  # the external server has its own (seeded) officers
    request.getfixturevalue("transactional_db")
    return make_org("bkl", "Disdukcapil Provinsi Bengkulu", "17", "Bengkulu")


@pytest.fixture
def base_url(request):
    return EXTERNAL_URL or request.getfixturevalue("live_server").url


@pytest.fixture
def browser():
    if not CHROMIUM.exists():
        message = f"browser test needs Chromium at {CHROMIUM} (Debian package 'chromium'); not installed"
        if os.environ.get("SOPFLOW_REQUIRE_BROWSER"):  # CI: a missing browser is an error
            pytest.fail(message)
        pytest.skip(message)
    expect.set_options(timeout=TIMEOUT_MS)
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def page(browser, base_url, request):
    # An Indonesian officer's browser (the app serves Bahasa Indonesia whatever the browser asks).
    # The external server's certificate may be self-made (CI): its errors are ignored.
    context = browser.new_context(
        base_url=base_url, locale="id-ID", viewport={"width": 1280, "height": 900},
        ignore_https_errors=bool(EXTERNAL_URL),
    )
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    yield page
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        # What the browser showed when it failed, kept where pytest's tmp rotation cannot reach.
        keep = SHOTS_DIR / "failures" / request.node.name
        keep.mkdir(parents=True, exist_ok=True)
        (keep / "page.html").write_text(page.content())
        page.screenshot(path=str(keep / "page.png"), full_page=True)
        print(f"browser state at failure: {page.url} -> {keep}/page.html, page.png")
    context.close()


def shoot(page, tmp_path, name):
    path = tmp_path / name
    page.screenshot(path=str(path), full_page=True)
    SHOTS_DIR.mkdir(parents=True, exist_ok=True)
    shutil.copy(path, SHOTS_DIR / name)
    return path


# --- what a person does ------------------------------------------------------------------------


def log_in(page, username):
    page.goto("/accounts/login/")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    expect(page).not_to_have_url(re.compile(r"/accounts/login/"))


def log_out(page):
    """Open the account menu under the name in the drawer; its "Keluar" entry is a POST form."""
    page.locator(".vf-page__menu-toggle-button").click()
    page.get_by_role("button", name="Keluar").click()
    # A logged-out page (today Django admin's "Keluar" page) or straight back at the login form.
    logged_out = page.get_by_role("heading", name="Keluar").or_(page.get_by_role("button", name="Masuk"))
    expect(logged_out.first).to_be_visible()
    expect(page.locator(".vf-page__menu-toggle-button")).to_have_count(0)  # no signed-in drawer


def open_from_list(page, list_name, step_title, process_pk=None):
    """Open Antrean (queue) or Kotak Masuk (inbox) from the menu and click the step's task
    (of process ``process_pk``: the list may hold other periods' tasks at the same step)."""
    page.get_by_role("link", name=re.compile(list_name)).first.click()
    expect(page.locator("h1.vf-card__title")).to_contain_text(list_name)
    rows = page.locator("table.vf-list__table tbody tr", has_text=step_title)
    if process_pk is not None:
        rows = rows.filter(has_text=f"#{process_pk}/")
    row = rows.first
    row.get_by_role("link").first.click()  # the task number, "#<process>/<task>"


def claim(page):
    """The task's index redirects a task nobody holds to viewflow's assign page."""
    expect(page).to_have_url(re.compile(r"/assign/$"))
    page.get_by_role("button", name="Ambil dan lanjutkan").click()
    expect(page).to_have_url(re.compile(r"/execute/$"))


def finish_step(page, number, button="Selesaikan langkah ini", timeout=TIMEOUT_MS):
    page.get_by_role("button", name=button, exact=True).click()
    expect(page.get_by_text(f"Langkah {number} ({STEP_TITLES[number]}) selesai.")).to_be_visible(timeout=timeout)


def expect_step_page(page, number):
    expect(page).to_have_url(re.compile(r"/execute/$"))
    expect(page.locator(".sop-step__number")).to_have_text(re.compile(rf"Langkah {number} dari 9", re.I))


def run_background_worker():
    """What `manage.py run_jobs` does beside the web server: aggregate the queued uploads.
    An external server runs its own worker; the page shows its progress either way."""
    if not EXTERNAL_URL:
        call_command("run_jobs", "--once", stdout=StringIO())


def take_from_queue(page, number, process_pk=None):
    open_from_list(page, "Antrean", STEP_TITLES[number], process_pk)
    claim(page)
    expect_step_page(page, number)


def review(page, number, decision_label, notes=""):
    page.get_by_label(decision_label).check()
    if notes:
        page.get_by_label("Catatan").fill(notes)
    finish_step(page, number)


# --- the tests ---------------------------------------------------------------------------------


def test_each_role_clicks_sop_a_from_kadis_order_to_backup(org, page, dkb_file, tmp_path):
    # 1. Kadis orders the team to be formed, from the SOP A dashboard's start card.
    log_in(page, "bkl.kadis")
    page.goto("/population/")
    page.get_by_role("link", name=re.compile("Perintah pembentukan tim", re.I)).click()
    expect(page.locator(".sop-step__number")).to_have_text(re.compile("Langkah 1 dari 9", re.I))
    page.get_by_label("Tahun").fill(str(YEAR))
    page.get_by_label("Semester").select_option(label="Semester I (posisi 30 Juni)")
    page.get_by_label("Perintah kepada Kabid PIAK").fill(f"Bentuk tim pengolahan data semester I {YEAR}.")
    page.get_by_role("button", name="Selesaikan langkah ini").click()
    started_message = page.get_by_text(re.compile(r"Proses #\d+ .* dimulai\."))
    expect(started_message).to_be_visible()
    process_pk = re.search(r"#(\d+)", started_message.inner_text()).group(1)
    log_out(page)

    # 2. Kabid takes the SK step from the queue and names one team member.
    log_in(page, "bkl.kabid")
    take_from_queue(page, 2, process_pk)
    expect(page.locator(".sop-history")).to_contain_text(f"{NAMES['kadis']} memulai proses")  # the hand-off
    page.get_by_label("Nomor SK Tim").fill(f"800/17/PIAK/{YEAR}")
    page.get_by_label("Tanggal SK").fill(f"{YEAR}-07-01")
    page.get_by_label(NAMES["tim"], exact=True).check()
    finish_step(page, 2)
    log_out(page)

    # 3. The member named in the SK uploads the extract; the background worker aggregates it
    # while the page shows the progress and reloads itself when the tables are ready.
    log_in(page, "bkl.tim")
    take_from_queue(page, 3, process_pk)
    page.get_by_label("Berkas ekstrak DKB/DWH").set_input_files(str(dkb_file))
    page.get_by_label("Sumber data").select_option("DKB")
    expect(page.get_by_label("Tanggal posisi data")).to_have_value(f"{YEAR}-06-30")  # end of semester I
    page.get_by_role("button", name="Unggah dan olah").click()
    expect(page.get_by_text("Berkas diterima dan sedang diolah.")).to_be_visible()
    expect(page.locator(".sop-run")).to_contain_text("dkb_bengkulu.csv")
    shoot(page, tmp_path, "sop-a-step3-queued.png")
    run_background_worker()
    expect(page.locator(".sop-run")).to_contain_text("100%", timeout=WORK_TIMEOUT_MS)
    expect(page.get_by_role("heading", name="Tabel agregat kependudukan")).to_be_visible()
    expect(page.get_by_role("link", name="Unduh XLSX")).to_be_visible()
    page.get_by_label("Catatan pengolahan untuk Kasi").fill(FIRST_NOTES)
    shoot(page, tmp_path, "sop-a-step3-process-data.png")
    finish_step(page, 3, button=HAND_OVER)
    log_out(page)

    # 4. Kasi reads the team's notes and tables on the task page and returns the work.
    log_in(page, "bkl.kasi")
    take_from_queue(page, 4, process_pk)
    expect(page.get_by_text(FIRST_NOTES)).to_be_visible()
    expect(page.get_by_role("heading", name="Tabel agregat kependudukan")).to_be_visible()
    review(page, 4, "Ada kekurangan: kembalikan ke Tim Teknis", RETURN_NOTE)
    log_out(page)

    # 3 again. The same member finds it in the inbox, already theirs, reads the note, and hands
    # the same tables over again with the explanation the Kasi asked for.
    log_in(page, "bkl.tim")
    open_from_list(page, "Kotak Masuk", STEP_TITLES[3], process_pk)
    expect_step_page(page, 3)
    # The reason is on the page: the history panel shows the return with the Kasi's note.
    expect(page.locator(".sop-history__event--return")).to_contain_text(RETURN_NOTE)
    expect(page.get_by_role("heading", name="Tabel agregat kependudukan")).to_be_visible()
    page.get_by_label("Catatan pengolahan untuk Kasi").fill(SECOND_NOTES)
    finish_step(page, 3, button=HAND_OVER)
    log_out(page)

    # 4 again. The correction comes back to the same Kasi, who approves.
    log_in(page, "bkl.kasi")
    open_from_list(page, "Kotak Masuk", STEP_TITLES[4], process_pk)
    expect_step_page(page, 4)
    expect(page.get_by_text(SECOND_NOTES)).to_be_visible()
    review(page, 4, "Benar: paraf dan teruskan ke Kabid PIAK")
    log_out(page)

    # 5. Kabid validates.
    log_in(page, "bkl.kabid")
    take_from_queue(page, 5, process_pk)
    review(page, 5, "Valid: teruskan ke Kepala Dinas")
    log_out(page)

    # 6. Kadis approves and signs with the certificate's passphrase.
    # The final report was queued for rendering when the Kabid validated; the page shows its
    # progress and reloads itself once the worker has rendered it.
    log_in(page, "bkl.kadis")
    take_from_queue(page, 6, process_pk)
    run_background_worker()
    expect(page.locator(".sop-run")).to_contain_text("Laporan final sudah disiapkan", timeout=WORK_TIMEOUT_MS)
    page.get_by_label("Sahkan dan tandatangani laporan").check()
    page.get_by_label("Passphrase sertifikat tanda tangan elektronik").fill(PASSPHRASE)
    # Signing runs inside the request (the key never leaves the server): on a busy machine it
    # takes longer than a click, so wait for its answer as long as for the worker's jobs.
    finish_step(page, 6, timeout=WORK_TIMEOUT_MS)
    log_out(page)

    # 7. Kabid receives the signed report and instructs the Kasi.
    log_in(page, "bkl.kabid")
    take_from_queue(page, 7, process_pk)
    page.get_by_label("Perintah kepada Kasi Pengolahan dan Penyajian Data").fill("Cetak 50 eksemplar.")
    finish_step(page, 7)
    log_out(page)

    # 8. Kasi prints, publishes and records one recipient in the distribution table.
    log_in(page, "bkl.kasi")
    take_from_queue(page, 8, process_pk)
    page.get_by_label("Jumlah eksemplar dicetak").fill("50")
    page.get_by_label("Tanggal cetak").fill(f"{YEAR}-08-01")
    page.get_by_label("Tanggal publikasi").fill(f"{YEAR}-08-02")
    page.get_by_label("Media publikasi").fill("Situs web dinas")
    page.get_by_label("Perintah kepada ADB").fill(f"Back-up data semester I {YEAR} ke folder berkata sandi.")
    page.locator("input[name='distribution-0-recipient']").fill("Bappeda Provinsi Bengkulu")
    page.locator("input[name='distribution-0-delivered_on']").fill(f"{YEAR}-08-03")
    page.locator("input[name='distribution-0-copies']").fill("5")
    finish_step(page, 8)
    log_out(page)

    # 9. ADB backs the data up: the process ends.
    log_in(page, "bkl.adb")
    take_from_queue(page, 9, process_pk)
    page.locator("input[name=password1]").fill(f"arsip-semester-satu-{YEAR}")
    page.get_by_label("Ulangi kata sandi arsip").fill(f"arsip-semester-satu-{YEAR}")
    finish_step(page, 9)

    # The finished process, as the ADB sees it.
    page.goto(f"/population/{process_pk}/")
    summary = page.locator(".sop-meta", has_text="Status")
    expect(summary).to_contain_text("Status: Selesai")
    expect(summary).to_contain_text("1 kali dikembalikan")
    expect(page.get_by_text("Bappeda Provinsi Bengkulu")).to_be_visible()
    expect(page.get_by_text(re.compile(rf"data-kependudukan-17-{YEAR}-semester-1-\d{{8}}-\d{{6}}\.7z")).first).to_be_visible()
    expect(page.get_by_text("Laporan bertanda tangan (PDF)")).to_be_visible()
    control = page.locator("table.sop-control tbody tr")
    expect(control).to_have_count(9)
    expect(control.nth(8)).to_contain_text("tepat waktu")  # the back-up step, done on time
    expect(control.nth(2)).to_contain_text("2 putaran")  # step 3 done twice
    # The audit history, oldest first: who did what at which step, the return with its note.
    history = page.locator(".sop-history__event")
    expect(history.first).to_contain_text(f"{NAMES['kadis']} memulai proses · langkah 1")
    uploaded = page.locator(".sop-history__event--upload")
    expect(uploaded).to_contain_text(f"{NAMES['tim']} mengunggah berkas · langkah 3")
    returned = page.locator(".sop-history__event--return")
    expect(returned).to_contain_text(f"{NAMES['kasi']} mengembalikan untuk diperbaiki · langkah 4")
    expect(returned.locator(".sop-history__detail")).to_have_text(RETURN_NOTE)
    expect(history.last).to_contain_text(f"{NAMES['adb']} menyelesaikan tugas · langkah 9")
    for number in range(2, 10):  # every step was claimed by someone
        claimed = page.locator(".sop-history__event--assign", has_text=f"langkah {number}")
        expect(claimed.first).to_be_visible()
    shoot(page, tmp_path, "sop-a-process-done.png")
    log_out(page)

    if EXTERNAL_URL:
        return  # its database is the server's own
    # What the clicks left in the database.
    process = SopProcess.objects.get(pk=process_pk)
    assert process.status == PROCESS.DONE
    assert process.dkb_uploads.count() == 1
    assert [d.notes for d in process.draft_submissions.order_by("created")] == [FIRST_NOTES, SECOND_NOTES]


@local_only
def test_a_returned_task_shows_the_reviewers_note_in_the_return_box(org, page, dkb_file):
    # Steps 1 to 4 over HTTP (the clicks are covered above); the reopened task in the browser.
    process = start_population(org["kadis"], year=2025, semester=1)
    do_step(org["kabid"], process, "form_team", {
        "number": "800/1/2025", "date": "2025-07-01", "members": [org["tim"].pk],
    })
    process_dkb(org["tim"], process, dkb_file)
    do_step(org["kasi"], process, "correct", {"decision": "return", "notes": RETURN_NOTE})

    log_in(page, "bkl.tim")
    open_from_list(page, "Kotak Masuk", STEP_TITLES[3])
    expect_step_page(page, 3)
    returned = page.locator(".sop-returned")
    expect(returned).to_contain_text("Dikembalikan dari langkah 4 untuk diperbaiki", timeout=3_000)
    expect(returned).to_contain_text(RETURN_NOTE)
