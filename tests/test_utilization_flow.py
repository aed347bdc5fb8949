"""SOP B end to end through HTTP: Kabid, Kasi, Staf (fill + count), Kasi, Kabid, Sekretariat."""

from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from viewflow.workflow.status import PROCESS, STATUS

from workflows.sops.utilization.models import Evidence, Opd, UtilizationCount

from .conftest import client_for, do_step, open_task, start_utilization, task_url


def entry(opd, uses, use_type="nik", expiry="2027-12-31", **extra):
    data = {
        "opd": opd.pk, "use_type": use_type, "access_method": "web_service", "pks_number": f"PKS/{opd.pk}/2026",
        "pks_date": "2025-01-10", "pks_expiry": expiry, "purpose": "Verifikasi penerima bantuan", "uses": uses,
    }
    data.update(extra)
    return data


def add_entry(user, process, data, expect=302):
    task = open_task(process, "fill_list")
    response = client_for(user).post(task_url(process, task, "execute"), {"action": "add", **data})
    assert response.status_code == expect, response.content.decode()[:500]
    return response


def fill_and_submit(org, process):
    opds = list(Opd.objects.filter(organisation=org.organisation).order_by("name"))
    pdf = SimpleUploadedFile("pks-dinkes.pdf", b"%PDF-1.4 synthetic evidence", content_type="application/pdf")
    add_entry(org["staf"], process, entry(opds[0], 120, evidence=pdf))
    add_entry(org["staf"], process, entry(opds[0], 30, use_type="data"))
    add_entry(org["staf"], process, entry(opds[1], 45, use_type="ktpel", access_method="card_reader"))
    # An expired PKS does not count the OPD as using data in the period.
    add_entry(org["staf"], process, entry(opds[2], 10, pks_date="2020-01-01", expiry="2021-01-01"))
    do_step(org["staf"], process, "fill_list", {"action": "submit"})
    return opds


def test_sop_b_runs_from_kabid_direction_to_sekretariat_check_with_two_returns(sumbar):
    org = sumbar
    process = start_utilization(org["kabid"], year=2026, period_type="triwulan", number=2)
    assert process.period_label == "Triwulan II 2026"
    do_step(org["kasi"], process, "instruct_staff", {"text": "Kumpulkan data dukung.", "staff": [org["staf"].pk]})

    fill_task = open_task(process, "fill_list")
    assert client_for(org["staf"]).post(task_url(process, fill_task, "assign")).status_code == 302
    fill_and_submit(org, process)
    assert Evidence.objects.get().original_name == "pks-dinkes.pdf"

    count_task = open_task(process, "count")
    assert count_task.owner == org["staf"]
    page = client_for(org["staf"]).get(task_url(process, count_task, "execute")).content.decode()
    assert "2 dari 4 OPD" in page  # Dinas Kesehatan... sorted: Bappeda, BKD, Dinas Kesehatan, Dinas Sosial
    do_step(org["staf"], process, "count", {"confirmed": "on"})
    figures = UtilizationCount.objects.get().figures
    assert figures["opd_using"] == 2 and figures["opd_total"] == 4
    assert figures["share_percent"] == 50.0
    assert figures["total_uses"] == 205
    assert {row["type"]: row["uses"] for row in figures["per_type"]} == {"data": 30, "ktpel": 45, "nik": 130}

    # Kasi returns to the staff member: the list reopens with its rows intact.
    do_step(org["kasi"], process, "evaluate", {"decision": "return", "notes": "Lengkapi PKS BKD.", "analysis": ""})
    reopened = open_task(process, "fill_list")
    assert reopened.owner == org["staf"] and reopened.status == STATUS.ASSIGNED
    assert process.utilization_entries.count() == 4
    page = client_for(org["staf"]).get(task_url(process, reopened, "execute")).content.decode()
    assert "Lengkapi PKS BKD." in page
    do_step(org["staf"], process, "fill_list", {"action": "submit"})
    do_step(org["staf"], process, "count", {"confirmed": "on"})
    do_step(org["kasi"], process, "evaluate", {"decision": "approve", "analysis": "Separuh OPD memanfaatkan data."})

    do_step(org["kabid"], process, "lakip", {
        "indicator": "Persentase OPD yang memanfaatkan data kependudukan", "target": "40", "realisation": "50",
        "analysis": "Melampaui target.",
    })
    do_step(org["sekretariat"], process, "check", {"decision": "return", "notes": "Tambahkan analisis anggaran."})
    assert open_task(process, "lakip").owner == org["kabid"]
    do_step(org["kabid"], process, "lakip", {
        "indicator": "Persentase OPD yang memanfaatkan data kependudukan", "target": "40", "realisation": "50",
        "analysis": "Melampaui target; anggaran terserap 90%.",
    })
    do_step(org["sekretariat"], process, "check", {"decision": "approve"})

    process.refresh_from_db()
    assert process.status == PROCESS.DONE
    assert process.return_count == 2
    lakip = process.lakip_materials.latest("created")
    assert lakip.achievement == Decimal("125.00")


def test_submitting_an_empty_list_is_refused_with_a_message(sumbar):
    org = sumbar
    process = start_utilization(org["kabid"])
    do_step(org["kasi"], process, "instruct_staff", {"text": "Isi.", "staff": [org["staf"].pk]})
    response = do_step(org["staf"], process, "fill_list", {"action": "submit"}, expect=200)
    assert "Daftar masih kosong" in response.content.decode()
    assert open_task(process, "fill_list").status == STATUS.ASSIGNED


def test_an_invalid_row_keeps_what_was_typed_and_says_what_is_wrong(sumbar):
    org = sumbar
    process = start_utilization(org["kabid"])
    do_step(org["kasi"], process, "instruct_staff", {"text": "Isi.", "staff": [org["staf"].pk]})
    task = open_task(process, "fill_list")
    client = client_for(org["staf"])
    client.post(task_url(process, task, "assign"))
    opd = Opd.objects.filter(organisation=org.organisation).first()
    response = client.post(task_url(process, task, "execute"), {
        "action": "add", **entry(opd, "banyak", pks_number="PKS/KETIK/99", pks_date="2026-05-01", expiry="2026-01-01"),
    })
    page = response.content.decode()
    assert response.status_code == 200
    assert "PKS/KETIK/99" in page  # what the user typed is still there
    assert "Tanggal berakhir PKS tidak boleh sebelum tanggal PKS." in page
    assert "Masukkan keseluruhan angka bilangan." in page  # Django's own Indonesian message
    assert process.utilization_entries.count() == 0


def test_only_staff_named_in_the_disposition_may_take_the_list(sumbar):
    org = sumbar
    process = start_utilization(org["kabid"])
    do_step(org["kasi"], process, "instruct_staff", {"text": "Isi.", "staff": [org["staf"].pk]})
    task = open_task(process, "fill_list")
    assert client_for(org["staf2"]).post(task_url(process, task, "assign")).status_code == 403


def test_utilization_report_and_lakip_pdfs_carry_the_counts(sumbar):
    from pypdf import PdfReader
    from io import BytesIO

    org = sumbar
    process = start_utilization(org["kabid"])
    do_step(org["kasi"], process, "instruct_staff", {"text": "Isi.", "staff": [org["staf"].pk]})
    task = open_task(process, "fill_list")
    client_for(org["staf"]).post(task_url(process, task, "assign"))
    fill_and_submit(org, process)
    do_step(org["staf"], process, "count", {"confirmed": "on"})
    do_step(org["kasi"], process, "evaluate", {"decision": "approve", "analysis": "Separuh OPD memanfaatkan data."})
    client = client_for(org["kabid"])
    report = client.get(f"/berkas/{process.pk}/laporan-pemanfaatan.pdf")
    text = " ".join(page.extract_text() for page in PdfReader(BytesIO(report.content)).pages)
    assert "Separuh OPD memanfaatkan data." in text and "50" in text
    assert client.get(f"/berkas/{process.pk}/lakip-bidang.pdf").status_code == 404  # not written yet
    do_step(org["kabid"], process, "lakip", {"indicator": "Persentase OPD", "target": "40", "realisation": "50",
                                             "analysis": "Melampaui target."})
    lakip = client.get(f"/berkas/{process.pk}/lakip-bidang.pdf")
    text = " ".join(page.extract_text() for page in PdfReader(BytesIO(lakip.content)).pages)
    assert "Melampaui target." in text and "125" in text
