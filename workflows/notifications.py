"""Notifications that reach people: the public ``notify`` and the background delivery.

Any code that wants an officer told about a task calls::

    notify(recipient, Notification.Kind.REASSIGNED, task=task, reason="Cuti", actor=supervisor)

It writes one outbox row (``workflows.models.Notification``) with the deep link (built from
``SOPFLOW_BASE_URL``, never the request host), the step's SOP header and the due moment in the
organisation's zone, and returns it; nothing is mailed inline. ``deliver`` (run by
``manage.py run_timers``) mails the rows with retry and backoff, inside the organisation's
working hours unless the officer chose the 07:30 digest; the in-app list reads the same rows.

The events SOPFlow itself raises: a task arriving (``task_arrived``, from the step activation),
a return for correction (the same, when the new task is a return round), due soon at 80% of the
Waktu (``warn_due_soon``), overdue and escalation (``workflows.sla.escalate_overdue``), and the
overdue notice for a task's new holder after a reassignment (``renotify_new_holders``).
"""

import logging
from collections import defaultdict
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from viewflow.workflow.status import STATUS

from .models import Notification, NotificationPreference, Review, SopProcess, TaskSla
from .models.notification import Channel

logger = logging.getLogger(__name__)

Kind = Notification.Kind

# The daily digest goes out at this local time (the organisation's zone).
DIGEST_AT = time(7, 30)
# A claimed row is someone's for this long; a loop that died mid-send frees it by expiry.
CLAIM_LEASE = timedelta(minutes=10)
# Retry after 1, 2, 4, ... minutes, never waiting longer than this between attempts.
BACKOFF_BASE = timedelta(minutes=1)
BACKOFF_MAX = timedelta(hours=6)
BATCH = 500

SUBJECTS = {
    Kind.INBOX: gettext_lazy("[SOPFlow] Tugas baru: langkah %(number)s %(title)s"),
    Kind.QUEUE: gettext_lazy("[SOPFlow] Tugas baru di antrean jabatan: langkah %(number)s %(title)s"),
    Kind.RETURNED: gettext_lazy("[SOPFlow] Dikembalikan untuk diperbaiki: langkah %(number)s %(title)s"),
    Kind.REASSIGNED: gettext_lazy("[SOPFlow] Tugas dialihkan kepada Anda: langkah %(number)s %(title)s"),
    Kind.DELEGATED: gettext_lazy("[SOPFlow] Tugas didelegasikan kepada Anda: langkah %(number)s %(title)s"),
    Kind.DUE_SOON: gettext_lazy("[SOPFlow] Mendekati batas waktu: langkah %(number)s %(title)s"),
    Kind.OVERDUE: gettext_lazy("[SOPFlow] Melewati batas waktu: langkah %(number)s %(title)s"),
    Kind.ESCALATION: gettext_lazy("[SOPFlow] Melewati batas waktu: langkah %(number)s %(title)s"),
}

LEADS = {
    Kind.INBOX: gettext_lazy("Tugas ini masuk ke kotak tugas Anda."),
    Kind.QUEUE: gettext_lazy("Tugas ini masuk ke antrean jabatan Anda; ambil tugas untuk mengerjakannya."),
    Kind.RETURNED: gettext_lazy("Tugas ini dikembalikan kepada Anda untuk diperbaiki."),
    Kind.REASSIGNED: gettext_lazy("Tugas ini dialihkan kepada Anda."),
    Kind.DELEGATED: gettext_lazy("Tugas ini didelegasikan kepada Anda."),
    Kind.DUE_SOON: gettext_lazy("Tugas ini sudah memakai 80% waktu bakunya dan mendekati batas waktu."),
    Kind.OVERDUE: gettext_lazy("Tugas ini melewati batas waktu."),
    Kind.ESCALATION: gettext_lazy("Tugas ini melewati batas waktu."),
}

DEFAULT_CAPACITY = {
    Kind.QUEUE: Notification.Reason.QUEUE,
    Kind.ESCALATION: Notification.Reason.SUPERVISOR,
}


def preference(user, kind):
    """The officer's channel for ``kind``: both app and e-mail unless they chose otherwise."""
    chosen = NotificationPreference.objects.filter(user=user, kind=kind).values_list("channel", flat=True).first()
    return chosen or Channel.BOTH


def next_digest(now, tz_name):
    """The first 07:30 in the organisation's zone after ``now``."""
    zone = ZoneInfo(tz_name)
    local = timezone.localtime(now, zone)
    moment = datetime.combine(local.date(), DIGEST_AT, zone)
    if moment <= local:
        moment = datetime.combine(local.date() + timedelta(days=1), DIGEST_AT, zone)
    return moment


def _display_name(user):
    if user is None:
        return ""
    return " ".join(filter(None, [user.first_name, user.last_name])) or user.username


def _process_of(task, process):
    if process is not None:
        return process
    return SopProcess.objects.select_related("organisation").get(pk=task.process_id)


def _write(row, number, title, sop_name, sop_number, process, actor, capacity):
    header = _("SOP: %(sop)s") % {"sop": sop_name}
    if sop_number:
        header += " " + _("(Nomor %(nomor)s)") % {"nomor": sop_number}
    lines = [str(LEADS[row.kind]), "", header]
    if number is not None:
        lines.append(_("Langkah %(number)s: %(title)s") % {"number": number, "title": title})
    lines.append(_("Proses: #%(pk)s %(brief)s") % {"pk": process.pk, "brief": process.brief})
    if row.due_label:
        lines.append(_("Batas waktu: %(due)s") % {"due": row.due_label})
    if actor is not None:
        lines.append(_("Oleh: %(name)s") % {"name": _display_name(actor)})
    if row.note:
        lines.append(_("Alasan: %(reason)s") % {"reason": row.note})
    if capacity:
        lines.append(
            _("Anda menerima pemberitahuan ini sebagai %(reason)s.") % {"reason": Notification.Reason(capacity).label}
        )
    if row.link:
        lines += ["", row.link]
    row.subject = (SUBJECTS[row.kind] % {"number": number if number is not None else "-", "title": title})[:300]
    row.body = "\n".join(lines) + "\n"


def notify(recipient, kind, *, task=None, process=None, reason="", actor=None, now=None, capacity=""):
    """Write one notification for ``recipient`` about ``task`` (or ``process``); never sends.

    ``reason``: the reason given (a return, a reassignment), shown and mailed with the notice.
    ``capacity``: in which capacity the recipient hears of it (``Notification.Reason``); by
    default the assignee's (the queue's for QUEUE, the supervisor's for ESCALATION).
    Returns the row, or None when the recipient is refused (not an active officer of the task's
    organisation, logged without personal data) or a once-only notice (every kind but
    REASSIGNED and DELEGATED) was already written for them and this task.
    """
    kind = Kind(kind)
    now = now or timezone.now()
    if task is None and process is None:
        raise ValueError("notify() needs a task or a process")
    process = _process_of(task, process)
    organisation = process.organisation
    officer = getattr(recipient, "officer", None) if recipient is not None else None
    if recipient is None or not recipient.is_active or officer is None or officer.organisation_id != organisation.pk:
        logger.warning(
            "notification refused: user %s is not an active officer of organisation %s (kind %s, task %s)",
            getattr(recipient, "pk", None), organisation.pk, kind.value, getattr(task, "pk", None),
        )
        return None
    if task is not None and kind in Notification.ONCE_KINDS:
        if Notification.objects.filter(recipient=recipient, task=task, kind=kind).exists():
            return None

    # Written in the recipient's language (the one they read the pages in), whoever raised it.
    with translation.override(officer.language or "id"):
        from .sla import format_moment  # workflows.sla calls into this module for its escalations

        sop = process.catalogue
        sla_row = TaskSla.objects.filter(task=task).first() if task is not None else None
        step = sop.step_for_task(task) if task is not None else None
        number = step.number if step is not None else None
        title = step.title if step is not None else (task.flow_task.task_title if task is not None else "")
        link = settings.SOPFLOW_BASE_URL + (task.reverse("index") if task is not None else (
            process.flow_class.instance.reverse("process_detail", args=[process.pk])
        ))
        channel = preference(recipient, kind)
        if channel in (Channel.EMAIL, Channel.DIGEST) and not recipient.email:
            channel = Channel.APP  # no address to mail: the notice stays in the app, not lost
        row = Notification(
            recipient=recipient,
            kind=kind,
            organisation=organisation,
            process=process,
            task=task,
            task_sla=sla_row,
            reason=capacity or DEFAULT_CAPACITY.get(kind, Notification.Reason.ASSIGNEE),
            actor=actor,
            note=(reason or "").strip(),
            sop_name=sop.name,
            sop_number=organisation.sop_nomor(sop),
            step_number=number,
            step_title=title,
            due=sla_row.due if sla_row else None,
            due_label=format_moment(sla_row.due, organisation.timezone) if sla_row else "",
            link=link,
            created=now,
            channel=channel,
        )
        _write(row, number, title, row.sop_name, row.sop_number, process, actor, row.reason)
    if channel in (Channel.BOTH, Channel.EMAIL, Channel.DIGEST) and recipient.email:
        row.mail_status = Notification.MailStatus.PENDING
        row.next_attempt_at = next_digest(now, organisation.timezone) if channel == Channel.DIGEST else now
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError:
        return None  # a once-only notice another loop wrote a moment ago
    return row


# -- the events SOPFlow raises itself ---------------------------------------------------------


def _organisation_officers(organisation_id):
    return list(
        get_user_model()
        .objects.filter(is_active=True, officer__organisation_id=organisation_id)
        .select_related("officer")
        .prefetch_related("officer__roles")
        .order_by("pk")
    )


def _queue_holders(task, organisation_id):
    """The officers who may claim ``task`` from its position's queue (viewflow's own check)."""
    if not task.owner_permission:
        return []
    return [user for user in _organisation_officers(organisation_id) if user.has_perm(task.owner_permission)]


def _previous_actor(task):
    """Who finished the human task before ``task`` (through an If gate): the one who sent it."""
    seen, frontier = 0, [task]
    while frontier and seen < 4:
        seen += 1
        previous = [p for t in frontier for p in t.previous.all()]
        for candidate in previous:
            if candidate.owner_id:
                return candidate.owner
        frontier = previous
    return None


def task_arrived(task, process, now=None):
    """A human task was created: its assignee hears of it in the inbox (or, after a return for
    correction, with the reviewer's reason), or every holder of its position sees it in the
    queue. The officer whose action created it is not told of their own work."""
    row = TaskSla.objects.filter(task=task).first()
    if row is None or row.finished is not None:
        return []
    now = now or task.created or timezone.now()
    actor = _previous_actor(task)
    written = []
    if task.owner_id:
        if task.owner_id == getattr(actor, "pk", None):
            return []
        if row.reopened:
            review = Review.objects.filter(process_id=process.pk, decision=Review.RETURN).order_by("-created", "-pk")
            review = review.select_related("author").first()
            written.append(notify(
                task.owner, Kind.RETURNED, task=task, process=process, now=now,
                reason=review.notes if review else "", actor=review.author if review else actor,
            ))
        else:
            written.append(notify(task.owner, Kind.INBOX, task=task, process=process, now=now, actor=actor))
    else:
        for user in _queue_holders(task, process.organisation_id):
            if user.pk != getattr(actor, "pk", None):
                written.append(notify(user, Kind.QUEUE, task=task, process=process, now=now, actor=actor))
    return [notice for notice in written if notice is not None]


def warn_due_soon(now=None):
    """Tell the holder (or the queue) of each open task that has used 80% of its Waktu; once per
    task. Returns the number of tasks warned. The claim is a conditional UPDATE."""
    now = now or timezone.now()
    rows = (
        TaskSla.objects.filter(warned_at__isnull=True, finished__isnull=True, cancelled=False, warn_at__lte=now)
        .select_related("task__owner", "process__organisation")
        .order_by("warn_at")
    )
    warned = 0
    for row in rows:
        with transaction.atomic():
            if not TaskSla.objects.filter(pk=row.pk, warned_at__isnull=True).update(warned_at=now):
                continue
            if now >= row.due:
                continue  # already overdue: the overdue notice says more
            task = row.task
            if task.owner_id and task.status in (STATUS.ASSIGNED, STATUS.STARTED):
                people = [(task.owner, Notification.Reason.ASSIGNEE)]
            else:
                people = [(user, Notification.Reason.QUEUE) for user in _queue_holders(task, row.organisation_id)]
            for user, capacity in people:
                notify(user, Kind.DUE_SOON, task=task, process=row.process, now=now, capacity=capacity)
        warned += 1
    return warned


def renotify_new_holders(now=None):
    """An overdue task that changed hands after its notice (reassigned, delegated, claimed from
    the queue) tells its new holder once; ``TaskSla.notified_owner`` keeps who was told.
    Returns the number of new holders notified."""
    now = now or timezone.now()
    rows = (
        TaskSla.objects.filter(
            escalated_at__isnull=False, finished__isnull=True, cancelled=False,
            task__owner__isnull=False, task__status__in=(STATUS.ASSIGNED, STATUS.STARTED),
        )
        .exclude(notified_owner=F("task__owner"))
        .select_related("task__owner", "process__organisation")
    )
    told = 0
    for row in rows:
        owner = row.task.owner
        with transaction.atomic():
            claimed = TaskSla.objects.filter(pk=row.pk, notified_owner_id=row.notified_owner_id).update(
                notified_owner_id=owner.pk
            )
            if claimed and notify(owner, Kind.OVERDUE, task=row.task, process=row.process, now=now) is not None:
                told += 1
    return told


# -- delivery ---------------------------------------------------------------------------------


def backoff(attempts):
    """The wait before attempt ``attempts + 1``: 1, 2, 4, ... minutes, at most six hours."""
    return min(BACKOFF_BASE * (2 ** max(attempts - 1, 0)), BACKOFF_MAX)


def _claim(row, now):
    """Take the row for this loop (the other loop's UPDATE then matches nothing)."""
    return Notification.objects.filter(
        pk=row.pk, mail_status=row.mail_status, next_attempt_at=row.next_attempt_at
    ).update(next_attempt_at=now + CLAIM_LEASE)


def _digest_message(rows):
    tz_name = rows[0].organisation.timezone if rows[0].organisation else settings.TIME_ZONE
    from .sla import format_moment

    subject = _("[SOPFlow] Ringkasan pemberitahuan: %(count)s pemberitahuan") % {"count": len(rows)}
    parts = [_("Pemberitahuan untuk Anda sejak ringkasan terakhir:"), ""]
    for row in sorted(rows, key=lambda row: (row.created, row.pk)):
        parts.append(f"- {format_moment(row.created, tz_name)} · {row.subject.removeprefix('[SOPFlow] ')}")
        if row.due_label:
            parts.append("  " + _("Batas waktu: %(due)s") % {"due": row.due_label})
        if row.note:
            parts.append("  " + _("Alasan: %(reason)s") % {"reason": row.note})
        if row.link:
            parts.append(f"  {row.link}")
    return EmailMessage(subject, "\n".join(parts) + "\n", to=[rows[0].recipient.email])


def _send(connection, rows, message, now):
    pks = [row.pk for row in rows]
    try:
        connection.send_messages([message])
    except Exception as error:  # any backend failure: keep the rows, try again later
        attempts = max(row.attempts for row in rows) + 1
        Notification.objects.filter(pk__in=pks).update(
            mail_status=Notification.MailStatus.FAILED,
            attempts=F("attempts") + 1,
            next_attempt_at=now + backoff(attempts),
            # SMTP refusals quote the address; the admin list shows the recipient beside it anyway.
            last_error=f"{type(error).__name__}: {error}".replace(message.to[0], "<penerima>")[:1000],
        )
        logger.warning(
            "notification mail failed (%s), attempt %s, retry in %s: %s row(s)",
            type(error).__name__, attempts, backoff(attempts), len(pks),
        )
        return 0
    Notification.objects.filter(pk__in=pks).update(
        mail_status=Notification.MailStatus.SENT, emailed=True, sent_at=now, attempts=F("attempts") + 1,
        next_attempt_at=None, last_error="",
    )
    return 1


def deliver(now=None):
    """Mail the outbox rows that are due: each on its own, inside the recipient organisation's
    working hours (outside them it waits for the next working moment), the digest rows of each
    officer together at 07:30. A failed send stays in the outbox with its error and is tried
    again with backoff. Returns the number of e-mails sent."""
    from .sla import calendar_for

    now = now or timezone.now()
    due = list(
        Notification.objects.deliverable(now)
        .select_related("recipient", "organisation")
        .order_by("next_attempt_at", "pk")[:BATCH]
    )
    calendars, digests, singles = {}, defaultdict(list), []
    for row in due:
        if not row.recipient.email or not row.recipient.is_active:
            Notification.objects.filter(pk=row.pk).update(mail_status=Notification.MailStatus.NONE, next_attempt_at=None)
            continue
        if row.channel != Channel.DIGEST and row.organisation is not None:
            if row.organisation_id not in calendars:
                calendars[row.organisation_id] = calendar_for(row.organisation)
            calendar = calendars[row.organisation_id]
            if not calendar.is_working_time(now):
                Notification.objects.filter(pk=row.pk, next_attempt_at=row.next_attempt_at).update(
                    next_attempt_at=calendar.next_working_moment(now)
                )
                continue
        if not _claim(row, now):
            continue
        if row.channel == Channel.DIGEST:
            digests[row.recipient_id].append(row)
        else:
            singles.append(row)
    if not singles and not digests:
        return 0
    connection = get_connection()
    sent = 0
    for row in singles:
        sent += _send(connection, [row], EmailMessage(row.subject, row.body, to=[row.recipient.email]), now)
    for rows in digests.values():
        sent += _send(connection, rows, _digest_message(rows), now)
    return sent
