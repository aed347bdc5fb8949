"""Background jobs that recover, heavy step work outside the transaction, and files that are
either recorded or removed (issue: hardening what exists)."""

import os
import socket
import subprocess
import sys
import time
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db.models.signals import post_save
from django.test import Client
from viewflow.workflow.status import PROCESS, STATUS

from workflows.jobs import run_pending
from workflows.models import AuditEvent, SignedDocument
from workflows.sops.population.models import AggregationRun, BackupRecord, DkbUpload, FinalReport
from workflows.models.jobs import worker_id
from workflows.stored_files import sweep

from .conftest import client_for, do_step, open_task, process_dkb, start_population, task_url, upload_dkb
from .test_population_flow import BACKUP, SIGN, advance_to_approval, form_team, sign_print_and_distribute

TESTS = Path(__file__).parent


def dead_worker():
    """The worker id of a process of this machine that has ended."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return f"{socket.gethostname()}:{child.pid}"


def uploaded(org, dkb_file):
    process = start_population(org["kadis"])
    form_team(org, process)
    upload_dkb(org["tim"], process, dkb_file)
    return process, AggregationRun.objects.get(upload__process=process)


def files_under(directory):
    return sorted(p.relative_to(directory).as_posix() for p in Path(directory).rglob("*") if p.is_file())


# Jobs ------------------------------------------------------------------------------------------

def test_a_run_whose_worker_died_is_taken_up_again_and_finishes(bengkulu, dkb_file):
    process, run = uploaded(bengkulu, dkb_file)
    claimed = AggregationRun.objects.claim_next(dead_worker())
    assert claimed.pk == run.pk and claimed.status == AggregationRun.RUNNING and claimed.attempts == 1

    assert run_pending(isolated=False) == 1
    run.refresh_from_db()
    assert run.status == AggregationRun.DONE and run.attempts == 2 and run.result["rows"]["read"] == 300


def test_a_run_whose_lease_ran_out_is_taken_up_again(bengkulu, dkb_file, settings):
    process, run = uploaded(bengkulu, dkb_file)
    AggregationRun.objects.claim_next(worker_id())  # this very process: alive, but silent
    settings.SOPFLOW_JOB_LEASE_SECONDS = 0.0
    time.sleep(0.01)
    assert AggregationRun.objects.recover_abandoned() == 1
    run.refresh_from_db()
    assert run.status == AggregationRun.QUEUED and "percobaan 2 dari 3" in run.message


def test_a_live_lease_is_left_alone(bengkulu, dkb_file):
    process, run = uploaded(bengkulu, dkb_file)
    AggregationRun.objects.claim_next(worker_id())
    assert AggregationRun.objects.recover_abandoned() == 0
    assert run_pending(isolated=False) == 0  # nothing queued: the running one is not taken twice
    run.refresh_from_db()
    assert run.status == AggregationRun.RUNNING


def test_after_the_last_attempt_the_run_fails_with_a_message_on_the_step_page(bengkulu, dkb_file, settings):
    org = bengkulu
    process, run = uploaded(org, dkb_file)
    for _attempt in range(settings.SOPFLOW_JOB_MAX_ATTEMPTS):
        assert AggregationRun.objects.claim_next(dead_worker()) is not None
        AggregationRun.objects.recover_abandoned()
    run.refresh_from_db()
    assert run.status == AggregationRun.FAILED and run.attempts == settings.SOPFLOW_JOB_MAX_ATTEMPTS
    assert AggregationRun.objects.claim_next(worker_id()) is None
    page = client_for(org["tim"]).get(task_url(process, open_task(process, "process_data"), "execute"))
    assert "Gagal setelah 3 kali percobaan" in page.content.decode()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_job_over_its_time_limit_is_stopped_and_failed(bengkulu, dkb_file, settings):
    """A worker child blocked on its input (a FIFO nobody writes to) is killed at the limit."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("a forked worker child needs a database other processes see; run with DATABASE_URL")
    settings.SOPFLOW_JOB_TIME_LIMIT_SECONDS = 3.0
    process, run = uploaded(bengkulu, dkb_file)
    path = Path(run.upload.file.path)
    path.unlink()
    os.mkfifo(path)
    started = time.monotonic()
    assert run_pending(isolated=True) == 1
    run.refresh_from_db()
    assert run.status == AggregationRun.FAILED and "batas waktu" in run.message
    assert time.monotonic() - started < 120


# Step 6 signs a report rendered in the background ---------------------------------------------

def test_the_final_report_is_rendered_after_step_5_and_step_6_only_signs_it(bengkulu, dkb_file, settings):
    org = bengkulu
    process = start_population(org["kadis"])
    form_team(org, process)
    process_dkb(org["tim"], process, dkb_file)
    do_step(org["kasi"], process, "correct", {"decision": "approve"})
    client = client_for(org["kabid"])
    task = open_task(process, "validate")
    client.post(task_url(process, task, "assign"))
    assert client.post(task_url(process, task, "execute"), {"decision": "approve"}).status_code == 302
    report = FinalReport.objects.get(process=process)
    assert report.status == FinalReport.QUEUED

    kadis = client_for(org["kadis"])
    approve = open_task(process, "approve")
    kadis.post(task_url(process, approve, "assign"))
    waiting = kadis.get(task_url(process, approve, "execute")).content.decode()
    assert "Laporan final sedang disiapkan" in waiting
    early = kadis.post(task_url(process, approve, "execute"), SIGN)
    assert early.status_code == 200 and "Laporan final belum siap ditandatangani" in early.content.decode()
    assert not SignedDocument.objects.exists()

    assert run_pending(isolated=False) == 1
    report.refresh_from_db()
    assert report.status == FinalReport.DONE and report.size > 10_000
    ready = kadis.get(task_url(process, approve, "execute")).content.decode()
    assert "Laporan final sudah disiapkan" in ready
    assert kadis.post(task_url(process, approve, "execute"), SIGN).status_code == 302
    document = SignedDocument.objects.get()
    assert Path(document.file.path).is_file() and document.file.name == f"documents/{process.pk}/{document.token}.pdf"
    # Nothing left in the documents folder but the rendered report and the signed copy.
    assert files_under(Path(settings.PRIVATE_STORAGE_DIR) / "documents") == sorted(
        [report.file.name.removeprefix("documents/"), document.file.name.removeprefix("documents/")]
    )


def test_a_failed_signing_is_audited_without_the_passphrase_and_leaves_no_file(bengkulu, dkb_file, settings):
    org = bengkulu
    process = advance_to_approval(org, dkb_file)
    do_step(org["kadis"], process, "approve", {"decision": "approve", "passphrase": "tebakan-salah-123"}, expect=200)
    event = AuditEvent.objects.get(action=AuditEvent.Action.SIGN_FAILED)
    assert event.actor == org["kadis"] and event.process_id == process.pk and "Passphrase salah" in event.detail
    assert "tebakan-salah-123" not in event.detail
    documents = Path(settings.PRIVATE_STORAGE_DIR) / "documents"
    assert [name for name in files_under(documents) if "final-" not in name] == []


# Step 9: the archive is recorded or removed, and a retry always works ------------------------

def test_a_backup_step_that_rolls_back_leaves_no_archive_and_the_retry_leaves_exactly_one(bengkulu, dkb_file, settings):
    org = bengkulu
    process = advance_to_approval(org, dkb_file)
    sign_print_and_distribute(org, process)
    extract = Path(DkbUpload.objects.filter(process=process).latest("pk").file.path)

    def fail_once(sender, instance, created, **kwargs):
        post_save.disconnect(fail_once, sender=BackupRecord)
        raise RuntimeError("the database went away while recording the archive")

    post_save.connect(fail_once, sender=BackupRecord)
    with pytest.raises(RuntimeError):
        do_step(org["adb"], process, "backup", BACKUP)
    assert files_under(settings.BACKUP_DIR) == []
    assert extract.is_file() and not BackupRecord.objects.exists()
    assert open_task(process, "backup").status == STATUS.ASSIGNED

    # A stray archive and a half-written one, as a killed web server would leave them, do not
    # block the retry either.
    Path(settings.BACKUP_DIR, "data-kependudukan-17-2025-semester-1-20250801-101500.7z").write_bytes(b"stray")
    Path(settings.BACKUP_DIR, ".partial-0123456789abcdef").write_bytes(b"half")
    do_step(org["adb"], process, "backup", BACKUP)
    record = BackupRecord.objects.get()
    process.refresh_from_db()
    assert process.status == PROCESS.DONE and Path(record.location).is_file()
    assert not extract.exists()

    # verify_backup compares the archive with the SHA-256 the database recorded for it.
    secret = Path(settings.BACKUP_DIR).parent / "sandi.txt"
    secret.write_text(BACKUP["password1"] + "\n")
    out = StringIO()
    call_command("verify_backup", record.location, "--password-file", str(secret), stdout=out)
    assert out.getvalue().startswith("OK") and "cocok dengan yang tercatat di basis data" in out.getvalue()
    secret.unlink()

    # A staging folder left by a killed backup: its files (hard links of an old extract keep the
    # extract's time) are neither strays nor removed while the folder is young.
    staging = Path(settings.BACKUP_DIR, ".partial-fedcba9876543210.stage")
    (staging / "isi" / "dkb").mkdir(parents=True)
    (staging / "isi" / "dkb" / "dkb-17-2025-s1-1.csv").write_bytes(b"NIK,NO_KK\n")
    old = time.time() - 2 * 86400
    os.utime(staging / "isi" / "dkb" / "dkb-17-2025-s1-1.csv", (old, old))
    report = sweep()
    assert staging.is_dir() and not report.removed_strays and not report.removed_temporary
    assert not [path for path in report.young_strays if ".stage" in str(path)]

    # The sweep removes what no row records once it is old enough, and keeps the archive.
    for path in Path(settings.BACKUP_DIR).iterdir():
        os.utime(path, (old, old))
    report = sweep()
    assert files_under(settings.BACKUP_DIR) == [Path(record.location).name]
    assert len(report.removed_strays) == 1 and len(report.removed_temporary) == 2
    assert not staging.exists() and sorted(Path(settings.BACKUP_DIR).iterdir()) == [Path(record.location)]


# Uploads and deletions ------------------------------------------------------------------------

def test_a_refused_upload_is_audited_and_leaves_no_file(bengkulu, settings):
    org = bengkulu
    process = start_population(org["kadis"])
    form_team(org, process)
    upload_dkb(org["tim"], process, TESTS / "data" / "dkb" / "missing_column.csv", expect=200)
    event = AuditEvent.objects.get(action=AuditEvent.Action.UPLOAD_REFUSED)
    assert event.actor == org["tim"] and event.detail
    assert files_under(settings.PRIVATE_STORAGE_DIR) == []
    assert not DkbUpload.objects.exists()


def test_an_upload_step_that_rolls_back_removes_the_stored_extract(bengkulu, dkb_file, settings):
    org = bengkulu
    process = start_population(org["kadis"])
    form_team(org, process)

    def fail_once(sender, instance, created, **kwargs):
        post_save.disconnect(fail_once, sender=AggregationRun)
        raise RuntimeError("the queue could not be written")

    post_save.connect(fail_once, sender=AggregationRun)
    with pytest.raises(RuntimeError):
        upload_dkb(org["tim"], process, dkb_file)
    assert files_under(settings.PRIVATE_STORAGE_DIR) == [] and not DkbUpload.objects.exists()
    upload_dkb(org["tim"], process, dkb_file)
    upload = DkbUpload.objects.get()
    assert files_under(settings.PRIVATE_STORAGE_DIR) == [upload.file.name]


def test_the_sweep_purges_the_raw_extract_of_a_cancelled_process_and_audits_it(bengkulu, dkb_file, settings):
    org = bengkulu
    process, run = uploaded(org, dkb_file)
    upload = run.upload
    path = Path(upload.file.path)
    assert path.is_file()
    process.status = PROCESS.CANCELED
    process.save()
    report = sweep()
    upload.refresh_from_db()
    assert report.purged == 1 and not path.exists() and upload.purged_at is not None and not upload.file
    assert AuditEvent.objects.filter(action=AuditEvent.Action.PURGE, process=process).count() == 1
    response = client_for(org["tim"]).get(f"/berkas/{process.pk}/dkb/{upload.pk}/")
    assert response.status_code == 404


def test_deleting_an_evidence_row_removes_its_file_and_is_audited(sumbar, django_capture_on_commit_callbacks, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from workflows.sops.utilization.models import Evidence

    from .conftest import start_utilization

    org = sumbar
    process = start_utilization(org["kabid"])
    do_step(org["kasi"], process, "instruct_staff", {"text": "Kumpulkan.", "staff": [org["staf"].pk]})
    task = open_task(process, "fill_list")
    client = client_for(org["staf"])
    client.post(task_url(process, task, "assign"))
    opd = org.organisation.opds.first()
    response = client.post(task_url(process, task, "execute"), {
        "action": "add", "opd": opd.pk, "use_type": "nik", "access_method": "web_service",
        "pks_number": "1/PKS/2025", "pks_date": "2025-02-01", "pks_expiry": "2030-02-01", "purpose": "Verifikasi",
        "uses": 10, "evidence": SimpleUploadedFile("pks.pdf", b"%PDF-1.4 data dukung", content_type="application/pdf"),
    })
    assert response.status_code == 302, response.content.decode()[:500]
    evidence = Evidence.objects.get()
    path = Path(evidence.file.path)
    assert path.is_file()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(task_url(process, task, "execute"), {"action": "delete", "entry": evidence.entry_id})
    assert not Evidence.objects.exists() and not path.exists()
    assert AuditEvent.objects.filter(action=AuditEvent.Action.PURGE, process=process).count() == 1


def test_the_public_verification_page_stays_anonymous(bengkulu):
    assert Client().get("/verifikasi/00000000-0000-0000-0000-000000000000/").status_code == 404
