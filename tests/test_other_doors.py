"""The doors beside the SOP steps: login throttling, the public verification page, stored files.

- Login (django-axes through viewflow's login page): wrong passwords lock the user name and the
  address for the cool-off, the right password included; an administrator can unlock.
- /verifikasi/<token>/ accepts an anonymous upload: bounded in size (refused from its declared
  length, before it is read) and in number per address (429).
- Every stored file is 0600 in 0700 directories: DKB extract, signed report, evidence file.
"""

import stat
from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from workflows.models import SignedDocument
from workflows.sops.population.models import DkbUpload
from workflows.sops.utilization.models import Evidence, Opd

from .conftest import (
    SIGNING_PASSPHRASE,
    client_for,
    do_step,
    open_task,
    process_dkb,
    start_population,
    start_utilization,
    task_url,
)

LOGIN = "/accounts/login/"
LOCKED = "Terlalu banyak percobaan masuk yang gagal"


def log_in(client, username, password):
    return client.post(LOGIN, {"username": username, "password": password})


def logged_in_as(client):
    page = client.get("/", follow=False)
    return page.status_code == 200 or (page.status_code == 302 and LOGIN not in page["Location"])


# --- login throttling -------------------------------------------------------------------------


def test_twenty_wrong_logins_lock_the_account_until_the_cool_off_even_for_the_right_password(bengkulu, settings):
    client = Client()
    statuses = [log_in(client, "bkl.kasi", f"salah-{attempt}").status_code for attempt in range(20)]
    limit = settings.AXES_FAILURE_LIMIT
    assert limit == 10
    # Wrong passwords re-show the form until the limit; from the limit on, the lock page.
    assert statuses[: limit - 1] == [200] * (limit - 1)
    assert statuses[limit - 1 :] == [429] * (20 - limit + 1)

    refused = log_in(client, "bkl.kasi", "pw")
    page = refused.content.decode()
    assert refused.status_code == 429
    assert LOCKED in page and "30 menit" in page and "administrator" in page
    assert not logged_in_as(client)

    # Another address cannot use the locked user name either (the lock is per user as well).
    elsewhere = Client(REMOTE_ADDR="10.20.30.40")
    assert log_in(elsewhere, "bkl.kasi", "pw").status_code == 429

    # After the cool-off the right password works again.
    with time_machine.travel(timezone.now() + timedelta(minutes=31)):
        later = Client(REMOTE_ADDR="10.20.30.41")
        assert log_in(later, "bkl.kasi", "pw").status_code == 302
        assert logged_in_as(later)


def test_an_administrator_unlocks_a_locked_officer_with_the_axes_command(bengkulu):
    client = Client(REMOTE_ADDR="10.1.1.1")
    for attempt in range(10):
        log_in(client, "bkl.kabid", "salah")
    assert log_in(Client(REMOTE_ADDR="10.1.1.2"), "bkl.kabid", "pw").status_code == 429
    call_command("axes_reset_username", "bkl.kabid", stdout=StringIO())
    officer = Client(REMOTE_ADDR="10.1.1.2")
    assert log_in(officer, "bkl.kabid", "pw").status_code == 302
    assert logged_in_as(officer)


def test_one_address_guessing_many_user_names_is_locked_out_for_every_user_name(bengkulu):
    guesser = Client(REMOTE_ADDR="192.0.2.7")
    names = ["bkl.kadis", "bkl.kabid", "bkl.kasi", "bkl.tim", "bkl.tim2", "bkl.adb", "bkl.staf", "bkl.staf2",
             "bkl.sekretariat", "tidak.ada"]
    for name in names:
        log_in(guesser, name, "tebakan")
    # Each user name failed once only, but the address reached the limit: even a right password
    # from it is refused, while the same officer logs in from their own desk.
    assert log_in(guesser, "bkl.kadis", "pw").status_code == 429
    desk = Client(REMOTE_ADDR="192.0.2.8")
    assert log_in(desk, "bkl.kadis", "pw").status_code == 302


def test_behind_the_proxy_the_address_is_the_one_nginx_reports(bengkulu, settings):
    settings.SOPFLOW_BEHIND_PROXY = True
    # Everyone reaches gunicorn from 127.0.0.1; nginx names the real peer in X-Real-IP.
    attacker = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_REAL_IP="198.51.100.9")
    for attempt in range(10):
        log_in(attacker, f"nobody{attempt}", "x")
    assert log_in(attacker, "bkl.kasi", "pw").status_code == 429
    colleague = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_REAL_IP="198.51.100.10")
    assert log_in(colleague, "bkl.kasi", "pw").status_code == 302


def test_a_malformed_x_real_ip_falls_back_to_the_peer_address(bengkulu, settings):
    settings.SOPFLOW_BEHIND_PROXY = True
    response = log_in(Client(REMOTE_ADDR="127.0.0.1", HTTP_X_REAL_IP="bukan-alamat"), "bkl.kasi", "salah")
    assert response.status_code == 200  # the wrong password re-shows the form; no error page


def test_without_the_proxy_setting_a_forged_x_real_ip_changes_nothing(bengkulu, settings):
    settings.SOPFLOW_BEHIND_PROXY = False
    for attempt in range(10):
        log_in(Client(REMOTE_ADDR="203.0.113.5", HTTP_X_REAL_IP=f"10.9.9.{attempt}"), f"nobody{attempt}", "x")
    assert log_in(Client(REMOTE_ADDR="203.0.113.5", HTTP_X_REAL_IP="10.9.9.99"), "bkl.kasi", "pw").status_code == 429


def test_password_reset_is_not_offered_without_a_real_mail_server(db):
    # The suite's mail goes to the console (settings: no DJANGO_EMAIL_HOST): a reset link would
    # land in a log, so neither the pages nor the login page's link exist.
    assert Client().get("/accounts/password_reset/").status_code == 404
    login_page = Client().get(LOGIN).content.decode()
    assert "password_reset" not in login_page


# --- the public verification page -------------------------------------------------------------


def signed_document(org, dkb_file):
    """Steps 1 to 6 of SOP A over HTTP: the Kadis's signed report."""
    process = start_population(org["kadis"])
    do_step(org["kabid"], process, "form_team", {"number": "800/1/2025", "date": "2025-07-01", "members": [org["tim"].pk]})
    process_dkb(org["tim"], process, dkb_file)
    do_step(org["kasi"], process, "correct", {"decision": "approve"})
    do_step(org["kabid"], process, "validate", {"decision": "approve"})
    call_command("run_jobs", "--once", stdout=StringIO())  # the final report, rendered after step 5
    do_step(org["kadis"], process, "approve", {"decision": "approve", "passphrase": SIGNING_PASSPHRASE})
    return process, SignedDocument.objects.get(process=process)


class CountingInput:
    """A request body that records how much of it the server read."""

    def __init__(self, size):
        self.size = size
        self.read_bytes = 0

    def read(self, size=-1):
        size = self.size - self.read_bytes if size is None or size < 0 else min(size, self.size - self.read_bytes)
        self.read_bytes += size
        return b"x" * size

    def readline(self, size=-1):
        return self.read(min(size, 1024) if size and size > 0 else 1024)


def test_verification_upload_is_capped_rate_limited_and_still_compares_a_real_copy(bengkulu, dkb_file, settings):
    process, document = signed_document(bengkulu, dkb_file)
    url = f"/verifikasi/{document.token}/"
    content = document.file.open("rb").read()
    cap = settings.VERIFY_UPLOAD_MAX_MB * 1024 * 1024
    assert settings.VERIFY_UPLOAD_MAX_MB == 15 and len(content) < cap

    public = Client(REMOTE_ADDR="198.51.100.20")
    same = public.post(url, {"copy": SimpleUploadedFile("laporan.pdf", content)})
    assert same.status_code == 200 and "SAMA: salinan ini identik" in same.content.decode()

    # 16 MB, just over the cap: refused with a message, nothing compared.
    big = public.post(url, {"copy": SimpleUploadedFile("besar.pdf", b"%PDF" + b"0" * (16 * 1024 * 1024))})
    page = big.content.decode()
    assert big.status_code == 413
    assert "Berkas terlalu besar" in page and "15,0" in page
    assert "SAMA" not in page

    # Just over the cap, inside the room left for the form: refused while it streams in.
    edge = public.post(url, {"copy": SimpleUploadedFile("pas.pdf", b"%PDF" + b"0" * (cap + 1024))})
    assert edge.status_code == 413 and "Berkas terlalu besar" in edge.content.decode()
    # A copy larger than the default upload limit (5 MB) but under the cap is compared.
    padded = content + b"\n%" + b"0" * (6 * 1024 * 1024)
    accepted = public.post(url, {"copy": SimpleUploadedFile("salinan.pdf", padded)})
    # (6 MB of trailing bytes push the file's end marker out of where readers look for it.)
    assert accepted.status_code == 200 and "TIDAK SAMA: berkas ini rusak" in accepted.content.decode()

    # A 30 MB body is refused from its declared length: the server reads none of it.
    body = CountingInput(30 * 1024 * 1024)
    refused = Client(REMOTE_ADDR="198.51.100.21").generic(
        "POST", url, b"", content_type="multipart/form-data; boundary=xyz",
        CONTENT_LENGTH=str(body.size), **{"wsgi.input": body},
    )
    assert refused.status_code == 413
    assert body.read_bytes == 0

    # The CSRF check still applies to the uploads that are read.
    strict = Client(enforce_csrf_checks=True, REMOTE_ADDR="198.51.100.22")
    forged = strict.post(url, {"copy": SimpleUploadedFile("a.pdf", content)})
    assert forged.status_code == 403 and "Formulir ini sudah kedaluwarsa" in forged.content.decode()

    # Per address and hour: the first VERIFY_UPLOADS_PER_HOUR comparisons, then a clear 429.
    settings.VERIFY_UPLOADS_PER_HOUR = 3
    visitor = Client(REMOTE_ADDR="198.51.100.23")
    answers = [visitor.post(url, {"copy": SimpleUploadedFile("a.pdf", b"%PDF-1.4 lain")}).status_code for _ in range(5)]
    assert answers == [200, 200, 200, 429, 429]
    limited = visitor.post(url, {"copy": SimpleUploadedFile("a.pdf", b"%PDF")})
    assert "Terlalu banyak pencocokan dokumen dari alamat Anda" in limited.content.decode()
    # Looking at the page is not limited, and other visitors are not affected.
    assert visitor.get(url).status_code == 200
    assert Client(REMOTE_ADDR="198.51.100.24").post(url, {"copy": SimpleUploadedFile("a.pdf", content)}).status_code == 200


# --- stored files ------------------------------------------------------------------------------


def assert_private(path, root):
    path = Path(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600, f"{path}: {oct(path.stat().st_mode)}"
    directory = path.parent
    while True:
        assert stat.S_IMODE(directory.stat().st_mode) == 0o700, f"{directory}: {oct(directory.stat().st_mode)}"
        if directory == Path(root):
            break
        directory = directory.parent


def test_extract_signed_report_and_evidence_are_0600_in_0700_directories(bengkulu, sumbar, dkb_file, settings):
    root = Path(settings.PRIVATE_STORAGE_DIR)
    process, document = signed_document(bengkulu, dkb_file)
    extract = DkbUpload.objects.filter(process=process).latest("pk")
    assert_private(extract.file.path, root)
    assert_private(document.file.path, root)

    org = sumbar
    sop_b = start_utilization(org["kabid"])
    do_step(org["kasi"], sop_b, "instruct_staff", {"text": "Kumpulkan data dukung.", "staff": [org["staf"].pk]})
    task = open_task(sop_b, "fill_list")
    staff = client_for(org["staf"])
    assert staff.post(task_url(sop_b, task, "assign")).status_code == 302
    opd = Opd.objects.filter(organisation=org.organisation).first()
    response = staff.post(task_url(sop_b, task, "execute"), {
        "action": "add", "opd": opd.pk, "use_type": "nik", "access_method": "web_service",
        "pks_number": "PKS/1/2026", "pks_date": "2025-01-10", "pks_expiry": "2027-12-31",
        "purpose": "Verifikasi penerima bantuan", "uses": 10,
        "evidence": SimpleUploadedFile("pks.pdf", b"%PDF-1.4 data dukung sintetis", content_type="application/pdf"),
    })
    assert response.status_code == 302
    assert_private(Evidence.objects.get().file.path, root)


def test_the_var_folder_and_the_sqlite_database_are_private(tmp_path):
    import os
    import subprocess
    import sys

    var = tmp_path / "var"
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "SOPFLOW_", "DATABASE_URL"))}
    env.update(SOPFLOW_ENV="local", SOPFLOW_ENV_FILE="", DJANGO_SECRET_KEY="x" * 50, DJANGO_ALLOWED_HOSTS="localhost",
               SOPFLOW_VAR_DIR=str(var))
    result = subprocess.run([sys.executable, "manage.py", "migrate", "--noinput"], cwd=Path(__file__).parent.parent,
                            env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-2000:]
    assert stat.S_IMODE(var.stat().st_mode) == 0o700
    database = var / "sopflow.sqlite3"
    assert stat.S_IMODE(database.stat().st_mode) == 0o600
    for extra in var.glob("sopflow.sqlite3-*"):  # WAL and shared-memory files, while they exist
        assert stat.S_IMODE(extra.stat().st_mode) == 0o600
