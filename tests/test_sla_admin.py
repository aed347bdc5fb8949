"""Administrators keep the working calendar and the time standards current through the admin."""

from datetime import date

from workflows import sla
from workflows.models import AlternativeSchedule, HolidayOverride, WaktuOverride

from .test_sla_deadlines import hand_over_list, row_for, wib


def test_admin_adds_a_regional_holiday_and_new_deadlines_skip_it(admin_client, sumbar):
    response = admin_client.post("/admin/workflows/holidayoverride/add/", {
        "organisation": sumbar.organisation.pk, "date": "2026-04-07", "action": "add", "name": "Hari jadi provinsi",
    })
    assert response.status_code == 302, response.content.decode()[:500]
    assert not sla.calendar_for(sumbar.organisation).is_working_day(date(2026, 4, 7))
    process = hand_over_list(sumbar, wib(2026, 4, 6, 15, 0))
    assert row_for(process, "fill_list").due == wib(2026, 4, 8, 8, 30)


def test_an_organisation_schedule_replaces_an_overlapping_global_one(admin_client, sumbar, bengkulu):
    AlternativeSchedule.objects.create(name="Ramadan", first_day=date(2026, 2, 19), last_day=date(2026, 3, 19))
    response = admin_client.post("/admin/workflows/alternativeschedule/add/", {
        "organisation": sumbar.organisation.pk, "name": "Ramadan (Pergub)", "first_day": "2026-02-19",
        "last_day": "2026-03-19", "monday": "08:00-14:00", "tuesday": "08:00-14:00", "wednesday": "08:00-14:00",
        "thursday": "08:00-14:00", "friday": "08:00-11:00", "saturday": "", "sunday": "",
    })
    assert response.status_code == 302, response.content.decode()[:500]
    own = sla.calendar_for(sumbar.organisation).working_periods(date(2026, 2, 25))
    national = sla.calendar_for(bengkulu.organisation).working_periods(date(2026, 2, 25))
    assert [(start.hour, end.hour) for start, end in own] == [(8, 14)]
    assert [(start.hour, start.minute, end.hour) for start, end in national] == [(8, 0, 12), (12, 30, 15)]


def test_admin_refuses_unreadable_hours_and_overlapping_ranges(admin_client):
    AlternativeSchedule.objects.create(name="Ramadan", first_day=date(2026, 2, 19), last_day=date(2026, 3, 19))
    data = {"name": "X", "first_day": "2026-03-01", "last_day": "2026-03-05", "monday": "delapan",
            "tuesday": "", "wednesday": "", "thursday": "", "friday": "", "saturday": "", "sunday": ""}
    page = admin_client.post("/admin/workflows/alternativeschedule/add/", data).content.decode()
    assert "Jam kerja tidak terbaca" in page
    page = admin_client.post("/admin/workflows/alternativeschedule/add/", {**data, "monday": "08:00-12:00"})
    assert "bertumpang tindih" in page.content.decode()
    assert AlternativeSchedule.objects.count() == 1


def test_admin_sets_an_organisation_waktu_for_a_step_of_the_sop_only(admin_client, sumbar):
    response = admin_client.post("/admin/workflows/waktuoverride/add/", {
        "organisation": sumbar.organisation.pk, "sop": "B", "step_number": 9, "amount": 1, "unit": "hari",
    })
    assert "Langkah ini tidak ada dalam SOP." in response.content.decode()
    response = admin_client.post("/admin/workflows/waktuoverride/add/", {
        "organisation": sumbar.organisation.pk, "sop": "B", "step_number": 3, "amount": 4, "unit": "jam",
    })
    assert response.status_code == 302
    assert sla.waktu_table(sumbar.organisation.pk, "B")[3] == (4, "jam")
    assert "2 jam" in admin_client.get("/admin/workflows/waktuoverride/").content.decode()
    assert WaktuOverride.objects.count() == 1
    assert HolidayOverride.objects.count() == 0
