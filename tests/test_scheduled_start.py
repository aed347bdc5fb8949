"""Processes that start themselves (issue 13, point 3): a schedule per organisation and SOP, the
timers loop starting the period on its first working day at 07:30 local time, exactly once (also
after the loop was down that morning, and with two loops at once), step 1 in the queue of the
position the SOP names with its deadline counted from the start; switched off, nothing starts."""

import threading
from datetime import date, datetime, time
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from viewflow.workflow.status import STATUS

from workflows.authored.models import AuthoredProcess, AuthoredTask
from workflows.models import (
    AuditEvent,
    HolidayOverride,
    Instruction,
    Notification,
    ProcessSla,
    ScheduledStart,
    SopProcess,
    SopSchedule,
    TaskSla,
)
from workflows.sla import calendar_for

from .authored_sop import add_operator, make_authored_sop
from .test_authored_flow import act
from .conftest import client_for, do_step, make_org, open_task, start_population, task_url

WIB = ZoneInfo("Asia/Jakarta")


def at(year, month, day, hour, minute=0):
    return time_machine.travel(datetime(year, month, day, hour, minute, tzinfo=WIB), tick=False)


def run_loop():
    """One sweep of the timers loop, as cron or `make run` runs it."""
    out = StringIO()
    call_command("run_timers", "--once", stdout=out)
    return out.getvalue()


def schedule_for(org, sop="A", period_type="semester", first_day=date(2029, 3, 1), **fields):
    """A schedule set in March (2029 unless told): earlier periods are not started."""
    return SopSchedule.objects.create(
        organisation=org.organisation, sop=sop, period_type=period_type, first_day=first_day, **fields
    )


def processes(org, sop="A"):
    return SopProcess.objects.filter(organisation=org.organisation, sop=sop)


def test_semester_i_starts_on_monday_2_july_when_1_july_is_a_sunday_at_0730_exactly_once(bengkulu):
    schedule_for(bengkulu)
    with at(2029, 6, 30, 9):  # the semester's last day, a Saturday
        run_loop()
    with at(2029, 7, 1, 7, 30):  # 1 July 2029 is a Sunday
        run_loop()
    with at(2029, 7, 2, 7, 29):
        run_loop()
    assert not processes(bengkulu).exists()
    with at(2029, 7, 2, 7, 30):
        assert "1 scheduled process(es) started" in run_loop()
    with at(2029, 7, 2, 7, 31):
        run_loop()
    with at(2029, 7, 9, 8):
        run_loop()
    process = processes(bengkulu).get()
    assert (process.year, process.period_type, process.period_number) == (2029, "semester", 1)
    assert process.period_label == "Semester I 2029"
    assert ScheduledStart.objects.get().process_id == process.pk

    # Step 1 waits in the queue of the position SOP A names (the Kadis), its clock from 07:30.
    task = open_task(process, "scheduled_order")
    assert task.status == STATUS.NEW and task.owner is None
    clock = TaskSla.objects.get(task=task)
    start = datetime(2029, 7, 2, 7, 30, tzinfo=WIB)
    assert (clock.step_number, clock.node, clock.opened) == (1, "start", start)
    assert clock.due == datetime(2029, 7, 2, 8, 30, tzinfo=WIB)  # Waktu 1 jam
    assert ProcessSla.objects.filter(process_id=process.pk).exists()
    event = AuditEvent.objects.get(process=process, action=AuditEvent.Action.START)
    assert event.actor is None and "Dimulai otomatis menurut jadwal" in event.detail
    # The Kadis (the only holder of the position) is told once that the task is in the queue.
    notices = Notification.objects.filter(task=task, kind=Notification.Kind.QUEUE)
    assert [notice.recipient for notice in notices] == [bengkulu["kadis"]]
    assert notices.get().step_number == 1 and notices.get().created == start


def test_a_loop_down_that_morning_starts_the_period_later_that_day_with_the_deadline_from_then(bengkulu):
    schedule_for(bengkulu, first_day=date(2027, 3, 1))
    # A regional holiday on Thursday 1 July 2027: the first working day is Friday 2 July.
    HolidayOverride.objects.create(organisation=bengkulu.organisation, date=date(2027, 7, 1), name="Hari jadi")
    with at(2027, 7, 1, 7, 30):
        run_loop()
    assert not processes(bengkulu).exists()
    # The loop was down from 07:00 to 10:00 on Friday; its first sweep starts the semester.
    with at(2027, 7, 2, 10, 0):
        run_loop()
    with at(2027, 7, 2, 10, 1):
        run_loop()
    process = processes(bengkulu).get()
    clock = TaskSla.objects.get(task=open_task(process, "scheduled_order"))
    start = datetime(2027, 7, 2, 10, 0, tzinfo=WIB)
    assert clock.opened == start
    assert clock.due == calendar_for(bengkulu.organisation).add(start, 1, "jam") == datetime(2027, 7, 2, 11, 0, tzinfo=WIB)


def test_a_loop_down_all_day_starts_the_period_on_its_next_run(bengkulu):
    schedule_for(bengkulu)
    with at(2029, 7, 3, 6, 15):  # the loop comes back the next morning, before office hours
        run_loop()
    assert processes(bengkulu).get().period_label == "Semester I 2029"


def test_semester_ii_starts_on_the_first_working_day_after_31_december(bengkulu):
    schedule_for(bengkulu)
    with at(2030, 1, 1, 7, 30):  # Tahun Baru
        run_loop()
    assert not processes(bengkulu).filter(year=2029, period_number=2).exists()
    with at(2030, 1, 2, 7, 30):
        run_loop()
    assert processes(bengkulu).get().period_label == "Semester II 2029"


def test_the_kadis_finds_step_1_in_the_queue_and_the_process_goes_on_to_the_kabid(bengkulu):
    schedule_for(bengkulu)
    with at(2029, 7, 2, 7, 30):
        run_loop()
    process = processes(bengkulu).get()
    with at(2029, 7, 2, 8, 0):
        queue = client_for(bengkulu["kadis"]).get("/population/queue/").content.decode()
        assert "1. Perintah pembentukan tim" in queue
        assert "1. Perintah pembentukan tim" not in client_for(bengkulu["kabid"]).get("/population/queue/").content.decode()
        task = open_task(process, "scheduled_order")
        page = client_for(bengkulu["kadis"])
        assert page.post(task_url(process, task, "assign")).status_code == 302
        assert "Perintah kepada Kabid PIAK" in page.get(task_url(process, task, "execute")).content.decode()
        do_step(bengkulu["kadis"], process, "scheduled_order", {"text": "Bentuk tim semester I."})
    instruction = Instruction.objects.get(process=process)
    assert (instruction.step_number, instruction.node, instruction.author) == (1, "start", bengkulu["kadis"])
    clock = TaskSla.objects.get(task=task)
    assert clock.finished == datetime(2029, 7, 2, 8, 0, tzinfo=WIB) and clock.on_time is True
    assert open_task(process, "form_team").status == STATUS.NEW
    # The process page and its chart show the run like any other.
    assert client_for(bengkulu["kabid"]).get(f"/population/{process.pk}/").status_code == 200
    assert client_for(bengkulu["kabid"]).get(f"/population/{process.pk}/chart/").status_code == 200
    assert client_for(bengkulu["kabid"]).get("/population/chart/").status_code == 200
    history = client_for(bengkulu["kabid"]).get(f"/population/{process.pk}/").content.decode()
    assert "Dimulai otomatis menurut jadwal" in history and "sistem" in history


def test_a_switched_off_schedule_starts_nothing(bengkulu, sumbar):
    schedule = schedule_for(bengkulu, active=False)
    schedule_for(sumbar)
    with at(2029, 7, 2, 7, 30):
        run_loop()
    assert not processes(bengkulu).exists()
    assert processes(sumbar).count() == 1  # the other organisation's schedule is its own
    assert schedule.next_start_moment() is None
    schedule.active = True
    schedule.save()
    with at(2029, 7, 2, 9, 0):
        run_loop()
    assert processes(bengkulu).count() == 1


def test_a_semester_started_by_hand_is_not_started_again(bengkulu):
    schedule_for(bengkulu)
    with at(2029, 7, 2, 7, 0):
        manual = start_population(bengkulu["kadis"], year=2029, semester=1)
    with at(2029, 7, 2, 7, 30):
        run_loop()
    assert list(processes(bengkulu)) == [manual]
    assert ScheduledStart.objects.get().process_id == manual.pk


def test_periods_before_the_schedule_applies_are_not_started(bengkulu):
    schedule_for(bengkulu, first_day=date(2029, 7, 3))
    with at(2029, 7, 2, 7, 30):
        run_loop()
    assert not processes(bengkulu).exists()
    schedule = SopSchedule.objects.get()
    with at(2029, 7, 2, 7, 30):
        assert schedule.next_start_moment() == datetime(2030, 1, 2, 7, 30, tzinfo=WIB)


def test_the_unique_constraint_refuses_a_second_start_of_one_period(bengkulu):
    schedule = schedule_for(bengkulu)
    fields = dict(schedule=schedule, organisation=bengkulu.organisation, sop="A", year=2029, period_type="semester",
                  period_number=1)
    ScheduledStart.objects.create(**fields)
    with pytest.raises(IntegrityError), transaction.atomic():
        ScheduledStart.objects.create(**fields)


def test_a_triwulan_schedule_of_sop_b_gives_step_1_to_the_kabid(sumbar):
    schedule_for(sumbar, sop="B", period_type="triwulan", start_time=time(8, 0), first_day=date(2027, 3, 1))
    with at(2027, 4, 1, 7, 59):
        run_loop()
    assert not processes(sumbar, "B").exists()
    with at(2027, 4, 1, 8, 0):
        run_loop()
    process = processes(sumbar, "B").get()
    assert process.period_label == "Triwulan I 2027"
    task = open_task(process, "scheduled_disposition")
    first = process.catalogue.steps[0]
    clock = TaskSla.objects.get(task=task)
    assert clock.opened == datetime(2027, 4, 1, 8, 0, tzinfo=WIB)
    assert clock.due == calendar_for(sumbar.organisation).add(clock.opened, first.waktu_amount, first.waktu_unit)
    with at(2027, 4, 1, 8, 30):
        do_step(sumbar["kabid"], process, "scheduled_disposition", {"text": "Buat daftar triwulan I."})
    assert open_task(process, "instruct_staff").status == STATUS.NEW


def test_an_authored_sop_schedule_starts_its_first_step_in_its_positions_queue(bengkulu):
    author = bengkulu["kabid"]
    operator = add_operator(bengkulu, "bkl.operator")
    definition, version = make_authored_sop(bengkulu, author)
    schedule_for(bengkulu, sop=definition.key)
    with at(2029, 7, 2, 7, 30):
        run_loop()
        run_loop()
    process = AuthoredProcess.objects.get()
    assert process.version == version and process.subject == "Layanan Data dan Informasi Kependudukan — Semester I 2029"
    assert (process.year, process.period_number) == (2029, 1)
    task = AuthoredTask.objects.get(process=process, flow_task_type="HUMAN", status=STATUS.NEW)
    assert task.data["step"] == "k1" and task.title.startswith("1. Menerima permohonan data")
    clock = TaskSla.objects.get(task=task)
    start = datetime(2029, 7, 2, 7, 30, tzinfo=WIB)
    assert clock.opened == start and clock.due == calendar_for(bengkulu.organisation).add(start, 30, "menit")
    with at(2029, 7, 2, 8, 0):
        assert task.title in client_for(operator).get("/sop/queue/").content.decode()
        assert task.title not in client_for(bengkulu["kasi"]).get("/sop/queue/").content.decode()
    # Exactly once, although an authored SOP runs many processes a period.
    with at(2029, 7, 2, 9, 0):
        run_loop()
    assert AuthoredProcess.objects.count() == 1
    # The operator does step 1 from the queue; the interpreter routes on to step 2 (the Kasi).
    with at(2029, 7, 2, 9, 30):
        act(operator, process, {"notes": "Berkas diterima lengkap."}, "k1")
    process.refresh_from_db()
    assert process.current_step == "k2"
    assert TaskSla.objects.get(task=task).finished == datetime(2029, 7, 2, 9, 30, tzinfo=WIB)


def test_a_failed_start_is_audited_once_and_succeeds_on_a_later_run_without_an_operator(bengkulu):
    author = bengkulu["kabid"]
    add_operator(bengkulu, "bkl.operator")
    definition, version = make_authored_sop(bengkulu, author, publish=False)
    schedule = schedule_for(bengkulu, sop=definition.key)
    with at(2029, 7, 2, 7, 30):
        run_loop()
        run_loop()
    assert not AuthoredProcess.objects.exists()
    failures = AuditEvent.objects.filter(action=AuditEvent.Action.SCHEDULE_FAILED)
    assert failures.count() == 1 and "belum memiliki versi terbit" in failures.get().detail
    schedule.refresh_from_db()
    assert "belum memiliki versi terbit" in schedule.last_error
    with at(2029, 7, 2, 9, 0):
        version.publish(author)
        run_loop()
    assert AuthoredProcess.objects.count() == 1
    schedule.refresh_from_db()
    assert schedule.last_error == ""


def test_the_admin_sets_a_schedule_and_refuses_another_organisations_sop(bengkulu, sumbar, admin_client):
    definition, _version = make_authored_sop(sumbar, sumbar["kabid"])
    form = {"organisation": bengkulu.organisation.pk, "period_type": "semester", "start_time": "07:30",
            "first_day": "2029-01-01", "active": "on"}
    refused = admin_client.post("/admin/workflows/sopschedule/add/", {**form, "sop": definition.key})
    assert refused.status_code == 200 and "Pilih SOP bawaan atau SOP milik organisasi ini." in refused.content.decode()
    wrong_kind = admin_client.post("/admin/workflows/sopschedule/add/", {**form, "sop": "A", "period_type": "triwulan"})
    assert "SOP ini tidak dijalankan per triwulan." in wrong_kind.content.decode()
    assert admin_client.post("/admin/workflows/sopschedule/add/", {**form, "sop": "A"}).status_code == 302
    assert SopSchedule.objects.get().sop == "A"
    listing = admin_client.get("/admin/workflows/sopschedule/").content.decode()
    assert "Jadwal mulai otomatis" in listing or "jadwal mulai otomatis" in listing


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_loops_at_once_start_the_period_once():
    if connection.vendor != "postgresql":
        pytest.skip("two connections writing at once need PostgreSQL; run with DATABASE_URL")
    org = make_org("bkl", "Disdukcapil Provinsi Bengkulu", "17", "Bengkulu")
    schedule_for(org)
    barrier = threading.Barrier(2)
    started = []

    def loop():
        try:
            barrier.wait()
            started.extend(SopSchedule.objects.start_due(datetime(2029, 7, 2, 7, 30, tzinfo=WIB)))
        finally:
            connection.close()

    with at(2029, 7, 2, 7, 30):
        threads = [threading.Thread(target=loop) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    assert len(started) == 1
    assert processes(org).count() == 1 and ScheduledStart.objects.count() == 1


def test_next_start_moment_follows_the_calendar(bengkulu):
    schedule = schedule_for(bengkulu)
    with at(2029, 3, 10, 12):
        assert schedule.next_start_moment() == datetime(2029, 7, 2, 7, 30, tzinfo=WIB)
    with at(2029, 7, 2, 7, 30):
        run_loop()
    with at(2029, 7, 2, 8, 0):
        assert schedule.next_start_moment() == datetime(2030, 1, 2, 7, 30, tzinfo=WIB)
