"""The SLA books stay honest at their edges: a revived task gets its own clock, the untimed
step 1 is shown as such, and a changed Waktu does not rewrite how earlier tasks are judged."""

import pytest
import time_machine
from viewflow.workflow.status import STATUS

from workflows import sla
from workflows.models import SlaStatus, TaskSla

from .conftest import client_for, open_task, task_url
from .test_dashboard import dashboard, start_and_instruct
from .test_sla_deadlines import hand_over_list, wib


def test_a_task_revived_after_cancellation_gets_its_own_clock_and_keeps_its_permission(sumbar, admin_user):
    org = sumbar
    process = hand_over_list(org, wib(2026, 4, 6, 8, 0))  # step 3 (2 jam) opens Monday 08:00
    cancelled = open_task(process, "fill_list")
    admin = client_for(admin_user)
    with time_machine.travel(wib(2026, 4, 6, 9, 0), tick=False):
        assert admin.post(task_url(process, cancelled, "cancel"), {"_cancel": "1"}).status_code == 302
    with time_machine.travel(wib(2026, 4, 7, 13, 0), tick=False):
        assert admin.post(task_url(process, cancelled, "revive"), {"_revive": "1"}).status_code == 302

    old = TaskSla.objects.get(task=cancelled)
    assert old.cancelled and old.finished == wib(2026, 4, 6, 9, 0)
    revived = process.task_set.get(flow_task_type="HUMAN", status=STATUS.NEW)
    assert revived.pk != cancelled.pk
    clock = TaskSla.objects.get(task=revived)
    # Its own clock from its own creation: Tuesday 13:00 + 2 working hours.
    assert (clock.opened, clock.due, clock.cancelled, clock.reopened) == (
        wib(2026, 4, 7, 13, 0), wib(2026, 4, 7, 15, 0), False, False,
    )
    assert clock.status(wib(2026, 4, 7, 14, 0)) == SlaStatus.ON_TRACK
    # Still only the staff named in the disposition may claim it (viewflow's revive drops the
    # owner permission, and a task without one is open to anyone).
    assert revived.owner_permission == cancelled.owner_permission
    with time_machine.travel(wib(2026, 4, 7, 13, 30), tick=False):
        assert client_for(org["sekretariat"]).post(task_url(process, revived, "assign")).status_code in (403, 404)
        assert client_for(org["staf"]).post(task_url(process, revived, "assign")).status_code == 302
    with time_machine.travel(FRIDAY := wib(2026, 4, 10, 10, 0), tick=False):
        sheet = sla.control_sheet(process, now=FRIDAY)
    fill = next(row for row in sheet["rows"] if row["step"].number == 3)
    assert fill["rounds"] == 1 and fill["status"] == SlaStatus.OVERDUE  # the cancelled round is not counted


def test_step_one_is_done_but_untimed_on_the_control_sheet_and_the_process_page(sumbar):
    org = sumbar
    process = hand_over_list(org, wib(2026, 4, 6, 8, 0))
    start = TaskSla.objects.get(process=process, step_number=1)
    assert start.finished == wib(2026, 4, 6, 8, 0) and start.done_by == org["kabid"]
    assert (start.elapsed_seconds, start.on_time) == (None, None)
    assert start.status(wib(2026, 4, 6, 9, 0)) == SlaStatus.DONE_UNTIMED
    with time_machine.travel(wib(2026, 4, 6, 9, 0), tick=False):
        first = sla.control_sheet(process)["rows"][0]
        html = client_for(org["kabid"]).get(f"/utilization/{process.pk}/").content.decode()
    assert (first["status"], first["actual"]) == (SlaStatus.DONE_UNTIMED, "tidak diukur")
    assert "Selesai (tidak diukur)" in html


def waktu_override(admin_user, org, minutes):
    """The administrator sets the organisation's own Waktu for SOP B step 2 in the admin."""
    response = client_for(admin_user).post("/admin/workflows/waktuoverride/add/", {
        "organisation": org.organisation.pk, "sop": "B", "step_number": 2, "amount": minutes, "unit": "menit",
    })
    assert response.status_code == 302, response.content.decode()[:500]


@pytest.fixture
def waktu_changed_midway(sumbar, admin_user):
    """SOP B step 2 (10 menit in the SOP) done in 20 minutes four times: twice under the SOP's
    10 menit (late), then, after the admin sets 30 menit, twice more (on time)."""
    org = sumbar
    start_and_instruct(org, 1, wib(2026, 4, 6, 8, 0), wib(2026, 4, 6, 8, 20))
    start_and_instruct(org, 2, wib(2026, 4, 6, 9, 0), wib(2026, 4, 6, 9, 20))
    with time_machine.travel(wib(2026, 4, 6, 10, 0), tick=False):
        waktu_override(admin_user, org, 30)
    start_and_instruct(org, 3, wib(2026, 4, 7, 8, 0), wib(2026, 4, 7, 8, 20))
    start_and_instruct(org, 4, wib(2026, 4, 7, 9, 0), wib(2026, 4, 7, 9, 20))
    return org


def test_after_a_waktu_change_each_task_is_judged_against_the_standard_it_ran_under(waktu_changed_midway):
    org = waktu_changed_midway
    response = dashboard(org["kasi"])
    row = next(row for row in response.context["step_rows"] if row["step_number"] == 2)
    assert (row["timed_count"], row["on_time_count"], row["on_time_percent"]) == (4, 2, 50)
    assert [(used["label"], used["tasks"]) for used in row["standards_used"]] == [("10 menit", 2), ("30 menit", 2)]
    assert row["waktu"] == "30 menit" and row["median"] == pytest.approx(20 * 60)
    # 20 minutes is within today's 30, but the median task ran at twice (or two thirds of) its
    # own standard: judged per task, the median is over.
    assert row["median_over"]
    html = response.content.decode()
    assert "10 menit (2 tugas)" in html and "30 menit (2 tugas)" in html and "berlaku sekarang: 30 menit" in html
    assert "Dalam pilihan ini waktu baku beberapa langkah berubah" in html
    # The first run's control sheet keeps the 10 menit it ran under.
    first = TaskSla.objects.filter(step_number=2).order_by("opened").first().process
    sheet = sla.control_sheet(first)
    assert sheet["rows"][1]["standard"] == "10 menit" and sheet["rows"][1]["status"] == SlaStatus.DONE_LATE


def test_without_a_waktu_change_the_page_does_not_list_standards(sumbar):
    org = sumbar
    start_and_instruct(org, 1, wib(2026, 4, 6, 8, 0), wib(2026, 4, 6, 8, 5))
    response = dashboard(org["kasi"])
    assert response.context["standards_changed"] is False
    assert all(row["standards_used"] == [] for row in response.context["step_rows"])
    assert "berlaku sekarang:" not in response.content.decode()


def test_the_migration_untimes_step_one_rows_recorded_as_zero_and_on_time(sumbar):
    import importlib

    from django.apps import apps

    org = sumbar
    process = hand_over_list(org, wib(2026, 4, 6, 8, 0))
    # A row as the former start_clock stored it: zero seconds, on time.
    TaskSla.objects.filter(process=process, step_number=1).update(elapsed_seconds=0, on_time=True)
    migration = importlib.import_module("workflows.migrations.0006_untimed_start_steps")
    migration.untime_start_steps(apps, None)
    start = TaskSla.objects.get(process=process, step_number=1)
    assert (start.elapsed_seconds, start.on_time) == (None, None)
    instruct = TaskSla.objects.get(process=process, step_number=2)
    assert instruct.elapsed_seconds is not None and instruct.on_time is not None  # other steps untouched
