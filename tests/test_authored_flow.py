"""An authored SOP runs through the interpreter like a built-in one, over HTTP as a browser does."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from pypdf import PdfWriter
from viewflow.workflow.status import PROCESS, STATUS

from workflows.authored.models import AuthoredProcess, StepAttachment, VersionStep
from workflows.models import AuditEvent, Review, SignedDocument, TaskSla

from .authored_sop import add_operator, make_authored_sop
from .conftest import SIGNING_PASSPHRASE, client_for, form_errors
from .test_signing_bsre import certificates, server  # noqa: F401 - the fake BSrE server's fixtures


def blank_pdf():
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def open_step(process):
    tasks = process.task_set.filter(flow_task_type="HUMAN", status__in=[STATUS.NEW, STATUS.ASSIGNED])
    return tasks.get()


def step_url(process, task, action):
    return f"/sop/{process.pk}/{task.flow_task.name}/{task.pk}/{action}/"


def act(user, process, data, expect_step, expect=302):
    process.refresh_from_db()
    task = open_step(process)
    assert task.data["step"] == expect_step, (task.data, expect_step)
    client = client_for(user)
    if task.status == STATUS.NEW:
        response = client.post(step_url(process, task, "assign"))
        assert response.status_code == 302, response.status_code
    response = client.post(step_url(process, task, "execute"), data)
    assert response.status_code == expect, f"{expect_step}: {response.status_code} {form_errors(response)}"
    return task, response


def start(user, definition, subject="Permohonan data Bappeda", files=()):
    data = {"subject": subject, "notes": "Berkas diterima lengkap."}
    if files:
        data["files"] = list(files)
    response = client_for(user).post(f"/sop/start/?sop={definition.pk}", data)
    assert response.status_code == 302, form_errors(response) or response.content.decode()[:1500]
    return AuthoredProcess.objects.get(subject=subject)


@pytest.fixture
def sop(bengkulu):
    operator = add_operator(bengkulu, "bkl.operator")
    definition, version = make_authored_sop(bengkulu, bengkulu["kadis"])
    return bengkulu, operator, definition, version


def test_authored_sop_runs_to_the_end_with_a_return(sop):
    org, operator, definition, version = sop
    process = start(operator, definition, files=[SimpleUploadedFile("permohonan.pdf", blank_pdf(), "application/pdf")])
    assert process.version == version and process.current_step == "k2"
    assert process.sop == definition.key

    # Step 2 waits in the Kasi's queue with its deadline from the SOP's Waktu, titled by the step.
    task = open_step(process)
    assert task.status == STATUS.NEW and task.owner_permission == f"workflows.org{org.organisation.pk}.kasi"
    queue = client_for(org["kasi"]).get("/sop/queue/")
    assert "2. Mendisposisikan permohonan kepada operator untuk disiapkan" in queue.content.decode()
    assert TaskSla.objects.get(task=task).waktu_amount == 1

    act(org["kasi"], process, {"text": "Siapkan data agregat per kecamatan."}, "k2")
    draft = SimpleUploadedFile("konsep-surat.pdf", blank_pdf(), "application/pdf")
    act(operator, process, {"notes": "Konsep dan data siap.", "files": [draft]}, "k3")
    act(org["kabid"], process, {"decision": "return", "notes": "Tambahkan rincian per desa."}, "k4")

    # The return reopens step 3 for the operator who did it, flagged as a return round.
    process.refresh_from_db()
    reopened = open_step(process)
    assert reopened.data["step"] == "k3" and reopened.owner == operator
    assert TaskSla.objects.get(task=reopened).reopened
    page = client_for(operator).get(step_url(process, reopened, "execute")).content.decode()
    assert "Tambahkan rincian per desa." in page

    act(operator, process, {"notes": "Rincian per desa ditambahkan."}, "k3")
    act(org["kabid"], process, {"decision": "approve", "notes": ""}, "k4")
    pdf = StepAttachment.objects.get(original_name="konsep-surat.pdf")
    act(org["kadis"], process, {"document": pdf.pk, "passphrase": SIGNING_PASSPHRASE}, "k5")
    signed = SignedDocument.objects.get(process=process)
    assert signed.signer_title == "Kepala Dinas" and signed.file.open("rb").read(5) == b"%PDF-"
    act(operator, process, {"record_number": "470/123/Disdukcapil/2026", "record_date": "2026-12-01"}, "k6")

    process.refresh_from_db()
    assert process.status == PROCESS.DONE and process.current_step == ""
    slas = TaskSla.objects.filter(process=process).order_by("opened", "pk")
    assert [row.step_number for row in slas] == [1, 2, 3, 4, 3, 4, 5, 6]
    assert [row.reopened for row in slas].count(True) == 1
    assert Review.objects.filter(process=process, node="k4", decision="return").count() == 1
    actions = list(AuditEvent.objects.filter(process=process).values_list("action", "step_number"))
    assert (AuditEvent.Action.RETURN, 4) in actions and (AuditEvent.Action.COMPLETE, 6) in actions

    # The control sheet lists the six steps with their Waktu, and the version that ran.
    response = client_for(org["kasi"]).get(f"/berkas/{process.pk}/lembar-kendali.pdf")
    assert response.status_code == 200
    from pypdf import PdfReader

    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    text = " ".join(text.split())
    for number, label in [(1, "30 menit"), (2, "1 jam"), (3, "2 jam"), (5, "1 hari"), (6, "15 menit")]:
        assert label in text, (number, label)
    assert "Versi SOP" in text and "Permohonan data Bappeda" in text


def test_a_running_process_keeps_its_version(sop):
    org, operator, definition, version = sop
    process = start(operator, definition)
    draft = definition.open_draft(org["kadis"])
    step2 = draft.steps.get(number=2)
    step2.waktu_amount, step2.kegiatan = 3, "Mendisposisikan permohonan (versi baru)"
    step2.save()
    assert draft.publish(org["kadis"]).number == 2
    version.refresh_from_db()
    assert version.steps.get(number=2).waktu_amount == 1  # the published version never changed

    act(org["kasi"], process, {"text": "Lanjutkan."}, "k2")
    process.refresh_from_db()
    assert process.version_id == version.pk
    assert TaskSla.objects.get(task__process=process, step_number=2).waktu_amount == 1
    page = client_for(org["kasi"]).get(f"/sop/{process.pk}/").content.decode()
    assert "versi 1" in page

    newer = start(operator, definition, subject="Permohonan kedua")
    assert newer.version.number == 2
    assert TaskSla.objects.get(task=open_step(newer)).waktu_amount == 3
    assert "2. Mendisposisikan permohonan (versi baru)" == open_step(newer).data["title"]


def test_retired_sop_stops_new_starts_not_running_ones(sop):
    org, operator, definition, version = sop
    process = start(operator, definition)
    from django.utils import timezone

    definition.retired_at = timezone.now()
    definition.save()
    response = client_for(operator).post(f"/sop/start/?sop={definition.pk}", {"subject": "X", "notes": "Y"})
    # No SOP left that the operator may start: viewflow refuses the start page itself.
    assert response.status_code in (403, 404) and not AuthoredProcess.objects.filter(subject="X").exists()
    act(org["kasi"], process, {"text": "Tetap berjalan."}, "k2")


def test_only_the_first_steps_position_starts_it(sop):
    org, operator, definition, version = sop
    response = client_for(org["kasi"]).get(f"/sop/start/?sop={definition.pk}")
    assert response.status_code == 403
    listing = client_for(operator).get("/sop/start/").content.decode()
    assert "Layanan Data dan Informasi Kependudukan" in listing


def test_other_organisation_cannot_see_or_act(sop, sumbar):
    org, operator, definition, version = sop
    process = start(operator, definition, files=[SimpleUploadedFile("permohonan.pdf", blank_pdf(), "application/pdf")])
    task = open_step(process)
    attachment = StepAttachment.objects.get(record__process=process)
    stranger = client_for(sumbar["kasi"])
    for url in [
        f"/sop/{process.pk}/", step_url(process, task, "execute"), step_url(process, task, "detail"),
        f"/berkas/{process.pk}/lampiran/{attachment.pk}/", f"/berkas/{process.pk}/lembar-kendali.pdf",
    ]:
        assert stranger.get(url).status_code == 404, url
    assert stranger.post(step_url(process, task, "assign")).status_code == 404
    assert "Mendisposisikan" not in stranger.get("/sop/queue/").content.decode()
    task.refresh_from_db()
    assert task.owner is None
    assert stranger.get(f"/sop/start/?sop={definition.pk}").status_code in (403, 404)
    # The own organisation's officer downloads the file, and the download is audited.
    response = client_for(org["kasi"]).get(f"/berkas/{process.pk}/lampiran/{attachment.pk}/")
    assert response.status_code == 200 and b"".join(response.streaming_content)[:5] == b"%PDF-"
    assert AuditEvent.objects.filter(process=process, action=AuditEvent.Action.DOWNLOAD).exists()


def test_a_pemeriksaan_return_needs_a_reason_and_a_signing_needs_a_pdf(sop):
    org, operator, definition, version = sop
    process = start(operator, definition)
    act(org["kasi"], process, {"text": "Siapkan."}, "k2")
    act(operator, process, {"notes": "Siap, tanpa berkas."}, "k3")
    _task, response = act(org["kabid"], process, {"decision": "return", "notes": ""}, "k4", expect=200)
    assert "alasan pengembalian" in response.content.decode()
    act(org["kabid"], process, {"decision": "approve"}, "k4")
    _task, response = act(org["kadis"], process, {"passphrase": SIGNING_PASSPHRASE}, "k5", expect=200)
    assert "Pilih dokumen yang akan ditandatangani" in response.content.decode()
    fake = SimpleUploadedFile("surat.pdf", b"bukan pdf", "application/pdf")
    _task, response = act(org["kadis"], process, {"upload": fake, "passphrase": SIGNING_PASSPHRASE}, "k5", expect=200)
    assert "bukan PDF" in response.content.decode()
    good = SimpleUploadedFile("surat.pdf", blank_pdf(), "application/pdf")
    _task, response = act(org["kadis"], process, {"upload": good, "passphrase": "salah"}, "k5", expect=200)
    assert AuditEvent.objects.filter(process=process, action=AuditEvent.Action.SIGN_FAILED).exists()
    good = SimpleUploadedFile("surat.pdf", blank_pdf(), "application/pdf")
    act(org["kadis"], process, {"upload": good, "passphrase": SIGNING_PASSPHRASE}, "k5")
    assert SignedDocument.objects.filter(process=process).count() == 1


def test_the_dashboard_chart_and_escalation_know_authored_steps(sop, mailoutbox):
    from datetime import timedelta

    from workflows.models import Notification
    from workflows.sla import calendar_for, escalate_overdue

    org, operator, definition, version = sop
    process = start(operator, definition)
    act(org["kasi"], process, {"text": "Siapkan."}, "k2")
    act(operator, process, {"notes": "Siap."}, "k3")

    dashboard = client_for(org["kasi"]).get("/sla/").content.decode()
    assert "LDK 2. Mendisposisikan permohonan kepada operator untuk disiapkan" in dashboard
    assert client_for(org["kasi"]).get("/sla/", {"sop": definition.key}).status_code == 200

    chart = client_for(org["kasi"]).get(f"/sop/{process.pk}/chart/")
    assert chart.status_code == 200 and chart["Content-Type"] == "image/svg+xml"
    svg = chart.content.decode()
    assert "4. Memeriksa konsep surat jawaban dan data yang disiapkan" in svg and "Tidak" in svg

    # Step 4 waits in the Kabid's queue; once overdue, its queue and the Kadis above it hear of it.
    row = TaskSla.objects.get(task=open_step(process))
    later = row.due + timedelta(days=7)
    while not calendar_for(org.organisation).is_working_time(later):
        later += timedelta(hours=1)
    assert escalate_overdue(now=later) == 1
    reasons = dict(Notification.objects.filter(task_sla=row).values_list("recipient__username", "reason"))
    assert reasons == {org["kabid"].username: "queue", org["kadis"].username: "supervisor"}


def test_list_pages_name_each_step_not_the_interpreter_node(sop):
    org, operator, definition, version = sop
    process = start(operator, definition)
    act(org["kasi"], process, {"text": "Siapkan."}, "k2")
    kasi, op = client_for(org["kasi"]), client_for(operator)
    pages = {
        "/sop/": (op, "3. Menyiapkan data agregat dan konsep surat jawaban"),
        "/sop/queue/": (op, "3. Menyiapkan data agregat dan konsep surat jawaban"),
        "/sop/archive/": (kasi, "2. Mendisposisikan permohonan kepada operator untuk disiapkan"),
        "/sop/tasks/": (kasi, "2. Mendisposisikan permohonan kepada operator untuk disiapkan"),
        "/sop/flows/": (kasi, "Permohonan data Bappeda"),
        f"/sop/{process.pk}/": (kasi, "Menjalankan SOP 800/01/SOP-LDK/2026 versi 1"),
    }
    for url, (client, text) in pages.items():
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.content.decode()
        assert text in body, url
        assert "Langkah SOP" not in body, (url, body[max(0, body.find("Langkah SOP") - 300):body.find("Langkah SOP") + 50])


def titled_pdf(title):
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Title": title})
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def to_signing(org, operator, definition, subject):
    process = start(operator, definition, subject=subject)
    act(org["kasi"], process, {"text": "Siapkan."}, "k2")
    act(operator, process, {"notes": "Siap."}, "k3")
    act(org["kabid"], process, {"decision": "approve"}, "k4")
    return process


def assert_failed_without_a_trace(org, process, response, message, settings):
    from .timestamping import document_files

    assert message in response.content.decode()
    assert open_step(process).data["step"] == "k5"
    assert not SignedDocument.objects.filter(process=process).exists()
    assert document_files(settings) == []  # neither a signed file nor a temporary one
    failed = AuditEvent.objects.filter(process=process, action=AuditEvent.Action.SIGN_FAILED).order_by("-pk").first()
    assert failed is not None and failed.actor == org["kadis"] and message in failed.detail
    assert "salah-sekali" not in failed.detail


def test_a_failed_signing_at_a_penandatanganan_step_leaves_no_file_and_is_audited(sop, settings, server):  # noqa: F811
    from .test_signing_bsre import PASSPHRASE as BSRE_PASSPHRASE
    from .timestamping import unused_url, use_bsre

    org, operator, definition, _version = sop
    process = to_signing(org, operator, definition, "Permohonan gagal tanda tangan")
    letter = lambda: SimpleUploadedFile("surat.pdf", blank_pdf(), "application/pdf")  # noqa: E731
    _task, wrong = act(org["kadis"], process, {"upload": letter(), "passphrase": "salah-sekali"}, "k5", expect=200)
    assert_failed_without_a_trace(org, process, wrong, "Passphrase salah", settings)
    settings.SOPFLOW_TSA_URL = unused_url()
    _task, down = act(org["kadis"], process, {"upload": letter(), "passphrase": SIGNING_PASSPHRASE}, "k5", expect=200)
    assert_failed_without_a_trace(org, process, down, "Server cap waktu (TSA)", settings)
    settings.SOPFLOW_TSA_URL = ""
    use_bsre(org["kadis"], settings, server)
    _task, remote = act(org["kadis"], process, {"upload": letter(), "passphrase": "salah-sekali"}, "k5", expect=200)
    assert_failed_without_a_trace(org, process, remote, "Passphrase anda salah", settings)
    act(org["kadis"], process, {"upload": letter(), "passphrase": BSRE_PASSPHRASE}, "k5")
    assert SignedDocument.objects.filter(process=process).count() == 1


def test_a_signed_letter_links_to_the_base_url_and_is_named_by_its_own_title(sop, settings):
    from .test_signing import expected_modules
    from .timestamping import signature_qr

    settings.SOPFLOW_BASE_URL = "https://sopflow.contoh.go.id/"
    org, operator, definition, _version = sop
    process = to_signing(org, operator, definition, "Permohonan surat berjudul")
    letter = SimpleUploadedFile("surat-17.pdf", titled_pdf("Surat Keterangan Data Agregat Nomor 17"), "application/pdf")
    act(org["kadis"], process, {"upload": letter, "passphrase": SIGNING_PASSPHRASE}, "k5")
    document = SignedDocument.objects.get(process=process)
    content = document.file.open("rb").read()
    assert signature_qr(content) == expected_modules(f"https://sopflow.contoh.go.id/verifikasi/{document.token}/")
    page = Client().get(f"/verifikasi/{document.token}/").content.decode()
    assert "Surat Keterangan Data Agregat Nomor 17" in page and " WIB" in page


def test_a_file_past_the_limit_or_empty_is_refused_and_nothing_is_kept(sop, settings):
    org, operator, definition, version = sop
    process = start(operator, definition)
    act(org["kasi"], process, {"text": "Siapkan."}, "k2")
    settings.AUTHORED_UPLOAD_MAX_MB = 0.01  # about 10 kB
    big = SimpleUploadedFile("besar.pdf", b"%PDF-" + b"0" * 40_000, "application/pdf")
    _task, response = act(operator, process, {"notes": "Terlampir.", "files": [big]}, "k3", expect=200)
    assert "terlalu besar" in response.content.decode()
    empty = SimpleUploadedFile("kosong.pdf", b"", "application/pdf")
    _task, response = act(operator, process, {"notes": "Terlampir.", "files": [empty]}, "k3", expect=200)
    assert "kosong" in response.content.decode()
    assert not StepAttachment.objects.filter(record__process=process).exists()
    stored = list((settings.PRIVATE_STORAGE_DIR / "authored").rglob("*")) if (settings.PRIVATE_STORAGE_DIR / "authored").exists() else []
    assert [path for path in stored if path.is_file()] == []
    process.refresh_from_db()
    assert open_step(process).data["step"] == "k3"  # the step is still open for a good file
