"""SOP A end to end through HTTP, each step by the role the SOP names, with return rounds."""

from viewflow.workflow.status import PROCESS, STATUS

from io import StringIO

from django.core.management import call_command

from workflows.models import AggregationRun, AuditEvent, DkbUpload, Review

from .conftest import client_for, do_step, open_task, process_dkb, start_population, task_url, upload_dkb


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
    do_step(org["kadis"], process, "approve", {"decision": "approve"})

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
    do_step(org["adb"], process, "backup", {"location": "/arsip/2025-S1", "notes": ""})

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
