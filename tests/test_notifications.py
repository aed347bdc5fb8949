"""Notifications that reach people: each kind written at its moment for the right officers, the
outbox mailed by the timers loop (`run_timers --once`, as cron runs it) with retry and backoff,
inside working hours except the 07:30 digest, never to another organisation.

SOP B at Sumatera Barat: Kabid starts (step 1), the Kasi instructs from the queue (2), the named
Staf fills the list (3, 2 jam), counts (4) and the Kasi evaluates (5), returning or approving.
"""

import logging
import socket
import threading

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.utils import translation

from workflows.models import Notification, NotificationPreference, Officer, TaskSla
from workflows.notifications import notify
from workflows.sops.utilization.definition import SOP_B
from workflows.sops.utilization.flow import UtilizationFlow

from .conftest import client_for, do_step, open_task
from .test_sla_deadlines import hand_over_list, submit_list, wib
from .test_sla_escalation import claim, give_emails, sweep

Kind = Notification.Kind
BASE = "https://sopflow.contoh.go.id"


@pytest.fixture(autouse=True)
def base_url(settings):
    settings.SOPFLOW_BASE_URL = BASE


def mails_to(mailoutbox, user, word=""):
    return [mail for mail in mailoutbox if mail.to == [user.email] and word in mail.subject]


def test_a_task_arriving_in_the_queue_tells_the_position_holders_with_link_header_and_due(sumbar):
    org = sumbar
    process = hand_over_list(org, wib(2026, 4, 6, 8, 0))
    instruct = process.task_set.get(flow_task=UtilizationFlow.instruct_staff)
    fill = open_task(process, "fill_list")

    notices = {(n.recipient.username, n.kind, n.task_id) for n in Notification.objects.select_related("recipient")}
    # Step 2 waited in the Kasi's queue; step 3 (named-only) in the named Staf's. The Kabid who
    # started and the Kasi who handed over are not told of their own actions; staf2 is not named.
    assert notices == {("sbr.kasi", Kind.QUEUE, instruct.pk), ("sbr.staf", Kind.QUEUE, fill.pk)}

    notice = Notification.objects.get(recipient=org["staf"])
    assert notice.link == f"{BASE}/utilization/{process.pk}/fill_list/{fill.pk}/"
    assert "testserver" not in notice.link and notice.link.startswith(BASE + "/utilization/")
    assert (notice.sop_name, notice.step_number, notice.step_title) == (SOP_B.name, 3, SOP_B.step(3).title)
    assert notice.due == wib(2026, 4, 6, 10, 0) and notice.due_label == "6 Apr 2026 10.00 WIB"
    assert notice.reason == Notification.Reason.QUEUE and notice.actor == org["kasi"]
    assert "Langkah 3: " + SOP_B.step(3).title in notice.body and "Batas waktu: 6 Apr 2026 10.00 WIB" in notice.body
    assert "antrean" in notice.subject and notice.link in notice.body

    # The in-app list links through the notice (marked read on the way) to the task.
    page = client_for(org["staf"]).get("/notifications/").content.decode()
    assert f'href="/notifications/{notice.pk}/buka/"' in page and "B3. " + SOP_B.step(3).title in page
    response = client_for(org["staf"]).get(f"/notifications/{notice.pk}/buka/")
    assert response.status_code == 302 and response["Location"] == notice.link
    notice.refresh_from_db()
    assert notice.read_at is not None
    # Somebody else's notice is not theirs to open.
    assert client_for(org["staf2"]).get(f"/notifications/{notice.pk}/buka/").status_code == 404


def test_an_officer_who_reads_english_sees_the_recorded_step_and_deadline_in_english(sumbar):
    org = sumbar
    hand_over_list(org, wib(2026, 12, 7, 8, 0))
    notice = Notification.objects.get(recipient=org["staf"])
    # Recorded as it happened, in Indonesian (the e-mail and the trail keep it so).
    assert notice.step_title == SOP_B.step(3).title and notice.due_label == "7 Des 2026 10.00 WIB"
    Officer.objects.filter(user=org["staf"]).update(language="en")
    with translation.override("en"):
        english = translation.gettext(notice.step_title)
    assert english != notice.step_title
    page = client_for(org["staf"]).get("/notifications/").content.decode()
    assert "B3. " + english in page and notice.step_title not in page
    assert "7 Dec 2026 10.00 WIB" in page and "Des 2026" not in page


def test_a_notice_is_written_in_its_recipients_language_whatever_the_language_of_whoever_raised_it(sumbar):
    org = sumbar
    hand_over_list(org, wib(2026, 12, 7, 8, 0))
    task = Notification.objects.get(recipient=org["staf"]).task
    Officer.objects.filter(user=org["staf2"]).update(language="en")
    org["staf2"].officer.refresh_from_db()
    with translation.override("en"):  # an English-reading supervisor reassigns
        indonesian = notify(org["staf"], Kind.REASSIGNED, task=task, reason="Cuti.", actor=org["kasi"])
    with translation.override("id"):
        english = notify(org["staf2"], Kind.REASSIGNED, task=task, reason="Cuti.", actor=org["kasi"])
    assert indonesian.subject.startswith("[SOPFlow] ") and "Alasan: Cuti." in indonesian.body
    assert "Batas waktu: 7 Des 2026" in indonesian.body
    assert "Alasan: Cuti." not in english.body and "Cuti." in english.body
    assert english.subject != indonesian.subject


def test_a_return_tells_the_officer_the_reason_and_the_next_round_lands_in_the_reviewers_inbox(sumbar, mailoutbox):
    org = sumbar
    give_emails(org)
    process = hand_over_list(org, wib(2026, 4, 6, 8, 0))
    with time_machine.travel(wib(2026, 4, 6, 9, 0), tick=False):
        submit_list(org, process)
        do_step(org["staf"], process, "count", {"confirmed": "on"})
    with time_machine.travel(wib(2026, 4, 6, 9, 30), tick=False):
        do_step(org["kasi"], process, "evaluate", {"decision": "return", "notes": "Lengkapi PKS Dinkes.", "analysis": ""})

    returned = Notification.objects.get(recipient=org["staf"], kind=Kind.RETURNED)
    assert returned.note == "Lengkapi PKS Dinkes." and returned.actor == org["kasi"]
    assert returned.task_id == open_task(process, "fill_list").pk and returned.step_number == 3
    assert "Alasan: Lengkapi PKS Dinkes." in returned.body and "Dikembalikan" in returned.subject
    page = client_for(org["staf"]).get("/notifications/").content.decode()
    assert "Alasan: Lengkapi PKS Dinkes." in page and "Tugas dikembalikan kepada Anda" in page

    sweep(wib(2026, 4, 6, 9, 31))
    assert len(mails_to(mailoutbox, org["staf"], "Dikembalikan")) == 1
    assert returned.link in mails_to(mailoutbox, org["staf"], "Dikembalikan")[0].body

    with time_machine.travel(wib(2026, 4, 6, 10, 0), tick=False):
        submit_list(org, process)
        do_step(org["staf"], process, "count", {"confirmed": "on"})
    # Step 5 of the second round is assigned to the Kasi who evaluated: it arrives in their inbox,
    # sent by the Staf's count. The Staf's own count step (assigned to them by themselves) is silent.
    inbox = Notification.objects.get(kind=Kind.INBOX)
    assert (inbox.recipient, inbox.actor, inbox.step_number) == (org["kasi"], org["staf"], 5)
    assert inbox.task_id == open_task(process, "evaluate").pk
    assert not Notification.objects.filter(recipient=org["staf"], step_number=4).exists()


def test_due_soon_is_sent_once_at_80_percent_of_the_waktu_to_the_holder_only(sumbar, mailoutbox):
    org = sumbar
    give_emails(org)
    process = hand_over_list(org, wib(2026, 4, 6, 8, 0))  # step 3: 2 jam, due 10:00, 80% at 9:36
    claim(org, process, "fill_list", "staf", wib(2026, 4, 6, 8, 5))
    assert TaskSla.objects.get(task=open_task(process, "fill_list")).warn_at == wib(2026, 4, 6, 9, 36)

    sweep(wib(2026, 4, 6, 9, 35))
    assert not Notification.objects.filter(kind=Kind.DUE_SOON).exists()
    assert "1 task(s) due soon" in sweep(wib(2026, 4, 6, 9, 36))
    due_soon = Notification.objects.get(kind=Kind.DUE_SOON)
    assert due_soon.recipient == org["staf"] and due_soon.reason == Notification.Reason.ASSIGNEE
    assert due_soon.created == wib(2026, 4, 6, 9, 36)
    mails = mails_to(mailoutbox, org["staf"], "Mendekati batas waktu")
    assert len(mails) == 1 and "6 Apr 2026 10.00 WIB" in mails[0].body and "langkah 3" in mails[0].subject

    sweep(wib(2026, 4, 6, 9, 50))
    assert Notification.objects.filter(kind=Kind.DUE_SOON).count() == 1
    assert len(mails_to(mailoutbox, org["staf"], "Mendekati batas waktu")) == 1


def test_an_overdue_task_reassigned_to_another_officer_tells_the_new_holder_once(sumbar, mailoutbox):
    org = sumbar
    give_emails(org)
    process = hand_over_list(org, wib(2026, 4, 6, 8, 0))
    claim(org, process, "fill_list", "staf", wib(2026, 4, 6, 8, 5))
    sweep(wib(2026, 4, 6, 10, 30))
    task = open_task(process, "fill_list")
    assert set(Notification.objects.filter(task=task, kind__in=[Kind.OVERDUE, Kind.ESCALATION])
               .values_list("recipient__username", "kind")) == {("sbr.staf", Kind.OVERDUE), ("sbr.kasi", Kind.ESCALATION)}

    # The supervisor hands the task to staf2, as a reassignment does: the owner changes and the
    # public API tells the new holder why.
    with time_machine.travel(wib(2026, 4, 6, 10, 35), tick=False):
        task.owner = org["staf2"]
        task.save(update_fields=["owner"])
        notify(org["staf2"], Kind.REASSIGNED, task=task, reason="Staf sedang dinas luar.", actor=org["kasi"])
    assert "1 new holder(s) of overdue tasks notified" in sweep(wib(2026, 4, 6, 10, 40))
    overdue = Notification.objects.get(recipient=org["staf2"], kind=Kind.OVERDUE)
    assert overdue.task_id == task.pk and overdue.created == wib(2026, 4, 6, 10, 40)
    assert len(mails_to(mailoutbox, org["staf2"], "Melewati batas waktu")) == 1
    reassigned = mails_to(mailoutbox, org["staf2"], "dialihkan")
    assert len(reassigned) == 1 and "Alasan: Staf sedang dinas luar." in reassigned[0].body

    for moment in (wib(2026, 4, 6, 11, 0), wib(2026, 4, 7, 9, 0)):
        sweep(moment)
    assert Notification.objects.filter(recipient=org["staf2"], kind=Kind.OVERDUE).count() == 1
    assert len(mails_to(mailoutbox, org["staf2"], "Melewati batas waktu")) == 1

    # Back to the first holder, who was told already: nobody hears it twice.
    task.owner = org["staf"]
    task.save(update_fields=["owner"])
    sweep(wib(2026, 4, 7, 9, 30))
    assert Notification.objects.filter(recipient=org["staf"], kind=Kind.OVERDUE).count() == 1
    assert TaskSla.objects.get(task=task).notified_owner == org["staf"]


def closed_port():
    """A local port nothing listens on: connecting is refused, as with a mail server down."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_mail_server_outage_is_retried_with_backoff_and_the_message_goes_out_later(
    sumbar, settings, admin_client, mailoutbox
):
    org = sumbar
    give_emails(org)
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", closed_port(), 5
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    process = hand_over_list(org, wib(2026, 4, 6, 8, 0))  # queue notices for the Kasi and the Staf
    notice = Notification.objects.get(recipient=org["staf"])

    attempts = []
    for moment in (wib(2026, 4, 6, 8, 0), wib(2026, 4, 6, 8, 0, 30), wib(2026, 4, 6, 8, 1),
                   wib(2026, 4, 6, 8, 2), wib(2026, 4, 6, 8, 3)):
        sweep(moment)
        notice.refresh_from_db()
        attempts.append((notice.attempts, notice.next_attempt_at))
    # 1, 2, 4 minutes between attempts: a sweep before the next attempt is due leaves the row alone.
    assert attempts == [
        (1, wib(2026, 4, 6, 8, 1)), (1, wib(2026, 4, 6, 8, 1)), (2, wib(2026, 4, 6, 8, 3)),
        (2, wib(2026, 4, 6, 8, 3)), (3, wib(2026, 4, 6, 8, 7)),
    ]
    assert notice.mail_status == Notification.MailStatus.FAILED and "ConnectionRefusedError" in notice.last_error
    assert mailoutbox == []

    # The admin sees the failures, filtered.
    page = admin_client.get("/admin/workflows/notification/?mail_status__exact=failed").content.decode()
    assert "ConnectionRefusedError" in page and "sbr.staf" in page and "sbr.kasi" in page

    # The server is back: the next attempt delivers, nothing was lost.
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    sweep(wib(2026, 4, 6, 8, 6))
    assert mailoutbox == []  # not due yet
    assert "2 notification e-mail(s) sent" in sweep(wib(2026, 4, 6, 8, 7))
    notice.refresh_from_db()
    assert (notice.mail_status, notice.emailed, notice.attempts, notice.last_error) == ("sent", True, 4, "")
    assert sorted(mail.to[0] for mail in mailoutbox) == ["kasi@sbr.example", "staf@sbr.example"]
    assert notice.link in mails_to(mailoutbox, org["staf"])[0].body
    assert admin_client.get("/admin/workflows/notification/?mail_status__exact=failed").content.decode().count(
        "ConnectionRefusedError") == 0
    sweep(wib(2026, 4, 6, 9, 0))
    assert len(mailoutbox) == 2
    assert process.pk


def choose(user, choices):
    """The officer's preferences page, as they fill it in: every kind both, except ``choices``."""
    data = {kind.value: "both" for kind in Kind} | choices
    response = client_for(user).post("/notifications/pengaturan/", data)
    assert response.status_code == 302 and response["Location"].endswith("?tersimpan=1")


def test_outside_working_hours_nothing_is_mailed_until_the_office_opens(sumbar, mailoutbox):
    org = sumbar
    give_emails(org)
    hand_over_list(org, wib(2026, 4, 6, 19, 0))  # Monday evening, after closing time
    assert Notification.objects.count() == 2  # written at once, visible in the app
    for moment in (wib(2026, 4, 6, 19, 0), wib(2026, 4, 6, 23, 0), wib(2026, 4, 7, 6, 0), wib(2026, 4, 7, 7, 29)):
        sweep(moment)
    assert mailoutbox == []
    assert "2 notification e-mail(s) sent" in sweep(wib(2026, 4, 7, 7, 30))
    assert {mail.to[0] for mail in mailoutbox} == {"kasi@sbr.example", "staf@sbr.example"}


def test_the_daily_digest_at_0730_collects_the_days_notices_even_on_a_saturday(sumbar, mailoutbox):
    org = sumbar
    give_emails(org)
    choose(org["staf"], {Kind.QUEUE.value: "digest", Kind.DUE_SOON.value: "digest", Kind.OVERDUE.value: "digest"})
    assert NotificationPreference.objects.get(user=org["staf"], kind=Kind.QUEUE).channel == "digest"

    first = hand_over_list(org, wib(2026, 4, 10, 8, 0), number=1)  # Friday
    second = hand_over_list(org, wib(2026, 4, 10, 13, 0), number=2)
    for moment in (wib(2026, 4, 10, 8, 0), wib(2026, 4, 10, 9, 40), wib(2026, 4, 10, 14, 0),
                   wib(2026, 4, 11, 7, 29)):
        sweep(moment)
    assert mails_to(mailoutbox, org["staf"]) == []  # the Kasi had theirs at once
    assert len(mails_to(mailoutbox, org["kasi"], "antrean")) == 2
    # In the app a digest reader finds nothing: they chose the morning mail.
    assert "Tidak ada pemberitahuan." in client_for(org["staf"]).get("/notifications/").content.decode()

    sweep(wib(2026, 4, 11, 7, 30))  # Saturday, no working hours: the digest goes anyway
    digests = mails_to(mailoutbox, org["staf"])
    assert len(digests) == 1 and "Ringkasan" in digests[0].subject
    staf_rows = Notification.objects.filter(recipient=org["staf"])
    # Two queue arrivals, the first list due soon at 9:36 and overdue from 10:00 (the second's
    # overdue notice waits for Monday's working hours).
    assert sorted(staf_rows.values_list("kind", flat=True)) == [Kind.DUE_SOON, Kind.OVERDUE, Kind.QUEUE, Kind.QUEUE]
    for row in staf_rows:
        assert row.link in digests[0].body and row.mail_status == "sent"
    assert f"#{first.pk}" not in digests[0].subject and "4 pemberitahuan" in digests[0].subject
    sweep(wib(2026, 4, 12, 7, 30))
    assert len(mails_to(mailoutbox, org["staf"])) == 1
    assert second.pk


def test_an_officer_who_chose_off_or_app_gets_no_mail_and_off_shows_nothing(sumbar, mailoutbox):
    org = sumbar
    give_emails(org)
    choose(org["kasi"], {Kind.QUEUE.value: "off"})
    choose(org["staf"], {Kind.QUEUE.value: "app"})
    hand_over_list(org, wib(2026, 4, 6, 8, 0))
    sweep(wib(2026, 4, 6, 8, 1))
    assert [(mail.to, mail.subject) for mail in mailoutbox] == []
    assert "Tidak ada pemberitahuan." in client_for(org["kasi"]).get("/notifications/").content.decode()
    assert "sla-notice--unread" in client_for(org["staf"]).get("/notifications/").content.decode()


def test_an_officer_of_another_organisation_is_never_notified(sumbar, bengkulu, mailoutbox, caplog):
    give_emails(sumbar)
    give_emails(bengkulu)
    process = hand_over_list(sumbar, wib(2026, 4, 6, 8, 0))
    task = open_task(process, "fill_list")
    claim(sumbar, process, "fill_list", "staf", wib(2026, 4, 6, 8, 5))
    for moment in (wib(2026, 4, 6, 9, 36), wib(2026, 4, 6, 10, 30)):
        sweep(moment)
    # Bengkulu's Kasi and Staf hold the same roles, and hear of nothing in Sumatera Barat.
    assert not Notification.objects.filter(recipient__officer__organisation=bengkulu.organisation).exists()
    assert all(mail.to[0].endswith("@sbr.example") for mail in mailoutbox)

    outsider = bengkulu["staf"]
    with caplog.at_level(logging.WARNING, logger="workflows.notifications"):
        assert notify(outsider, Kind.REASSIGNED, task=task, reason="Coba.", actor=sumbar["kasi"]) is None
    admin = get_user_model().objects.create_superuser("root", password="pw")
    assert notify(admin, Kind.INBOX, task=task) is None  # an administrator without an organisation
    assert not Notification.objects.filter(recipient__in=[outsider, admin]).exists()
    assert "refused" in caplog.text
    for personal in (outsider.username, outsider.first_name, outsider.email):
        assert personal not in caplog.text


def test_the_bell_counts_unread_notices_and_the_user_menu_leads_to_the_choices(sumbar):
    org = sumbar
    hand_over_list(org, wib(2026, 4, 6, 8, 0))
    html = client_for(org["staf"]).get("/notifications/").content.decode()
    assert 'class="sop-bell__count"' in html and 'href="/notifications/pengaturan/"' in html
    assert "1 pemberitahuan belum dibaca" in html
    client_for(org["staf"]).post("/notifications/", {"notice": Notification.objects.get(recipient=org["staf"]).pk})
    html = client_for(org["staf"]).get("/notifications/").content.decode()
    assert 'class="sop-bell__count"' not in html and 'class="sla-notice--unread"' not in html

    page = client_for(org["staf"]).get("/notifications/pengaturan/").content.decode()
    for label in ("Tugas masuk ke antrean jabatan Anda", "Tugas dialihkan kepada Anda", "Ringkasan harian pukul 07.30",
                  "Tidak usah diberitahukan", "Pengaturan pemberitahuan"):
        assert label in page
    bad = client_for(org["staf"]).post("/notifications/pengaturan/", {kind.value: "fax" for kind in Kind})
    assert bad.status_code == 200 and "Pilih salah satu cara pemberitahuan yang tersedia." in bad.content.decode()
    assert not NotificationPreference.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_two_timers_loops_at_once_mail_each_notice_once(sumbar, settings, mailoutbox):
    """Loop A is inside a slow SMTP send when loop B sweeps the same outbox: B finds the row
    claimed and sends nothing; A's send completes. Real threads and connections."""
    from tests.mail_backends import GateBackend
    from workflows.notifications import deliver

    org = sumbar
    give_emails(org)
    settings.EMAIL_BACKEND = "tests.mail_backends.GateBackend"
    GateBackend.entered.clear()
    GateBackend.release.clear()
    hand_over_list(org, wib(2026, 4, 6, 8, 0))
    assert Notification.objects.filter(mail_status="pending").count() == 2
    at = wib(2026, 4, 6, 8, 1)
    results = {}

    def loop_a():
        try:
            results["a"] = deliver(at)
        finally:
            from django.db import connection

            connection.close()

    thread = threading.Thread(target=loop_a)
    thread.start()
    assert GateBackend.entered.wait(timeout=60), "loop A never reached the mail server"
    results["b"] = deliver(at)  # loop B, while A holds its claims
    GateBackend.release.set()
    thread.join(timeout=60)
    assert (results["a"], results["b"]) == (2, 0)
    assert sorted(mail.to[0] for mail in mailoutbox) == ["kasi@sbr.example", "staf@sbr.example"]
    assert set(Notification.objects.values_list("mail_status", "attempts")) == {("sent", 1)}
