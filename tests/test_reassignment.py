"""Reassignment, delegation, out-of-office and the supervisor's view, over HTTP with frozen time:
who may hand an open task to whom, what is kept (the deadline), what is recorded (audit,
history, the reason on the new holder's page) and what is refused, with its reason."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from viewflow.workflow.status import STATUS

from workflows.models import (
    ActingAppointment, AuditEvent, Notification, OutOfOffice, Position, Reassignment, TaskSla,
)

from .authorisation import add_officer
from .conftest import client_for, do_step, open_task, process_dkb, start_population, task_url

WIB = ZoneInfo("Asia/Jakarta")
# A Wednesday with no holiday near it; the clock ticks from there.
DAY = datetime(2026, 5, 6, 10, 0, tzinfo=WIB)
REASON = "Anggota tim sedang sakit; dikerjakan rekan agar tidak terlambat."


@pytest.fixture
def frozen():
    with time_machine.travel(DAY, tick=True) as traveller:
        yield traveller


def reassign_url(task):
    return f"/penugasan/tugas/{task.pk}/alihkan/"


def delegate_url(task):
    return f"/penugasan/tugas/{task.pk}/delegasikan/"


def page(response):
    return response.content.decode()


def team_of_two(org, semester=1):
    """SOP A up to step 3, both Tim members named in the SK, held by the first one."""
    process = start_population(org["kadis"], semester=semester)
    do_step(org["kabid"], process, "form_team", {
        "number": f"800/{semester}/2026", "date": "2026-05-04", "members": [org["tim"].pk, org["tim2"].pk],
    })
    task = open_task(process, "process_data")
    assert client_for(org["tim"]).post(task_url(process, task, "assign")).status_code == 302
    task.refresh_from_db()
    assert task.owner == org["tim"]
    return process, task


def appoint(org, user, position_code, start=date(2026, 5, 4), end=date(2026, 5, 8), kind="plh"):
    appointment = ActingAppointment(
        organisation=org.organisation, position=Position.objects.get(organisation=org.organisation, code=position_code),
        officer=user.officer, kind=kind, start_date=start, end_date=end, letter_number="800/7/SEKRET/2026",
        letter_date=start,
    )
    appointment.full_clean()
    appointment.save()
    return appointment


def test_the_kabid_reassigns_step_3_keeping_its_deadline_and_the_new_holder_reads_why(bengkulu, frozen):
    org = bengkulu
    process, task = team_of_two(org)
    due = TaskSla.objects.get(task=task).due
    kabid = client_for(org["kabid"])

    form = kabid.get(reassign_url(task))
    assert form.status_code == 200
    options = page(form)
    assert f'value="{org["tim2"].pk}"' in options  # the other member named in the SK
    assert f'value="{org["staf"].pk}"' not in options  # not named, not offered

    frozen.shift(timedelta(hours=2))
    response = kabid.post(reassign_url(task), {"target": org["tim2"].pk, "reason": REASON})
    assert response.status_code == 302, page(response)[:2000]
    task.refresh_from_db()
    assert (task.owner, task.status) == (org["tim2"], STATUS.ASSIGNED)
    assert TaskSla.objects.get(task=task).due == due  # the deadline is the task's, not the new holder's

    event = AuditEvent.objects.get(action=AuditEvent.Action.REASSIGN)
    assert (event.actor, event.task_id, event.step_number, event.process_id) == (org["kabid"], task.pk, 3, process.pk)
    assert REASON in event.detail and "Tim2" in event.detail
    change = Reassignment.objects.get()
    assert (change.from_user, change.to_user, change.by, change.kind) == (
        org["tim"], org["tim2"], org["kabid"], Reassignment.Kind.REASSIGN)
    # The new holder is told, once, with the reason and the deadline the task keeps.
    notice = Notification.objects.get(recipient=org["tim2"], kind=Notification.Kind.REASSIGNED)
    assert (notice.task_id, notice.note, notice.actor, notice.due) == (task.pk, REASON, org["kabid"], due)
    assert not Notification.objects.filter(kind=Notification.Kind.REASSIGNED).exclude(recipient=org["tim2"]).exists()

    new_holder = client_for(org["tim2"])
    assert f"/{task.pk}/" in page(new_holder.get("/population/inbox/"))
    task_page = page(new_holder.get(task_url(process, task, "execute")))
    assert REASON in task_page and "dialihkan oleh atasan" in task_page
    assert "mengalihkan tugas" in page(kabid.get(f"/population/{process.pk}/"))  # the process history
    # The former holder has lost it.
    assert client_for(org["tim"]).get(task_url(process, task, "execute")).status_code in (403, 409)


def test_the_kasi_above_the_tim_reassigns_a_queued_task_and_a_reason_is_required(bengkulu, frozen):
    org = bengkulu
    process = start_population(org["kadis"])
    do_step(org["kabid"], process, "form_team", {
        "number": "800/1/2026", "date": "2026-05-04", "members": [org["tim"].pk, org["tim2"].pk],
    })
    task = open_task(process, "process_data")
    kasi = client_for(org["kasi"])
    empty = kasi.post(reassign_url(task), {"target": org["tim2"].pk, "reason": "  "})
    assert empty.status_code == 400 and "alasan wajib diisi" in page(empty)
    assert kasi.post(reassign_url(task), {"target": org["tim2"].pk, "reason": REASON}).status_code == 302
    task.refresh_from_db()
    assert (task.owner, task.status) == (org["tim2"], STATUS.ASSIGNED)
    assert Reassignment.objects.get().from_user is None


def test_a_colleague_without_a_supervising_position_may_not_reassign(bengkulu, frozen):
    org = bengkulu
    process, task = team_of_two(org)
    for user in (org["tim2"], org["staf"], org["adb"]):
        response = client_for(user).post(reassign_url(task), {"target": org["tim2"].pk, "reason": REASON})
        assert response.status_code == 403
        assert "bukan atasan pelaksana langkah ini" in page(response)
    task.refresh_from_db()
    assert task.owner == org["tim"]
    assert not Reassignment.objects.exists()
    refused = AuditEvent.objects.filter(action=AuditEvent.Action.REASSIGN_REFUSED)
    assert refused.count() == 3 and {event.actor for event in refused} == {org["tim2"], org["staf"], org["adb"]}


def test_a_target_without_the_steps_permission_is_refused_with_the_reason(bengkulu, frozen):
    org = bengkulu
    process, task = team_of_two(org)
    # The Staf holds no place in this process's SK Tim, the Kasi neither.
    for user in (org["staf"], org["kasi"]):
        response = client_for(org["kabid"]).post(reassign_url(task), {"target": user.pk, "reason": REASON})
        assert response.status_code == 409
        assert "tidak berwenang mengerjakan langkah 3" in page(response)
    task.refresh_from_db()
    assert task.owner == org["tim"]
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.REASSIGN).exists()
    assert AuditEvent.objects.filter(action=AuditEvent.Action.REASSIGN_REFUSED, actor=org["kabid"]).count() == 2


def test_an_officer_of_another_organisation_is_never_assignable_nor_sees_the_task(bengkulu, sumbar, frozen):
    org = bengkulu
    process, task = team_of_two(org)
    response = client_for(org["kabid"]).post(reassign_url(task), {"target": sumbar["tim"].pk, "reason": REASON})
    assert response.status_code == 409 and "bukan pegawai aktif organisasi ini" in page(response)
    assert f'value="{sumbar["tim"].pk}"' not in page(client_for(org["kabid"]).get(reassign_url(task)))
    # Another organisation's Kabid and admin: the task does not exist for them.
    sumbar["kabid"].officer.is_org_admin = True
    sumbar["kabid"].officer.save()
    other = client_for(sumbar["kabid"])
    assert other.get(reassign_url(task)).status_code == 404
    assert other.post(reassign_url(task), {"target": sumbar["tim"].pk, "reason": REASON}).status_code == 404
    task.refresh_from_db()
    assert task.owner == org["tim"]


def test_a_finished_task_cannot_be_reassigned(bengkulu, frozen):
    org = bengkulu
    process, _task = team_of_two(org)
    done = process.task_set.get(flow_task_type="HUMAN", status=STATUS.DONE, owner=org["kabid"])
    response = client_for(org["kadis"]).post(reassign_url(done), {"target": org["kabid"].pk, "reason": REASON})
    assert response.status_code == 409 and "sudah selesai" in page(response)
    assert client_for(org["kadis"]).get(reassign_url(done)).status_code == 409
    assert not Reassignment.objects.exists()


def test_the_organisations_admin_reassigns_even_without_a_supervising_position(bengkulu, frozen):
    org = bengkulu
    process, task = team_of_two(org)
    org["adb"].officer.is_org_admin = True
    org["adb"].officer.save()
    assert client_for(org["adb"]).post(reassign_url(task), {"target": org["tim2"].pk, "reason": REASON}).status_code == 302
    task.refresh_from_db()
    assert task.owner == org["tim2"]


def test_an_officer_delegates_their_task_to_a_colleague_of_the_same_position(bengkulu, frozen):
    org = bengkulu
    process, task = team_of_two(org)
    # Not your task: the other member cannot delegate it away from its holder.
    refused = client_for(org["tim2"]).post(delegate_url(task), {"target": org["tim2"].pk, "reason": REASON})
    assert refused.status_code == 403 and "bukan tugas Anda" in page(refused)

    holder = client_for(org["tim"])
    assert "Delegasikan tugas ini" in page(holder.get(task_url(process, task, "execute")))
    form = page(holder.get(delegate_url(task)))
    assert f'value="{org["tim2"].pk}"' in form and f'value="{org["kasi"].pk}"' not in form
    # The Kasi is neither a colleague of the Tim nor its Plh.
    wrong = holder.post(delegate_url(task), {"target": org["kasi"].pk, "reason": REASON})
    assert wrong.status_code == 409
    response = holder.post(delegate_url(task), {"target": org["tim2"].pk, "reason": "Saya dinas luar besok."})
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.owner == org["tim2"]
    event = AuditEvent.objects.get(action=AuditEvent.Action.DELEGATE)
    assert event.actor == org["tim"] and "Saya dinas luar besok." in event.detail
    notice = Notification.objects.get(kind=Notification.Kind.DELEGATED)
    assert (notice.recipient, notice.note, notice.actor) == (org["tim2"], "Saya dinas luar besok.", org["tim"])
    assert "didelegasikan" in page(client_for(org["tim2"]).get(task_url(process, task, "execute")))


def test_an_officer_delegates_to_the_plh_of_their_position_on_the_appointments_days_only(bengkulu, frozen):
    org = bengkulu
    process = start_population(org["kadis"])
    task = open_task(process, "form_team")  # step 2, the Kabid's
    kabid = client_for(org["kabid"])
    assert kabid.post(task_url(process, task, "assign")).status_code == 302
    plh = add_officer(org, "sekretariat", "bkl.plh_kabid")
    appoint(org, plh, "kabid", start=date(2026, 5, 7), end=date(2026, 5, 8))

    # 6 May: the appointment has not begun; the Sekretariat is no Kabid yet.
    early = kabid.post(delegate_url(task), {"target": plh.pk, "reason": "Cuti mulai besok."})
    assert early.status_code == 409 and "Plh/Plt jabatan itu" in page(early)

    frozen.move_to(datetime(2026, 5, 7, 9, 0, tzinfo=WIB))
    kabid = client_for(org["kabid"])
    assert kabid.post(delegate_url(task), {"target": plh.pk, "reason": "Cuti mulai hari ini."}).status_code == 302
    task.refresh_from_db()
    assert task.owner == plh
    event = AuditEvent.objects.get(action=AuditEvent.Action.DELEGATE)
    assert event.actor == org["kabid"] and "Cuti mulai hari ini." in event.detail
    plh_page = page(client_for(plh).get(task_url(process, task, "execute")))
    assert "Cuti mulai hari ini." in plh_page


def test_a_step_returned_to_an_absent_member_goes_back_to_the_queue(bengkulu, frozen, dkb_file):
    org = bengkulu
    process = start_population(org["kadis"])
    do_step(org["kabid"], process, "form_team", {
        "number": "800/1/2026", "date": "2026-05-04", "members": [org["tim"].pk, org["tim2"].pk],
    })
    process_dkb(org["tim"], process, dkb_file)
    away = client_for(org["tim"]).post("/penugasan/tidak-di-kantor/", {
        "start_date": "2026-05-06", "end_date": "2026-05-08", "note": "Cuti tahunan", "target": "queue",
    })
    assert away.status_code == 302
    assert AuditEvent.objects.filter(action=AuditEvent.Action.OUT_OF_OFFICE, actor=org["tim"]).exists()

    do_step(org["kasi"], process, "correct", {"decision": "return", "notes": "Tabel 3 belum lengkap."})
    reopened = open_task(process, "process_data")
    assert (reopened.status, reopened.owner) == (STATUS.NEW, None)  # not waiting for the absent member
    assert f"/{reopened.pk}/" in page(client_for(org["tim2"]).get("/population/queue/"))
    change = Reassignment.objects.get(kind=Reassignment.Kind.ROUTED)
    assert change.from_user == org["tim"] and change.to_user is None and "Cuti tahunan" in change.reason
    routed = AuditEvent.objects.get(action=AuditEvent.Action.ROUTED)
    assert routed.task_id == reopened.pk and "antrean jabatan" in routed.detail


def test_a_step_returned_to_an_absent_kasi_goes_to_the_plh_of_kasi(bengkulu, frozen, dkb_file):
    org = bengkulu
    plh = add_officer(org, "staf", "bkl.plh_kasi")
    appoint(org, plh, "kasi")
    OutOfOffice.objects.create(officer=org["kasi"].officer, start_date=date(2026, 5, 6), end_date=date(2026, 5, 6),
                               note="Dinas luar", target=OutOfOffice.Target.ACTING)
    process = start_population(org["kadis"])
    do_step(org["kabid"], process, "form_team", {"number": "1", "date": "2026-05-04", "members": [org["tim"].pk]})
    process_dkb(org["tim"], process, dkb_file)
    # The Kasi has the step from the queue before leaving; the Plh may claim it too, so claim as Kasi.
    task = open_task(process, "correct")
    assert client_for(org["kasi"]).post(task_url(process, task, "assign")).status_code == 302
    assert client_for(org["kasi"]).post(task_url(process, task, "execute"), {"decision": "approve"}).status_code == 302
    do_step(org["kabid"], process, "validate", {"decision": "return", "notes": "Periksa lagi."})

    reopened = open_task(process, "correct")
    assert (reopened.status, reopened.owner) == (STATUS.ASSIGNED, plh)
    assert f"/{reopened.pk}/" in page(client_for(plh).get("/population/inbox/"))
    assert "Dinas luar" in page(client_for(plh).get(task_url(process, reopened, "execute")))
    # The Plh hears of it as of any returned task; the absent Kasi is not told.
    assert Notification.objects.filter(recipient=plh, task=reopened, kind=Notification.Kind.RETURNED).count() == 1
    assert not Notification.objects.filter(recipient=org["kasi"], task=reopened).exists()

    # The next day the Kasi is back: a new return reaches the Kasi again.
    frozen.move_to(datetime(2026, 5, 7, 9, 0, tzinfo=WIB))
    assert client_for(plh).post(task_url(process, reopened, "execute"), {"decision": "approve"}).status_code == 302
    do_step(org["kabid"], process, "validate", {"decision": "return", "notes": "Sekali lagi."})
    again = open_task(process, "correct")
    assert again.owner == plh  # .Assign gives it back to whoever did the step last: the Plh, present


def test_out_of_office_periods_refuse_bad_ranges_and_overlaps(bengkulu, frozen):
    org = bengkulu
    client = client_for(org["tim"])
    url = "/penugasan/tidak-di-kantor/"
    backwards = client.post(url, {"start_date": "2026-05-08", "end_date": "2026-05-06", "note": "Cuti", "target": "queue"})
    assert backwards.status_code == 400 and "tidak boleh sebelum tanggal mulai" in page(backwards)
    assert client.post(url, {"start_date": "2026-05-06", "end_date": "2026-05-08", "note": "Cuti", "target": "queue"}).status_code == 302
    overlap = client.post(url, {"start_date": "2026-05-08", "end_date": "2026-05-12", "note": "Dinas", "target": "acting"})
    assert overlap.status_code == 400 and "tumpang tindih" in page(overlap)
    missing = client.post(url, {"start_date": "", "end_date": "", "note": "", "target": "queue"})
    assert missing.status_code == 400 and "Isi tanggal mulai." in page(missing)
    assert OutOfOffice.objects.count() == 1


def test_the_supervisors_view_shows_who_holds_what_and_reassigns_in_bulk(bengkulu, sumbar, frozen):
    org = bengkulu
    first, first_task = team_of_two(org, semester=1)
    second, second_task = team_of_two(org, semester=2)
    queued = start_population(org["kadis"], year=2024)
    queued_task = open_task(queued, "form_team")
    plh = add_officer(org, "sekretariat", "bkl.plh_kadis")
    appoint(org, plh, "kadis", start=date(2026, 6, 8), end=date(2026, 6, 9))
    OutOfOffice.objects.create(officer=org["tim"].officer, start_date=date(2026, 6, 8), end_date=date(2026, 6, 12),
                               note="Diklat", target=OutOfOffice.Target.QUEUE)
    url = f"/penugasan/organisasi/{org.organisation.pk}/"

    frozen.move_to(DAY + timedelta(days=28))  # step 3's seven working days have run out: overdue
    kabid = client_for(org["kabid"])
    view = page(kabid.get(url))
    assert "Tim" in view and "2 tugas" in view and "2 terlambat" in view  # the first member's two tasks
    assert "Kepala Bidang" in view and f'value="{queued_task.pk}"' in view  # step 2 waits in the Kabid's queue
    assert "Plh. Kepala Dinas" in view and "mendatang" in view and "Diklat" in view
    assert kabid.get("/penugasan/").status_code == 302

    # One finished task among the chosen: nothing is reassigned.
    done = first.task_set.get(status=STATUS.DONE, flow_task_type="HUMAN", owner=org["kabid"])
    refused = kabid.post(url, {"tasks": [first_task.pk, done.pk], "target": org["tim2"].pk, "reason": REASON})
    assert refused.status_code == 409 and "sudah selesai" in page(refused) and "Tidak ada tugas yang dialihkan" in page(refused)
    first_task.refresh_from_db()
    assert first_task.owner == org["tim"]

    response = kabid.post(url, {"tasks": [first_task.pk, second_task.pk], "target": org["tim2"].pk, "reason": REASON})
    assert response.status_code == 302
    for task in (first_task, second_task):
        task.refresh_from_db()
        assert task.owner == org["tim2"]
    assert AuditEvent.objects.filter(action=AuditEvent.Action.REASSIGN).count() == 2

    # Another organisation's page does not exist; a task of another organisation cannot be addressed.
    assert kabid.get(f"/penugasan/organisasi/{sumbar.organisation.pk}/").status_code == 404
    assert client_for(sumbar["kabid"]).get(url).status_code == 404
    other = start_population(sumbar["kadis"])
    other_task = open_task(other, "form_team")
    smuggled = kabid.post(url, {"tasks": [other_task.pk], "target": org["kabid"].pk, "reason": REASON})
    assert smuggled.status_code == 404
    # Not a supervisor: refused with the reason.
    assert client_for(org["tim"]).get(url).status_code == 403


def test_a_reassignment_made_from_a_stale_page_is_refused(bengkulu, frozen):
    org = bengkulu
    process, task = team_of_two(org)
    kabid, kasi = client_for(org["kabid"]), client_for(org["kasi"])
    # Both supervisors open the page while the first member holds it.
    assert f'name="holder" value="{org["tim"].pk}"' in page(kabid.get(reassign_url(task)))
    assert kasi.post(reassign_url(task), {"target": org["tim2"].pk, "reason": REASON, "holder": org["tim"].pk}).status_code == 302
    late = kabid.post(reassign_url(task), {"target": org["tim"].pk, "reason": "Kembalikan.", "holder": org["tim"].pk})
    assert late.status_code == 409 and "Pemegang tugas ini berubah sejak halaman Anda dibuka (sekarang: Tim2 BKL)" in page(late)
    task.refresh_from_db()
    assert task.owner == org["tim2"]
    assert Reassignment.objects.count() == 1


def test_the_admin_lists_reassignments_read_only_and_out_of_office_periods(bengkulu, frozen):
    from django.contrib.auth import get_user_model

    org = bengkulu
    process, task = team_of_two(org)
    assert client_for(org["kabid"]).post(reassign_url(task), {"target": org["tim2"].pk, "reason": REASON}).status_code == 302
    OutOfOffice.objects.create(officer=org["tim"].officer, start_date=date(2026, 5, 6), end_date=date(2026, 5, 7),
                               note="Cuti sakit", target=OutOfOffice.Target.QUEUE)
    root = client_for(get_user_model().objects.create_superuser("root", "root@example.invalid", "pw"))
    changes = page(root.get("/admin/workflows/reassignment/"))
    assert REASON in changes and "dialihkan oleh atasan" in changes
    assert root.get("/admin/workflows/reassignment/add/").status_code == 403
    assert "Cuti sakit" in page(root.get("/admin/workflows/outofoffice/"))
