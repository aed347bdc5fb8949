"""SOP B end to end through HTTP: Kabid, Kasi, Staf (fill + count), Kasi, Kabid, Sekretariat."""

import tempfile
from decimal import Decimal
from functools import lru_cache
from io import StringIO

from django.core.management import call_command
from django.core.files.uploadedfile import SimpleUploadedFile
from viewflow.workflow.status import PROCESS, STATUS

from workflows.management.commands.make_demo_ca import CA_CERT, signer_file_name
from workflows.models import Officer, Position, SigningIdentity
from workflows.sops.utilization.models import Evidence, Opd, UtilizationCount

from .conftest import SIGNING_PASSPHRASE, client_for, demo_certificate, do_step, open_task, start_utilization, task_url

# Who signs SOP B's outputs in these tests (synthetic): the Kasi the report, the Kabid the LAKIP.
KASI_NAME, KASI_NIP = ("Kasi Uji", "198505172010012003")
KABID_NAME, KABID_NIP = ("Kabid Uji", "197811092003121002")
KASI_POSITION = "Kepala Seksi Kerjasama dan Inovasi Pelayanan"
KABID_POSITION = "Kepala Bidang PIAK dan Pemanfaatan Data"


@lru_cache(maxsize=None)
def certificate_of(signer):
    """A PKCS#12 certificate for ``signer`` from the run's demo CA (the Kadis's, same passphrase)."""
    directory = demo_certificate().parent
    path = directory / signer_file_name(signer)
    if not path.exists():
        with tempfile.NamedTemporaryFile("w", suffix=".txt") as secret:
            secret.write(SIGNING_PASSPHRASE)
            secret.flush()
            call_command("make_demo_ca", str(directory), signer=signer, passphrase_file=secret.name, stdout=StringIO())
    return path


def trust_root():
    return demo_certificate().parent / CA_CERT


def sopb_signers(org, nip=True):
    """The Kasi and Kabid of ``org`` as the organisation's data knows them: their names, NIPs
    (unless ``nip=False``), the positions' own names, their certificates; the office in Padang."""
    org.organisation.city = "Padang"
    org.organisation.save(update_fields=["city"])
    for role, position_name, (first, last), number in (
        ("kasi", KASI_POSITION, KASI_NAME.split(), KASI_NIP), ("kabid", KABID_POSITION, KABID_NAME.split(), KABID_NIP),
    ):
        Position.objects.filter(organisation=org.organisation, role=role).update(name=position_name)
        user = org[role]
        user.first_name, user.last_name = first, last
        user.save(update_fields=["first_name", "last_name"])
        Officer.objects.filter(user=user).update(nip=number if nip else "")
        SigningIdentity.objects.update_or_create(officer=user.officer,
                                                 defaults={"p12_path": str(certificate_of(f"{first} {last}"))})


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
    sopb_signers(org)
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
    do_step(org["kasi"], process, "evaluate", {"decision": "approve", "analysis": "Separuh OPD memanfaatkan data.",
                                               "passphrase": SIGNING_PASSPHRASE})

    do_step(org["kabid"], process, "lakip", {
        "indicator": "Persentase OPD yang memanfaatkan data kependudukan", "target": "40", "realisation": "50",
        "analysis": "Melampaui target.", "passphrase": SIGNING_PASSPHRASE,
    })
    do_step(org["sekretariat"], process, "check", {"decision": "return", "notes": "Tambahkan analisis anggaran."})
    assert open_task(process, "lakip").owner == org["kabid"]
    do_step(org["kabid"], process, "lakip", {
        "indicator": "Persentase OPD yang memanfaatkan data kependudukan", "target": "40", "realisation": "50",
        "analysis": "Melampaui target; anggaran terserap 90%.", "passphrase": SIGNING_PASSPHRASE,
    })
    do_step(org["sekretariat"], process, "check", {"decision": "approve"})

    process.refresh_from_db()
    assert process.status == PROCESS.DONE
    assert process.return_count == 2
    lakip = process.lakip_materials.latest("created")
    assert lakip.achievement == Decimal("125.0")
    # Two LAKIP signings (the first was returned) and one report; the download is the latest.
    assert process.signed_documents.filter(title__startswith="lakip-bidang-").count() == 2
    assert process.signed_documents.filter(title__startswith="laporan-pemanfaatan-").count() == 1


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
    sopb_signers(org)
    process = start_utilization(org["kabid"])
    do_step(org["kasi"], process, "instruct_staff", {"text": "Isi.", "staff": [org["staf"].pk]})
    task = open_task(process, "fill_list")
    client_for(org["staf"]).post(task_url(process, task, "assign"))
    fill_and_submit(org, process)
    do_step(org["staf"], process, "count", {"confirmed": "on"})
    do_step(org["kasi"], process, "evaluate", {"decision": "approve", "analysis": "Separuh OPD memanfaatkan data.",
                                               "passphrase": SIGNING_PASSPHRASE})
    client = client_for(org["kabid"])
    report = b"".join(client.get(f"/berkas/{process.pk}/laporan-pemanfaatan.pdf").streaming_content)
    text = " ".join(page.extract_text() for page in PdfReader(BytesIO(report)).pages)
    assert "Separuh OPD memanfaatkan data." in text and "50,0%" in text
    assert client.get(f"/berkas/{process.pk}/lakip-bidang.pdf").status_code == 404  # not written yet
    do_step(org["kabid"], process, "lakip", {"indicator": "Persentase OPD", "target": "40", "realisation": "50",
                                             "analysis": "Melampaui target.", "passphrase": SIGNING_PASSPHRASE})
    lakip = b"".join(client.get(f"/berkas/{process.pk}/lakip-bidang.pdf").streaming_content)
    text = " ".join(page.extract_text() for page in PdfReader(BytesIO(lakip)).pages)
    assert "Melampaui target." in text and "125,0%" in text
