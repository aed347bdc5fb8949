"""Acting appointments (Plh/Plt) over HTTP with frozen time: who sees, claims, does and signs a
position's steps, and how every record names the capacity."""

import io
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.test import Client
from pypdf import PdfReader
from viewflow.workflow.status import STATUS

from workflows.models import (
    ActingAppointment,
    AuditEvent,
    Officer,
    OfficerRole,
    Position,
    SignedDocument,
    SigningIdentity,
    TaskSla,
)
from workflows.monitoring import Period, monitoring_form
from workflows.sla import control_sheet

from .authored_sop import STEPS, add_operator, make_authored_sop
from .conftest import client_for, demo_certificate, form_errors, open_task, run_worker, task_url
from .test_authored_flow import act, blank_pdf, start, step_url
from .test_population_flow import SIGN, advance_to_approval

WIB = ZoneInfo("Asia/Jakarta")
# March of next year: the tests' demo certificate is issued today (valid three years), so every
# frozen moment must fall inside its validity, which a fixed past year would not.
YEAR = date.today().year + 1
PLH_NAME = "Sekar Pelaksana"
PLH_NIP = "198203142006042011"


def at(day, hour=10):
    """A moment on ``day`` March of ``YEAR``, Jakarta time, with the clock ticking from there."""
    return time_machine.travel(datetime(YEAR, 3, day, hour, 0, tzinfo=WIB), tick=True)


def officer(org, username, first, last, role, nip=""):
    user = get_user_model().objects.create_user(username, password="pw", first_name=first, last_name=last)
    person = Officer.objects.create(user=user, organisation=org.organisation, nip=nip)
    OfficerRole.objects.create(officer=person, role=role)
    return user


@pytest.fixture
def plh(bengkulu):
    """The Sekretaris, who will stand in for the Kadis; she has her own signing certificate."""
    user = officer(bengkulu, "bkl.sekretaris", "Sekar", "Pelaksana", "sekretariat", nip=PLH_NIP)
    SigningIdentity.objects.create(officer=user.officer, p12_path=str(demo_certificate()))
    return user


@pytest.fixture
def admin_client(db):
    admin = get_user_model().objects.create_superuser("root", "root@example.invalid", "pw")
    client = Client()
    client.force_login(admin)
    return client


def kadis_position(org):
    return Position.objects.get(organisation=org.organisation, code="kadis")


def appoint(admin_client, org, user, start=f"{YEAR}-03-03", end=f"{YEAR}-03-05", kind="plh", expect=302):
    response = admin_client.post("/admin/workflows/actingappointment/add/", {
        "organisation": org.organisation.pk, "position": kadis_position(org).pk, "officer": user.officer.pk,
        "kind": kind, "start_date": start, "end_date": end, "letter_number": f"800/12/SEKRET/{YEAR}",
        "letter_date": f"{YEAR}-03-02", "scope_note": "Selama Kepala Dinas dinas luar.",
    })
    assert response.status_code == expect, response.content.decode()[:3000]
    return response


def pdf_text(content):
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_a_plh_sees_and_signs_step_6_inside_the_range_only(bengkulu, plh, admin_client, dkb_file):
    org = bengkulu
    appoint(admin_client, org, plh)
    with at(2):
        process = advance_to_approval(org, dkb_file)
        run_worker()  # the final report, rendered beside the web server
    appointment = ActingAppointment.objects.get()
    assert appointment.created_by.username == "root"
    task = open_task(process, "approve")
    marker = f"/population/{process.pk}/approve/{task.pk}/"

    # 6 March: the appointment has ended: no queue entry, no claim.
    with at(6):
        client = client_for(plh)  # logged in on the frozen day, so the session is fresh then
        assert marker not in client.get("/population/queue/").content.decode()
        assert client.post(task_url(process, task, "assign")).status_code == 403
    task.refresh_from_db()
    assert task.status == STATUS.NEW and task.owner is None

    # 4 March: the Plh sees the Kadis's step, claims it and signs the final report.
    with at(4):
        client = client_for(plh)
        assert marker in client.get("/population/queue/").content.decode()
        assert client.post(task_url(process, task, "assign")).status_code == 302
        assert marker in client.get("/population/inbox/").content.decode()
        response = client.post(task_url(process, task, "execute"), SIGN)
        assert response.status_code == 302, form_errors(response)
    task.refresh_from_db()
    assert task.status == STATUS.DONE and task.owner == plh

    # The signature: "Plh. Kepala Dinas" with the Plh's own name and NIP, on the approval page.
    document = SignedDocument.objects.get(process_id=process.pk)
    assert (document.signer_title, document.signer_name) == ("Plh. Kepala Dinas", PLH_NAME)
    pdf = client_for(org["kabid"]).get(f"/berkas/{process.pk}/dokumen/{document.pk}.pdf")
    content = b"".join(pdf.streaming_content)
    approval_page = PdfReader(io.BytesIO(content)).pages[1].extract_text()
    assert "Plh. Kepala Dinas" in approval_page and PLH_NAME in approval_page and PLH_NIP in approval_page
    page = Client().get(f"/verifikasi/{document.token}/").content.decode()
    assert "Plh. Kepala Dinas" in page and PLH_NAME in page

    # Audit trail, history, control sheet and monitoring name the capacity.
    events = AuditEvent.objects.filter(process_id=process.pk, step_number=6, actor=plh)
    assert {(event.action, event.acting_kind, event.acting_position) for event in events} == {
        ("assign", "plh", "Kepala Dinas"), ("complete", "plh", "Kepala Dinas")}
    assert not AuditEvent.objects.filter(process_id=process.pk).exclude(actor=plh).exclude(acting_kind="").exists()
    page = client_for(org["kabid"]).get(f"/population/{process.pk}/").content.decode()
    assert f"{PLH_NAME} <span class=\"sop-history__acting\">(Plh. Kepala Dinas)</span>" in page
    row = next(row for row in control_sheet(process)["rows"] if row["step"].number == 6)
    assert row["actors"] == f"{PLH_NAME} (Plh. Kepala Dinas)"
    audit_list = admin_client.get("/admin/workflows/auditevent/").content.decode()
    assert f"{PLH_NAME} (Plh. Kepala Dinas)" in audit_list
    clock = TaskSla.objects.get(task=task)
    assert clock.delegated and clock.acting_as == "Plh. Kepala Dinas"
    with at(20):
        form = monitoring_form(org.organisation, process.sop, Period.parse(f"{YEAR}-s1"))
    figures = {row.number: row for row in form.rows}
    assert figures[6].delegations == 1 and figures[5].delegations == 0


def test_the_control_sheet_pdf_prints_the_capacity(bengkulu, plh, admin_client, dkb_file):
    from workflows.reports.control_sheet import render_control_sheet

    org = bengkulu
    appoint(admin_client, org, plh)
    with at(3):
        process = advance_to_approval(org, dkb_file)
        run_worker()
        client = client_for(plh)
        task = open_task(process, "approve")
        assert client.post(task_url(process, task, "assign")).status_code == 302
        assert client.post(task_url(process, task, "execute"), SIGN).status_code == 302
        sheet = control_sheet(process)
        text = pdf_text(render_control_sheet(process, sheet["rows"]))
    assert "Plh. Kepala Dinas" in " ".join(text.split())


def test_overlapping_appointments_for_one_position_are_refused(bengkulu, plh, admin_client):
    org = bengkulu
    appoint(admin_client, org, plh)
    other = officer(org, "bkl.kabid2", "Kabid", "Kedua", "kabid")
    response = appoint(admin_client, org, other, start=f"{YEAR}-03-05", end=f"{YEAR}-03-09", expect=200)
    assert "tumpang tindih dengan penunjukan lain untuk jabatan yang sama" in response.content.decode()
    assert ActingAppointment.objects.count() == 1
    # Right after the first one ends is fine.
    appoint(admin_client, org, other, start=f"{YEAR}-03-06", end=f"{YEAR}-03-09", kind="plt")
    assert ActingAppointment.objects.count() == 2


def test_bad_ranges_and_the_positions_own_holder_are_refused(bengkulu, plh, admin_client):
    org = bengkulu
    response = appoint(admin_client, org, plh, start=f"{YEAR}-03-05", end=f"{YEAR}-03-03", expect=200)
    assert "Tanggal selesai tidak boleh sebelum tanggal mulai." in response.content.decode()
    response = appoint(admin_client, org, org["kadis"], expect=200)
    assert "sudah memegang jabatan itu sendiri" in response.content.decode()
    assert not ActingAppointment.objects.exists()


def test_an_officer_of_another_organisation_is_never_appointed_nor_sees_the_tasks(
        bengkulu, sumbar, admin_client, dkb_file):
    org = bengkulu
    stranger = sumbar["kabid"]
    response = appoint(admin_client, org, stranger, expect=200)
    assert "Pegawai ini dari organisasi lain" in response.content.decode()
    assert not ActingAppointment.objects.exists()
    with pytest.raises(ValidationError):
        ActingAppointment(
            organisation=org.organisation, position=kadis_position(org), officer=stranger.officer,
            start_date=date(YEAR, 3, 3), end_date=date(YEAR, 3, 5), letter_number="1", letter_date=date(YEAR, 3, 2),
        ).full_clean()
    # Even a row written around the validation gives the stranger nothing.
    ActingAppointment.objects.create(
        organisation=org.organisation, position=kadis_position(org), officer=stranger.officer,
        start_date=date(YEAR, 3, 3), end_date=date(YEAR, 3, 5), letter_number="1", letter_date=date(YEAR, 3, 2),
    )
    ActingAppointment.objects.create(
        organisation=sumbar.organisation, position=kadis_position(org), officer=stranger.officer,
        start_date=date(YEAR, 3, 3), end_date=date(YEAR, 3, 5), letter_number="2", letter_date=date(YEAR, 3, 2),
    )
    with at(4):
        process = advance_to_approval(org, dkb_file)
        task = open_task(process, "approve")
        client = client_for(stranger)
        assert f"/population/{process.pk}/approve/{task.pk}/" not in client.get("/population/queue/").content.decode()
        assert client.post(task_url(process, task, "assign")).status_code in (403, 404)
        assert not stranger.has_perm(task.owner_permission)
    task.refresh_from_db()
    assert task.status == STATUS.NEW


@pytest.fixture
def outside_routine_sop(bengkulu):
    """The six-step authored SOP whose signing step (5, the Kadis) is outside routine authority."""
    operator = add_operator(bengkulu, "bkl.operator")
    definition, version = make_authored_sop(bengkulu, bengkulu["kadis"], publish=False, steps=STEPS)
    step = version.steps.get(number=5)
    step.outside_routine = True
    step.save()
    version.publish(bengkulu["kadis"])
    return operator, definition


def to_signing_step(org, operator, definition):
    process = start(operator, definition, files=[])
    act(org["kasi"], process, {"text": "Siapkan."}, "k2")
    from django.core.files.uploadedfile import SimpleUploadedFile

    draft = SimpleUploadedFile("konsep.pdf", blank_pdf(), "application/pdf")
    act(operator, process, {"notes": "Siap.", "files": [draft]}, "k3")
    act(org["kabid"], process, {"decision": "approve", "notes": ""}, "k4")
    process.refresh_from_db()
    return process


def test_a_plh_cannot_do_a_step_outside_routine_authority_but_a_plt_may(bengkulu, plh, outside_routine_sop):
    org = bengkulu
    operator, definition = outside_routine_sop
    appointment = ActingAppointment.objects.create(
        organisation=org.organisation, position=kadis_position(org), officer=plh.officer, kind="plh",
        start_date=date(YEAR, 3, 3), end_date=date(YEAR, 3, 5), letter_number=f"800/3/{YEAR}",
        letter_date=date(YEAR, 3, 2),
    )
    with at(4):
        process = to_signing_step(org, operator, definition)
        task = process.task_set.get(status=STATUS.NEW, flow_task_type="HUMAN")
        assert task.data["step"] == "k5"
        client = client_for(plh)
        response = client.post(step_url(process, task, "assign"))
        assert response.status_code == 403
        assert "di luar kewenangan rutin jabatan Kepala Dinas" in response.content.decode()
        assert "Plh. Kepala Dinas" in response.content.decode()
        task.refresh_from_db()
        assert task.owner is None

        # A Plt carries the position's full authority: she claims it.
        appointment.kind = "plt"
        appointment.save()
        assert client.post(step_url(process, task, "assign")).status_code == 302
        assert client.get(step_url(process, task, "execute")).status_code == 200

        # Made a Plh again while holding it: opening or submitting the step is refused with the reason.
        appointment.kind = "plh"
        appointment.save()
        for response in (client.get(step_url(process, task, "execute")),
                         client.post(step_url(process, task, "execute"), {"passphrase": "x"})):
            assert response.status_code == 403
            assert "di luar kewenangan rutin" in response.content.decode()
        task.refresh_from_db()
        assert task.status == STATUS.ASSIGNED


def test_a_plt_signs_an_authored_document_as_plt(bengkulu, plh, outside_routine_sop):
    from .conftest import SIGNING_PASSPHRASE

    org = bengkulu
    operator, definition = outside_routine_sop
    ActingAppointment.objects.create(
        organisation=org.organisation, position=kadis_position(org), officer=plh.officer, kind="plt",
        start_date=date(YEAR, 3, 3), end_date=date(YEAR, 3, 5), letter_number=f"800/4/{YEAR}",
        letter_date=date(YEAR, 3, 2),
    )
    with at(4):
        process = to_signing_step(org, operator, definition)
        from workflows.authored.models import StepAttachment

        document = StepAttachment.objects.filter(record__process_id=process.pk).first()
        act(plh, process, {"document": document.pk, "passphrase": SIGNING_PASSPHRASE, "notes": ""}, "k5")
    signed = SignedDocument.objects.get(process_id=process.pk)
    assert (signed.signer_title, signed.signer_name) == ("Plt. Kepala Dinas", PLH_NAME)
    event = AuditEvent.objects.get(process_id=process.pk, step_number=5, action="complete")
    assert event.actor == plh and event.acting_label == "Plt. Kepala Dinas"
