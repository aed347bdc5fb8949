"""Overdue tasks are escalated once, in the app and by e-mail, and never outside working hours.

Since the notification outbox, officers also hear of tasks arriving and falling due soon
(tests/test_notifications.py); these tests look at the overdue notices only. The timers loop is run the way cron runs it in production (`run_timers --once`) at frozen moments.
"""

from datetime import datetime
from io import StringIO
from zoneinfo import ZoneInfo

import time_machine
from django.core.management import call_command

from workflows.models import Notification, TaskSla

from .conftest import client_for, do_step, open_task, start_utilization, task_url
from .test_sla_deadlines import hand_over_list, submit_list, wib


def sweep(at):
    with time_machine.travel(at, tick=False):
        out = StringIO()
        call_command("run_timers", "--once", stdout=out)
        return out.getvalue()


def overdue(mailoutbox):
    return [mail for mail in mailoutbox if "Melewati batas waktu" in mail.subject]


def deadline_notices():
    return Notification.objects.filter(kind__in=[Notification.Kind.OVERDUE, Notification.Kind.ESCALATION])


def give_emails(org):
    for key, user in org.users.items():
        user.email = f"{key}@{org.organisation.short_name.lower()}.example"
        user.save()


def claim(org, process, node, user_key, at):
    with time_machine.travel(at, tick=False):
        task = open_task(process, node)
        assert client_for(org[user_key]).post(task_url(process, task, "assign")).status_code == 302


def test_an_overdue_task_is_escalated_once_at_the_next_working_start_and_never_at_night(sumbar, mailoutbox):
    org = sumbar
    give_emails(org)
    process = hand_over_list(org, wib(2026, 4, 6, 14, 0))  # 2 jam: due Monday 16:00, closing time
    claim(org, process, "fill_list", "staf", wib(2026, 4, 6, 14, 5))
    row = TaskSla.objects.get(task=open_task(process, "fill_list"))
    assert row.due == wib(2026, 4, 6, 16, 0)

    for moment in [wib(2026, 4, 6, 15, 59), wib(2026, 4, 6, 16, 0), wib(2026, 4, 6, 19, 0),
                   wib(2026, 4, 7, 0, 30), wib(2026, 4, 7, 7, 29)]:
        sweep(moment)
        assert overdue(mailoutbox) == [], f"nothing may be sent at {moment:%a %H:%M}"

    assert "1 overdue task(s) escalated" in sweep(wib(2026, 4, 7, 7, 30))
    # The assignee and the supervising role (Staf -> Kasi); nobody else.
    assert sorted(mail.to[0] for mail in overdue(mailoutbox)) == ["kasi@sbr.example", "staf@sbr.example"]
    assert "Melewati batas waktu" in overdue(mailoutbox)[0].subject and "langkah 3" in overdue(mailoutbox)[0].subject
    assert "6 Apr 2026 16.00 WIB" in overdue(mailoutbox)[0].body
    notices = {n.recipient.username: n.reason for n in deadline_notices().select_related("recipient")}
    assert notices == {"sbr.staf": "assignee", "sbr.kasi": "supervisor"}

    for moment in [wib(2026, 4, 7, 7, 31), wib(2026, 4, 7, 10, 0), wib(2026, 4, 8, 9, 0)]:
        sweep(moment)
    assert len(overdue(mailoutbox)) == 2 and deadline_notices().count() == 2


def test_after_an_outage_the_overdue_notice_waits_for_morning_instead_of_going_out_at_night(sumbar, mailoutbox):
    org = sumbar
    give_emails(org)
    process = hand_over_list(org, wib(2026, 4, 6, 8, 0))  # due Monday 10:00
    sweep(wib(2026, 4, 6, 20, 0))  # the timers loop comes back at 20:00
    assert overdue(mailoutbox) == []
    sweep(wib(2026, 4, 7, 7, 30))
    assert len(overdue(mailoutbox)) == 2
    assert TaskSla.objects.get(task=open_task(process, "fill_list")).escalated_at == wib(2026, 4, 7, 7, 30)


def test_an_unclaimed_task_goes_to_the_officers_who_may_claim_it_and_their_supervisor(sumbar, mailoutbox):
    org = sumbar
    give_emails(org)
    hand_over_list(org, wib(2026, 4, 6, 8, 0))  # the disposition names "staf", not "staf2"
    with time_machine.travel(wib(2026, 4, 6, 8, 0), tick=False):
        start_utilization(org["kabid"], year=2026, period_type="triwulan", number=2)  # Kasi's step 2, queue
    sweep(wib(2026, 4, 6, 10, 30))
    by_task = {}
    for notice in deadline_notices().select_related("recipient", "task_sla"):
        by_task.setdefault(notice.task_sla.node, set()).add((notice.recipient.username, notice.reason))
    assert by_task == {
        "fill_list": {("sbr.staf", "queue"), ("sbr.kasi", "supervisor")},
        "instruct_staff": {("sbr.kasi", "queue"), ("sbr.kabid", "supervisor")},
    }
    assert len(overdue(mailoutbox)) == 4


def test_a_task_finished_before_its_deadline_passes_is_never_escalated(sumbar, mailoutbox):
    org = sumbar
    give_emails(org)
    process = hand_over_list(org, wib(2026, 4, 6, 8, 0))
    with time_machine.travel(wib(2026, 4, 6, 9, 0), tick=False):
        submit_list(org, process)
    # "count" (15 menit) is done in time too; only the Kasi's evaluation is left open.
    with time_machine.travel(wib(2026, 4, 6, 9, 5), tick=False):
        do_step(org["staf"], process, "count", {"confirmed": "on"})
    sweep(wib(2026, 4, 6, 10, 30))
    assert overdue(mailoutbox) == [] and deadline_notices().count() == 0


def test_each_organisation_is_escalated_in_its_own_office_hours(sumbar, bengkulu, mailoutbox):
    wita = sumbar.organisation
    wita.timezone = "Asia/Makassar"
    wita.save()
    for org in (sumbar, bengkulu):
        give_emails(org)
        # 2 jam from 13:00 WIB: due 15:00 WIB in Bengkulu, 16:00 WITA (closing) in Sumatera Barat.
        hand_over_list(org, wib(2026, 4, 6, 13, 0))
    # 07:15 WIB is 08:15 WITA: Sumatera Barat (set to WITA here) is at work, Bengkulu not yet.
    sweep(wib(2026, 4, 7, 7, 15))
    assert {mail.to[0].split("@")[1] for mail in overdue(mailoutbox)} == {"sbr.example"}
    sweep(wib(2026, 4, 7, 7, 30))
    assert {mail.to[0].split("@")[1] for mail in overdue(mailoutbox)} == {"sbr.example", "bkl.example"}


def test_recipients_find_the_notice_in_the_app_and_can_mark_it_read(sumbar):
    org = sumbar
    process = hand_over_list(org, wib(2026, 4, 6, 8, 0))
    sweep(wib(2026, 4, 6, 10, 30))  # no e-mail addresses: the in-app notice still arrives
    notice = deadline_notices().get(recipient=org["staf"])
    assert notice.emailed is False
    page = client_for(org["staf"]).get("/notifications/")
    html = page.content.decode()
    assert page.status_code == 200
    assert f"#{process.pk}" in html and "B3. Pengisian Daftar Pemanfaatan" in html and 'class="sla-notice--unread"' in html
    client_for(org["staf"]).post("/notifications/")
    notice.refresh_from_db()
    assert notice.read_at is not None
    assert 'class="sla-notice--unread"' not in client_for(org["staf"]).get("/notifications/").content.decode()
    assert "Tidak ada pemberitahuan." in client_for(org["staf2"]).get("/notifications/").content.decode()


def test_run_timers_reports_nothing_when_nothing_is_overdue(sumbar):
    hand_over_list(sumbar, wib(2026, 4, 6, 8, 0))
    assert sweep(datetime(2026, 4, 6, 9, 0, tzinfo=ZoneInfo("Asia/Jakarta"))) == ""
