"""Upload size limits enforced while the body streams in (workflows/uploads.py), through HTTP.

A file past its view's limit is cut off: nothing of it stays in memory or on disk, the rest of
the body is drained, and the page answers with the form and "Berkas terlalu besar (batas ...)".
"""

import os
import stat

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, RequestFactory

from workflows.dkb.generator import write_dkb
from workflows.models import AuditEvent
from workflows.sops.population.models import DkbUpload
from workflows.sops.utilization.models import Evidence, Opd, UtilizationEntry
from workflows.uploads import (
    MB,
    LimitedUploadHandler,
    RefusedUpload,
    UploadLimit,
    UploadRefused,
    limit_for,
    refusal_error,
    temp_dir,
)

from .conftest import (
    client_for,
    do_step,
    form_errors,
    open_task,
    start_population,
    start_utilization,
    task_url,
)


def files_under(directory):
    return sorted(str(path) for path in directory.rglob("*") if path.is_file()) if directory.exists() else []


def step_3_process(org):
    """A SOP A process at step 3, claimed by the team member named in the SK."""
    from viewflow.workflow.status import STATUS

    from .test_population_flow import form_team

    process = start_population(org["kadis"])
    form_team(org, process)
    task = open_task(process, "process_data")
    if task.status == STATUS.NEW:
        assert client_for(org["tim"]).post(task_url(process, task, "assign")).status_code == 302
    return process


def test_dkb_upload_past_the_limit_is_cut_off_and_the_form_says_so(bengkulu, settings, tmp_path):
    settings.DKB_UPLOAD_MAX_MB = 1
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path / "upload-tmp")
    big = write_dkb(tmp_path / "besar.csv", province="17", rows=15000, seed=3)
    assert big.stat().st_size > 1.2 * MB
    process = step_3_process(bengkulu)
    task = open_task(process, "process_data")
    client = client_for(bengkulu["tim"])
    with open(big, "rb") as handle:
        response = client.post(
            task_url(process, task, "execute"),
            {"action": "upload", "upload": handle, "source": "DKB", "cutoff_date": "2025-06-30"},
        )
    assert response.status_code == 200
    errors = response.context["upload_form"].errors
    page = response.content.decode()
    assert "Berkas terlalu besar (batas 1,0\xa0MB)" in page, errors
    assert "Unggahan dihentikan dan tidak disimpan" in page
    assert DkbUpload.objects.count() == 0
    assert files_under(settings.PRIVATE_STORAGE_DIR) == []
    assert files_under(tmp_path / "upload-tmp") == []
    # The fields after the file were still read: the form keeps the typed cut-off date.
    assert 'value="2025-06-30"' in page
    # The refusal is in the audit trail (reason only, no file content).
    refused = AuditEvent.objects.filter(action=AuditEvent.Action.UPLOAD_REFUSED).get()
    assert "Berkas terlalu besar" in refused.detail


def test_dkb_upload_within_the_limit_is_accepted(bengkulu, settings, tmp_path, dkb_file):
    settings.DKB_UPLOAD_MAX_MB = 1
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path / "upload-tmp")
    assert dkb_file.stat().st_size < MB
    process = step_3_process(bengkulu)
    task = open_task(process, "process_data")
    with open(dkb_file, "rb") as handle:
        response = client_for(bengkulu["tim"]).post(
            task_url(process, task, "execute"),
            {"action": "upload", "upload": handle, "source": "DKB", "cutoff_date": "2025-06-30"},
        )
    assert response.status_code == 302, form_errors(response)
    assert DkbUpload.objects.get().size == dkb_file.stat().st_size
    assert files_under(tmp_path / "upload-tmp") == []  # nameless spill files: nothing to clean up


def test_evidence_file_past_its_limit_is_refused_and_nothing_is_saved(sumbar, settings, tmp_path):
    settings.EVIDENCE_UPLOAD_MAX_MB = 1
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path / "upload-tmp")
    process = start_utilization(sumbar["kabid"], year=2026, period_type="triwulan", number=2)
    do_step(sumbar["kasi"], process, "instruct_staff", {"text": "Kumpulkan.", "staff": [sumbar["staf"].pk]})
    task = open_task(process, "fill_list")
    client = client_for(sumbar["staf"])
    assert client.post(task_url(process, task, "assign")).status_code == 302
    opd = Opd.objects.filter(organisation=sumbar.organisation).first()
    data = {
        "action": "add",
        "opd": opd.pk,
        "use_type": "nik",
        "access_method": "web_service",
        "pks_number": "PKS/1/2026",
        "pks_date": "2025-01-10",
        "pks_expiry": "2027-12-31",
        "purpose": "Verifikasi penerima bantuan",
        "uses": 12,
        "evidence": [
            SimpleUploadedFile("kecil.pdf", b"%PDF-1.4 kecil", content_type="application/pdf"),
            SimpleUploadedFile(
                "pindaian-besar.pdf", b"%PDF-1.4 " + b"0" * (2 * MB), content_type="application/pdf"
            ),
        ],
    }
    response = client.post(task_url(process, task, "execute"), data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Berkas pindaian-besar.pdf terlalu besar (batas 1,0\xa0MB)" in page, form_errors(response)
    assert UtilizationEntry.objects.count() == 0 and Evidence.objects.count() == 0
    assert files_under(settings.PRIVATE_STORAGE_DIR) == []
    assert files_under(tmp_path / "upload-tmp") == []


def test_anonymous_post_to_a_page_that_needs_a_login_gets_the_small_default_cap(settings):
    settings.UPLOAD_DEFAULT_MAX_MB = 5
    request = RequestFactory().post("/population/1/process_data/2/execute/")
    from django.contrib.auth.models import AnonymousUser

    request.user = AnonymousUser()
    assert limit_for(request) == 5 * MB
    request.user = type("Officer", (), {"is_authenticated": True})()
    assert limit_for(request) == settings.DKB_UPLOAD_MAX_MB * MB
    assert limit_for(RequestFactory().post("/tidak-ada/")) == 5 * MB  # no view: the default


def test_limits_come_from_the_view_class_through_viewflows_wrapping(settings):
    """viewflow wraps the step views; the resolver still exposes the class and its limit."""
    from django.urls import resolve

    from workflows.sops.population.views import ProcessDataView
    from workflows.sops.utilization.views import FillListView

    assert resolve("/population/1/process_data/2/execute/").func.view_class is ProcessDataView
    assert resolve("/utilization/1/fill_list/3/execute/").func.view_class is FillListView
    settings.EVIDENCE_UPLOAD_MAX_MB = 7
    assert int(FillListView.max_upload_bytes) == 7 * MB
    assert repr(UploadLimit("EVIDENCE_UPLOAD_MAX_MB")) == "UploadLimit('EVIDENCE_UPLOAD_MAX_MB')"


def test_handler_stops_writing_at_the_limit_and_drops_what_it_wrote(settings, tmp_path):
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path / "upload-tmp")
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 64 * 1024
    request = RequestFactory().post("/tidak-ada/")
    handler = LimitedUploadHandler(request)
    handler.limit = 300 * 1024
    try:
        handler.new_file("upload", "dkb.csv", "text/csv", None)
    except Exception as stop:  # StopFutureHandlers: no other handler is asked
        assert type(stop).__name__ == "StopFutureHandlers"
    chunk = b"x" * (64 * 1024)
    for index in range(4):
        assert handler.receive_data_chunk(chunk, index * len(chunk)) is None
    spill = handler.file._file
    assert os.fstat(spill.fileno()).st_nlink == 0  # on disk, under no name
    assert not handler.file.closed
    handler.receive_data_chunk(chunk, 4 * len(chunk))  # 320 KB > 300 KB
    assert handler.file.closed and spill.closed
    for index in range(5, 40):  # the rest of the body is read and thrown away
        handler.receive_data_chunk(chunk, index * len(chunk))
    refused = handler.file_complete(40 * len(chunk))
    assert isinstance(refused, RefusedUpload) and refused.size == 40 * len(chunk)
    assert refusal_error(refused).startswith("Berkas terlalu besar (batas 300,0\xa0KB)")
    try:
        refused.read()
    except UploadRefused:
        pass
    else:
        raise AssertionError("a refused upload must not be readable")
    assert files_under(tmp_path / "upload-tmp") == []


def test_spill_directory_is_private(settings, tmp_path):
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path / "spill")
    (tmp_path / "spill").mkdir(mode=0o755)
    directory = temp_dir()
    assert stat.S_IMODE(directory.stat().st_mode) == 0o700
    handler = LimitedUploadHandler(RequestFactory().post("/tidak-ada/"))
    handler.limit = 10 * MB
    try:
        handler.new_file("upload", "a.csv", "text/csv", None)
    except Exception:
        pass
    handler.receive_data_chunk(b"y" * (settings.FILE_UPLOAD_MAX_MEMORY_SIZE + 1), 0)
    spill = handler.file._file
    assert stat.S_IMODE(os.fstat(spill.fileno()).st_mode) == 0o600
    uploaded = handler.file_complete(settings.FILE_UPLOAD_MAX_MEMORY_SIZE + 1)
    assert b"".join(uploaded.chunks()) == b"y" * (settings.FILE_UPLOAD_MAX_MEMORY_SIZE + 1)
    uploaded.close()


def test_unknown_urls_and_plain_forms_get_the_default_cap_over_http(db, settings, tmp_path):
    """A POST with a big file anywhere else (here the login page) is cut off at the default."""
    settings.UPLOAD_DEFAULT_MAX_MB = 1
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path / "upload-tmp")
    response = Client().post(
        "/accounts/login/",
        {"username": "x", "password": "y", "lampiran": SimpleUploadedFile("a.bin", b"z" * (2 * MB))},
    )
    assert response.status_code in (200, 302, 403)
    assert files_under(tmp_path / "upload-tmp") == []
