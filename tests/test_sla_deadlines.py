"""Due moments in working time, stored when each task is created, with the clock frozen.

Processes run through HTTP exactly as officers click them; the SOP B steps used here are
step 2 (Kasi, 10 menit, created when the Kabid starts the process) and step 3 (Staf, 2 jam,
created when the Kasi hands the list over).
"""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.template.loader import render_to_string
from viewflow.workflow.status import STATUS

from workflows import sla
from workflows.models import AlternativeSchedule, HolidayOverride, ProcessSla, SlaStatus, TaskSla, WaktuOverride

from .conftest import do_step, open_task, start_utilization
from .test_utilization_flow import add_entry, entry

WIB = ZoneInfo("Asia/Jakarta")
WITA = ZoneInfo("Asia/Makassar")


def wib(*args):
    return datetime(*args, tzinfo=WIB)


def row_for(process, node):
    """The clock of the open task of ``node``."""
    return TaskSla.objects.get(task=open_task(process, node))


def hand_over_list(org, at, number=1, year=2026):
    """Kabid starts SOP B and the Kasi names the staff, both at ``at``: step 3 opens then."""
    with time_machine.travel(at, tick=False):
        process = start_utilization(org["kabid"], year=year, period_type="triwulan", number=number)
        do_step(org["kasi"], process, "instruct_staff", {"text": "Isi daftar.", "staff": [org["staf"].pk]})
    return process


def test_a_two_hour_step_handed_over_on_friday_afternoon_is_due_on_monday_morning(sumbar):
    # Friday closes at 16:30: 30 minutes on Friday, 90 more from Monday 07:30.
    process = hand_over_list(sumbar, wib(2026, 1, 9, 16, 0))
    row = row_for(process, "fill_list")
    assert row.due == wib(2026, 1, 12, 9, 0)
    assert (row.waktu_amount, row.waktu_unit) == (2, "jam")
    assert row.standard_seconds == 2 * 3600


def test_the_first_step_is_due_ten_working_minutes_after_the_process_starts(sumbar):
    with time_machine.travel(wib(2026, 1, 12, 11, 55), tick=False):
        process = start_utilization(sumbar["kabid"], year=2026, period_type="triwulan", number=1)
    # Five minutes before the break, five after it.
    assert row_for(process, "instruct_staff").due == wib(2026, 1, 12, 13, 5)


def test_a_national_holiday_is_skipped(sumbar):
    # Friday 16 January 2026 is Isra Mikraj: Thursday's last hour, then Monday.
    process = hand_over_list(sumbar, wib(2026, 1, 15, 15, 0))
    assert row_for(process, "fill_list").due == wib(2026, 1, 19, 8, 30)


def test_a_2026_cuti_bersama_day_is_skipped_and_an_admin_may_cancel_it(sumbar):
    # Thursday 24 December 2026 is cuti bersama, Friday 25 Christmas.
    process = hand_over_list(sumbar, wib(2026, 12, 23, 15, 0), number=4)
    assert row_for(process, "fill_list").due == wib(2026, 12, 28, 8, 30)

    # The government cancels the cuti bersama day: tasks created afterwards count it as working.
    HolidayOverride.objects.create(organisation=None, date=date(2026, 12, 24), action=HolidayOverride.REMOVE)
    later = hand_over_list(sumbar, wib(2026, 12, 23, 15, 0), number=3)
    assert row_for(later, "fill_list").due == wib(2026, 12, 24, 8, 30)
    assert row_for(process, "fill_list").due == wib(2026, 12, 28, 8, 30), "stored deadlines stay as they were"


def test_a_regional_holiday_added_for_one_organisation_moves_only_its_deadlines(sumbar, bengkulu):
    HolidayOverride.objects.create(
        organisation=sumbar.organisation, date=date(2026, 2, 3), action=HolidayOverride.ADD, name="Hari jadi provinsi"
    )
    process = hand_over_list(sumbar, wib(2026, 2, 2, 15, 0))
    assert row_for(process, "fill_list").due == wib(2026, 2, 4, 8, 30)
    calendar = sla.calendar_for(bengkulu.organisation)
    assert calendar.is_working_day(date(2026, 2, 3))


def test_ramadan_hours_apply_inside_the_alternative_schedule_range(sumbar):
    AlternativeSchedule.objects.create(name="Ramadan 1447 H", first_day=date(2026, 2, 19), last_day=date(2026, 3, 19))
    # Ramadan Wednesday ends at 15:00 and Thursday starts at 08:00.
    process = hand_over_list(sumbar, wib(2026, 2, 25, 14, 0))
    assert row_for(process, "fill_list").due == wib(2026, 2, 26, 9, 0)
    # The same hand-over after Ramadan and the Idul Fitri leave ends at closing time the same day.
    after = hand_over_list(sumbar, wib(2026, 4, 8, 14, 0), number=2)
    assert row_for(after, "fill_list").due == wib(2026, 4, 8, 16, 0)


def test_an_organisation_in_wita_counts_its_own_office_hours(sumbar, bengkulu):
    org = sumbar.organisation
    org.timezone = "Asia/Makassar"
    org.save()
    # 07:00 WIB is 08:00 WITA: Bengkulu's office is not open yet, Sumatera Barat's (in WITA) is.
    start = wib(2026, 1, 12, 7, 0)
    with time_machine.travel(start, tick=False):
        in_wita = start_utilization(sumbar["kabid"], year=2026, period_type="triwulan", number=1)
        in_wib = start_utilization(bengkulu["kabid"], year=2026, period_type="triwulan", number=1)
    assert row_for(in_wita, "instruct_staff").due == datetime(2026, 1, 12, 8, 10, tzinfo=WITA)
    assert row_for(in_wib, "instruct_staff").due == wib(2026, 1, 12, 7, 40)
    assert sla.format_moment(row_for(in_wita, "instruct_staff").due, org.timezone).endswith("08.10 WITA")


def test_an_admin_override_of_the_step_standard_replaces_the_catalogue(sumbar):
    WaktuOverride.objects.create(organisation=sumbar.organisation, sop="B", step_number=3, amount=1, unit="hari")
    process = hand_over_list(sumbar, wib(2026, 1, 9, 15, 0))
    row = row_for(process, "fill_list")
    assert row.due == wib(2026, 1, 12, 15, 0)  # one working day, same clock time
    assert (row.waktu_amount, row.waktu_unit) == (1, "hari")
    assert row.standard_seconds == 7.5 * 3600


def submit_list(org, process):
    opd = org.organisation.opds.order_by("name").first()
    task = open_task(process, "fill_list")
    if task.status == STATUS.NEW:
        from .conftest import client_for, task_url

        assert client_for(org["staf"]).post(task_url(process, task, "assign")).status_code == 302
    add_entry(org["staf"], process, entry(opd, 10))
    do_step(org["staf"], process, "fill_list", {"action": "submit"})


def test_a_step_reopened_by_a_return_gets_a_fresh_deadline_and_the_old_round_keeps_its_time(sumbar):
    org = sumbar
    process = hand_over_list(org, wib(2026, 4, 6, 8, 0))
    first = row_for(process, "fill_list")
    with time_machine.travel(wib(2026, 4, 6, 11, 0), tick=False):  # three hours: late
        submit_list(org, process)
        do_step(org["staf"], process, "count", {"confirmed": "on"})
    with time_machine.travel(wib(2026, 4, 6, 13, 30), tick=False):
        do_step(org["kasi"], process, "evaluate", {"decision": "return", "notes": "Lengkapi PKS.", "analysis": ""})

    first.refresh_from_db()
    assert first.finished == wib(2026, 4, 6, 11, 0)
    assert first.elapsed_seconds == 3 * 3600 and first.on_time is False
    assert first.status(wib(2026, 4, 6, 11, 0)) == SlaStatus.DONE_LATE
    reopened = row_for(process, "fill_list")
    assert reopened.pk != first.pk and reopened.reopened
    assert reopened.due == wib(2026, 4, 6, 15, 30)
    evaluate = TaskSla.objects.get(process=process, node="evaluate")
    # 11:00-12:00 and 13:00-13:30: one and a half working hours; the review itself was not returned.
    assert evaluate.elapsed_seconds == 90 * 60 and evaluate.on_time and not evaluate.reopened


def test_status_moves_from_on_track_to_due_soon_at_80_percent_and_then_overdue(sumbar):
    process = hand_over_list(sumbar, wib(2026, 4, 6, 8, 0))
    row = row_for(process, "fill_list")
    assert row.warn_at == wib(2026, 4, 6, 9, 36)  # 96 of 120 minutes
    assert row.status(wib(2026, 4, 6, 9, 35)) == SlaStatus.ON_TRACK
    assert row.status(wib(2026, 4, 6, 9, 36)) == SlaStatus.DUE_SOON
    assert row.status(wib(2026, 4, 6, 10, 0)) == SlaStatus.OVERDUE
    assert row.notify_at == row.due == wib(2026, 4, 6, 10, 0)


def test_finished_time_is_stored_once_and_not_recomputed_when_the_calendar_changes(sumbar):
    process = hand_over_list(sumbar, wib(2026, 4, 6, 15, 0))
    with time_machine.travel(wib(2026, 4, 7, 8, 0), tick=False):
        submit_list(sumbar, process)
    row = TaskSla.objects.get(process=process, node="fill_list")
    assert row.elapsed_seconds == 90 * 60 and row.on_time  # 15:00-16:00 and 07:30-08:00
    HolidayOverride.objects.create(organisation=sumbar.organisation, date=date(2026, 4, 7), name="Banjir")
    row.refresh_from_db()
    assert row.elapsed_seconds == 90 * 60


def test_the_process_carries_its_overall_standard_and_its_working_time(sumbar):
    process = hand_over_list(sumbar, wib(2026, 4, 6, 8, 0))
    with time_machine.travel(wib(2026, 4, 6, 9, 0), tick=False):
        submit_list(sumbar, process)
    process_sla = ProcessSla.objects.get(process=process)
    # 10 + 10 menit, 2 jam, 15 menit, 2 jam, 3 jam, 15 menit.
    assert process_sla.standard_seconds == (10 + 10 + 120 + 15 + 120 + 180 + 15) * 60
    assert process_sla.elapsed_seconds == 3600


def test_a_cancelled_process_stops_the_clock_of_its_open_task(sumbar, client):
    process = hand_over_list(sumbar, wib(2026, 4, 6, 8, 0))
    from .authorisation import make_org_admin
    from .conftest import client_for

    admin = make_org_admin(sumbar)
    with time_machine.travel(wib(2026, 4, 6, 9, 0), tick=False):
        response = client_for(admin).post(f"/utilization/{process.pk}/cancel/", {"_cancel_process": "1"})
    assert response.status_code == 302
    row = TaskSla.objects.get(process=process, node="fill_list")
    assert row.cancelled and row.status(wib(2026, 4, 7, 9, 0)) == SlaStatus.CANCELLED


def test_the_control_sheet_lists_every_step_with_its_standard_time_status_and_returns(sumbar):
    org = sumbar
    process = hand_over_list(org, wib(2026, 4, 6, 8, 0))
    with time_machine.travel(wib(2026, 4, 6, 11, 0), tick=False):
        submit_list(org, process)
        do_step(org["staf"], process, "count", {"confirmed": "on"})
    with time_machine.travel(wib(2026, 4, 6, 13, 30), tick=False):
        do_step(org["kasi"], process, "evaluate", {"decision": "return", "notes": "Lengkapi.", "analysis": ""})
    with time_machine.travel(wib(2026, 4, 6, 14, 0), tick=False):
        sheet = sla.control_sheet(process)
        html = render_to_string("workflows/includes/control_sheet.html", {"control_sheet": sheet})
    rows = {row["step"].number: row for row in sheet["rows"]}
    assert [row["step"].number for row in sheet["rows"]] == [1, 2, 3, 4, 5, 6, 7]
    assert rows[3]["returns"] == 1 and rows[3]["rounds"] == 2
    assert rows[3]["actual"] == "3 jam 30 menit"  # three hours, then 30 minutes of the reopened round
    assert rows[3]["status"] == SlaStatus.ON_TRACK
    assert rows[2]["status"] == SlaStatus.DONE_ON_TIME and rows[2]["standard"] == "10 menit"
    assert rows[6]["status"] is None and rows[6]["start"] == "—"
    assert sheet["standard"] == "1 hari 20 menit"  # 7 h 50 min: one 7.5-hour working day and 20 minutes
    assert "Lembar Kendali Mutu Baku" in html and "Selesai terlambat" not in html
    assert "6 April 2026 08.00 WIB" in html
    assert "belum dimulai" in html


@pytest.mark.parametrize("seconds, label", [
    (0, "0 menit"), (59 * 60, "59 menit"), (3600, "1 jam"), (5430, "1 jam 31 menit"),
    (int(7.5 * 3600), "1 hari"), (int((2 * 7.5 + 3) * 3600), "2 hari 3 jam"), (int(7.5 * 3600) + 45 * 60, "1 hari 45 menit"),
])
def test_working_time_is_written_in_working_days_hours_and_minutes(seconds, label):
    assert sla.format_working_time(seconds) == label


def test_a_working_day_is_as_long_as_the_schedule_says():
    from datetime import timedelta

    assert sla.format_working_time(8 * 3600, day=timedelta(hours=8)) == "1 hari"
    assert sla.format_working_time(8 * 3600) == "1 hari 30 menit"
