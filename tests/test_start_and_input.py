"""Starting processes and bad input: clear Indonesian messages, typed values kept, nothing lost."""

import gzip
import io
import subprocess
import sys

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from viewflow.workflow.status import STATUS

from workflows.models import AuditEvent, SopProcess
from workflows.sops.population.models import DkbUpload

from .authorisation import make_org_admin
from .conftest import client_for, do_step, open_task, start_population, start_utilization, task_url


def test_a_second_process_for_the_same_semester_is_refused_with_a_clear_message(bengkulu):
    first = start_population(bengkulu["kadis"], 2025, 1)
    response = client_for(bengkulu["kadis"]).post("/population/start/", {"year": 2025, "semester": 1, "text": "Lagi."})
    page = response.content.decode()
    assert response.status_code == 200
    assert f"Proses untuk Semester I 2025 sudah ada di organisasi ini (#{first.pk})" in page
    assert SopProcess.objects.count() == 1
    # Another semester is fine.
    start_population(bengkulu["kadis"], 2025, 2)


def test_the_same_semester_may_run_in_another_organisation_and_after_a_cancel(bengkulu, sumbar):
    first = start_population(bengkulu["kadis"], 2025, 1)
    start_population(sumbar["kadis"], 2025, 1)
    # Cancelling is the organisation's admin's (issue 8); the Kadis may not.
    assert client_for(bengkulu["kadis"]).post(f"/population/{first.pk}/cancel/", {"_cancel_process": 1}).status_code == 403
    response = client_for(make_org_admin(bengkulu)).post(f"/population/{first.pk}/cancel/", {"_cancel_process": 1})
    assert response.status_code == 302
    first.refresh_from_db()
    assert first.cancelled
    assert AuditEvent.objects.filter(process=first, action="cancel_process").exists()
    start_population(bengkulu["kadis"], 2025, 1)


def test_start_form_answers_missing_and_invalid_fields_in_indonesian(bengkulu, sumbar):
    response = client_for(bengkulu["kadis"]).post("/population/start/", {"year": "1800", "semester": "", "text": ""})
    page = response.content.decode()
    assert "Tahun harus antara 2000 dan 2100." in page
    assert "Bidang ini tidak boleh kosong." in page
    assert 'value="1800"' in page
    response = client_for(sumbar["kabid"]).post(
        "/utilization/start/", {"year": 2026, "period_type": "semester", "period_number": 3, "text": "x"}
    )
    assert "Semester hanya sampai periode ke-2." in response.content.decode()


def test_triwulan_and_year_periods_are_labelled_and_unique(sumbar):
    process = start_utilization(sumbar["kabid"], 2026, "tahun", 1)
    assert process.period_label == "Tahun 2026"
    response = client_for(sumbar["kabid"]).post(
        "/utilization/start/", {"year": 2026, "period_type": "tahun", "period_number": 1, "text": "x"}
    )
    assert "sudah ada" in response.content.decode()


@pytest.fixture
def at_upload_step(bengkulu):
    process = start_population(bengkulu["kadis"])
    do_step(bengkulu["kabid"], process, "form_team", {"number": "1", "date": "2025-07-01", "members": [bengkulu["tim"].pk]})
    task = open_task(process, "process_data")
    client = client_for(bengkulu["tim"])
    client.post(task_url(process, task, "assign"))
    return process, task, client


def post_upload(at_upload_step, name, content, cutoff="2025-06-30"):
    process, task, client = at_upload_step
    response = client.post(task_url(process, task, "execute"), {
        "action": "upload", "upload": SimpleUploadedFile(name, content), "source": "DKB", "cutoff_date": cutoff,
    })
    return response, response.content.decode()


def xlsx_bytes():
    book = openpyxl.Workbook()
    book.active.append(["NIK", "NO_KK"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize("name, content, message", [
    ("kosong.csv", b"", "kosong"),
    ("sampah.csv", bytes(range(256)) * 40, "bukan"),
    ("laporan.csv", None, "Excel"),
    ("kolom.csv", b"NIK,NAMA\n1771010101900001,X\n", "Kolom wajib tidak ditemukan"),
    ("rusak.csv.gz", "truncated-gzip", "gzip"),
])
def test_unusable_uploads_are_refused_the_task_stays_open_and_typed_values_are_kept(
    at_upload_step, dkb_file, name, content, message
):
    process, task, _ = at_upload_step
    if content is None:
        content = xlsx_bytes()
    elif content == "truncated-gzip":
        packed = gzip.compress(dkb_file.read_bytes())
        content = packed[: len(packed) // 2]
    response, page = post_upload(at_upload_step, name, content)
    assert response.status_code == 200
    assert message.lower() in page.lower(), page[page.find("sop-field__errors"):][:600]
    assert 'value="2025-06-30"' in page  # what the user entered is kept
    task.refresh_from_db()
    assert task.status == STATUS.ASSIGNED
    assert not DkbUpload.objects.exists()


def test_an_upload_above_the_size_limit_is_refused_with_the_limit_in_the_message(at_upload_step, settings, dkb_file):
    settings.DKB_UPLOAD_MAX_MB = 0.01  # about 10 kB
    response, page = post_upload(at_upload_step, "besar.csv", dkb_file.read_bytes())
    # Cut off while streaming in (workflows/uploads.py): the limit and the size sent are named.
    assert "Berkas terlalu besar (batas 10,2\xa0KB)" in page and "Unggahan dihentikan" in page
    assert not DkbUpload.objects.exists()


def test_a_refused_upload_leaves_no_file_behind(at_upload_step, settings):
    post_upload(at_upload_step, "kolom.csv", b"NIK,NAMA\n1771010101900001,X\n")
    leftovers = list((settings.PRIVATE_STORAGE_DIR).rglob("*.*")) if settings.PRIVATE_STORAGE_DIR.exists() else []
    assert leftovers == []


def test_production_mode_refuses_to_start_without_secret_key_or_allowed_hosts(tmp_path):
    script = "import django; django.setup()"
    # SOPFLOW_ENV_FILE="": the .env that `make run` wrote on this machine must not supply the key.
    base = {"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "sopflow.settings", "DJANGO_DEBUG": "0", "SOPFLOW_ENV_FILE": "",
            "SOPFLOW_VAR_DIR": str(tmp_path)}
    no_key = subprocess.run([sys.executable, "-c", script], env=base, capture_output=True, text=True)
    assert no_key.returncode != 0 and "DJANGO_SECRET_KEY is not set" in no_key.stderr
    no_hosts = subprocess.run(
        [sys.executable, "-c", script], env={**base, "DJANGO_SECRET_KEY": "x" * 50}, capture_output=True, text=True
    )
    assert no_hosts.returncode != 0 and "DJANGO_ALLOWED_HOSTS is not set" in no_hosts.stderr
    ok = subprocess.run(
        [sys.executable, "-c", script],
        env={**base, "DJANGO_SECRET_KEY": "x" * 50, "DJANGO_ALLOWED_HOSTS": "sopflow.example",
             "SOPFLOW_BASE_URL": "https://sopflow.example"},
        capture_output=True, text=True,
    )
    assert ok.returncode == 0, ok.stderr


def test_audit_trail_is_append_only(bengkulu):
    process = start_population(bengkulu["kadis"])
    event = AuditEvent.objects.filter(process=process).first()
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.all().update(detail="x")
    with pytest.raises(PermissionError):
        AuditEvent.objects.all().delete()


def test_process_page_shows_the_audit_trail_and_the_control_sheet(bengkulu):
    process = start_population(bengkulu["kadis"])
    task = open_task(process, "form_team")
    client_for(bengkulu["kabid"]).post(task_url(process, task, "assign"))
    client_for(bengkulu["kabid"]).post(task_url(process, task, "unassign"))
    page = client_for(bengkulu["kasi"]).get(f"/population/{process.pk}/").content.decode()
    assert "Lembar Kendali Mutu Baku" in page
    for text in ("memulai proses", "mengambil tugas", "melepaskan tugas", "Pembentukan Tim (SK)", "7 hari"):
        assert text in page, text


def test_a_cut_off_date_outside_the_semester_is_refused(at_upload_step, dkb_file):
    response, page = post_upload(at_upload_step, "dkb.csv", dkb_file.read_bytes(), cutoff="2025-12-31")
    assert "Tanggal posisi data harus di dalam Semester I 2025" in page
    assert not DkbUpload.objects.exists()
