"""Deadlines in working time, task SLA status, escalation of overdue tasks, the control sheet.

Every human task gets a :class:`~workflows.models.TaskSla` row the moment viewflow creates it
(``flows.nodes`` wires the activation hooks): its due moment is the catalogue's Waktu (or the
organisation's override) added to the queue time on the organisation's working calendar. When
the task finishes, its elapsed working time is stored once, so reports never recompute history.

Escalation is a sweep over those rows (``escalate_overdue``, run by ``manage.py run_timers``)
rather than viewflow's ``.OnTimeout`` boundary timers: a boundary fires once, whenever the timers
loop first sees it, so after an outage it would mail at night; our sweep checks the
organisation's calendar at sending time and waits for the next working moment. The claim is a
conditional UPDATE, so the notice goes out once even with two sweepers.
"""

import logging
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Count, F, Max, Min, Q, Sum
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from viewflow.workflow import flow
from viewflow.workflow.status import STATUS

from .catalogue import sop_of
from .models import (
    AlternativeSchedule,
    HolidayOverride,
    Notification,
    Organisation,
    ProcessSla,
    Review,
    SlaStatus,
    TaskSla,
    WaktuOverride,
)
from .models.acting import acting_for_task
from .permissions import org_role_permission
from .roles import Role
from .reports.formatting import full_moment
from .workcalendar import PERPRES_21_2023, WorkCalendar

logger = logging.getLogger(__name__)

# Who hears about an overdue step besides the people who should do it: the next echelon up.
# Tim, Staf and the ADB work under a Kasi; the Kadis answers to nobody inside the organisation.
SUPERVISOR_OF = {
    Role.TIM: Role.KASI,
    Role.STAF: Role.KASI,
    Role.ADB: Role.KASI,
    Role.KASI: Role.KABID,
    Role.KABID: Role.KADIS,
    Role.SEKRETARIAT: Role.KADIS,
}

# "Due soon" from the moment this share of the step's working time is used.
WARN_SHARE = 0.8


# -- calendar and standards ------------------------------------------------------------------


def calendar_for(organisation):
    """The organisation's WorkCalendar: its time zone, national holidays and cuti bersama,
    plus the admin's holiday overrides and alternative schedules (its own rows win over global ones).
    """
    days = {}
    overrides = HolidayOverride.objects.filter(Q(organisation=organisation) | Q(organisation__isnull=True))
    # Global rows first, so an organisation's row for the same day replaces them.
    for row in sorted(overrides, key=lambda row: row.organisation_id is not None):
        days[row.date] = row
    extra = {day: row.name or _("Hari libur daerah") for day, row in days.items() if row.action == row.ADD}
    removed = {day for day, row in days.items() if row.action == row.REMOVE}

    rows = list(AlternativeSchedule.objects.filter(Q(organisation=organisation) | Q(organisation__isnull=True)))
    own = [row for row in rows if row.organisation_id is not None]
    alternatives = [
        (row.first_day, row.last_day, row.schedule())
        for row in rows
        if row.organisation_id is not None
        or not any(row.first_day <= mine.last_day and mine.first_day <= row.last_day for mine in own)
    ]
    return WorkCalendar(
        tz=organisation.timezone, alternatives=alternatives, extra_holidays=extra, removed_holidays=removed
    )


def _sop(sop):
    """A ``Sop`` from a ``sop`` column value or a ``Sop`` (a process's pinned version)."""
    return sop_of(sop) if isinstance(sop, str) else sop


def waktu_by_node(organisation_id, sop):
    """{step key (node name): (amount, unit)} for one SOP (a ``Sop`` or its code) in one
    organisation, overrides applied."""
    sop = _sop(sop)
    table = {step.node: (step.waktu_amount, step.waktu_unit) for step in sop.steps}
    for row in WaktuOverride.objects.filter(organisation_id=organisation_id, sop=sop.code):
        if row.node in table:
            table[row.node] = (row.amount, row.unit)
    return table


def waktu_table(organisation_id, sop):
    """{step number: (amount, unit)}, as the SOP table numbers its steps (for display)."""
    sop = _sop(sop)
    by_node = waktu_by_node(organisation_id, sop)
    return {step.number: by_node[step.node] for step in sop.steps}


def process_standard_seconds(calendar, organisation_id, sop):
    return sum(
        int(calendar.standard_duration(amount, unit).total_seconds())
        for amount, unit in waktu_by_node(organisation_id, sop).values()
    )


# -- the clock of each task ------------------------------------------------------------------


def _created_by_return(previous_task):
    """A task opened by an If gate right after a review that returned the work."""
    if previous_task is None or not isinstance(previous_task.flow_task, flow.If):
        return False
    return Review.objects.filter(task__in=previous_task.previous.all(), decision=Review.RETURN).exists()


def open_clock(task, process, previous_task=None):
    """Store the due moment of a newly created human task; None for nodes outside the catalogue."""
    step = process.catalogue.step_for_task(task)
    if step is None:
        return None
    organisation = Organisation.objects.get(pk=process.organisation_id)
    calendar = calendar_for(organisation)
    amount, unit = waktu_by_node(organisation.pk, process.catalogue)[step.node]
    opened = task.created
    due = calendar.add(opened, amount, unit)
    warn_at = calendar.add_duration(opened, calendar.elapsed(opened, due) * WARN_SHARE)
    return TaskSla.objects.create(
        task=task,
        process_id=process.pk,
        organisation=organisation,
        sop=process.sop,
        step_number=step.number,
        node=step.node,
        waktu_amount=amount,
        waktu_unit=unit,
        standard_seconds=int(calendar.standard_duration(amount, unit).total_seconds()),
        opened=opened,
        due=due,
        warn_at=warn_at,
        notify_at=calendar.next_working_moment(due),
        reopened=_created_by_return(previous_task),
    )


def is_delegated(task, acting=None):
    """Whether the officer who completed ``task`` did not hold the step's position then (the
    task's owner permission): someone it was delegated to, an officer who took the task and
    lost the position before finishing it, or an acting official (Plt/Plh) standing in
    (``acting``: their appointment, see ``workflows.models.acting.acting_for_task``)."""
    if task.owner is None or not task.owner_permission:
        return False
    if acting is not None:
        return True
    return not task.owner.has_perm(task.owner_permission)


def stop_clock(task):
    """Store the finished task's working time once; the process's total grows by it."""
    row = TaskSla.objects.select_related("organisation").filter(task=task).first()
    if row is None or row.finished is not None:
        return None
    calendar = calendar_for(row.organisation)
    row.finished = task.finished
    row.elapsed_seconds = int(calendar.elapsed(row.opened, row.finished).total_seconds())
    row.on_time = row.finished <= row.due
    row.done_by_id = task.owner_id
    acting = acting_for_task(task.owner, task, task.finished)
    row.delegated = is_delegated(task, acting)
    row.acting_as = acting.title if acting is not None else ""
    row.save(update_fields=["finished", "elapsed_seconds", "on_time", "done_by", "delegated", "acting_as"])
    ProcessSla.objects.filter(process_id=row.process_id).update(
        elapsed_seconds=F("elapsed_seconds") + row.elapsed_seconds
    )
    return row


def cancel_clock(task):
    TaskSla.objects.filter(task=task, finished__isnull=True).update(cancelled=True, finished=task.finished)


def revive_clock(task, process):
    """A task revived after cancellation is a new task with its own clock, from its own
    creation; the cancelled task keeps its cancelled row."""
    return open_clock(task, process)


def start_process_clock(process):
    """The process's overall standard (the sum of its steps' Waktu), once."""
    organisation = Organisation.objects.get(pk=process.organisation_id)
    standard = process_standard_seconds(calendar_for(organisation), organisation.pk, process.catalogue)
    ProcessSla.objects.get_or_create(process_id=process.pk, defaults={"standard_seconds": standard})


def start_clock(task, process):
    """The start step: the process gets its overall standard and step 1 its row.

    Step 1 is created and finished by one POST of the start form, so no working time of it
    exists to measure (the form's opening is not recorded): its row is finished but untimed
    (no working time, no on-time verdict), and the dashboard leaves it out of on-time shares,
    medians, percentiles and officer figures instead of counting a meaningless zero.
    """
    start_process_clock(process)
    if open_clock(task, process) is not None:
        TaskSla.objects.filter(task=task).update(finished=task.finished, done_by_id=task.owner_id)


# -- presentation ----------------------------------------------------------------------------

BADGE_COLOURS = {
    SlaStatus.ON_TRACK: ("#e6f4ea", "#1e6b34"),
    SlaStatus.DUE_SOON: ("#fff4d6", "#7a5200"),
    SlaStatus.OVERDUE: ("#fde7e7", "#a61b1b"),
    SlaStatus.DONE_ON_TIME: ("#eef1f4", "#2f4a5f"),
    SlaStatus.DONE_LATE: ("#f6e9f0", "#7b2453"),
    SlaStatus.DONE_UNTIMED: ("#eef1f4", "#4a4a4a"),
    SlaStatus.CANCELLED: ("#f1f1f1", "#666666"),
}


def badge(status):
    """The status as a small coloured label; styled inline because viewflow's list pages do not
    load our stylesheet and the same markup goes into PDF reports."""
    if status is None:
        return "—"
    status = SlaStatus(status)
    background, colour = BADGE_COLOURS[status]
    return format_html(
        '<span class="sop-sla sop-sla--{}" style="display:inline-block;padding:1px 8px;border-radius:10px;'
        'font-size:12px;white-space:nowrap;background:{};color:{}">{}</span>',
        status.value,
        background,
        colour,
        status.label,
    )


def format_moment(moment, tz_name):
    """A moment in the organisation's own zone, Indonesian style: "5 Jan 2026 16.00 WITA"."""
    if moment is None:
        return "—"
    local = timezone.localtime(moment, ZoneInfo(tz_name))
    return f"{date_format(local, 'j M Y H.i')} {local.tzname()}"


def format_full_moment(moment, tz_name):
    """A moment written out in full in the organisation's zone: "1 Desember 2026 09.15 WIB"."""
    return "—" if moment is None else full_moment(moment, tz_name)


def format_working_time(seconds, day=None):
    """Working time in working days, hours and minutes: "2 hari 3 jam", "1 jam 30 menit",
    "45 menit", "0 menit". ``day`` is the length of a working day (a timedelta), normally the
    organisation's ``calendar.standard_duration(1, "hari")``; by default the Perpres 21/2023 day
    (7 h 30 min). Zero parts are left out."""
    if seconds is None:
        return "—"
    day_minutes = int((day or PERPRES_21_2023.average_day).total_seconds() // 60) or 24 * 60
    minutes = int((seconds + 30) // 60)  # half a minute rounds up, as people read it
    days, minutes = divmod(minutes, day_minutes)
    hours, minutes = divmod(minutes, 60)
    parts = []
    if days:
        parts.append(ngettext("%(d)s hari", "%(d)s hari", days) % {"d": days})
    if hours:
        parts.append(ngettext("%(h)s jam", "%(h)s jam", hours) % {"h": hours})
    if minutes or not parts:
        parts.append(ngettext("%(m)s menit", "%(m)s menit", minutes) % {"m": minutes})
    return " ".join(parts)


WAKTU_FORMS = {
    "menit": lambda n: ngettext("%(n)s menit", "%(n)s menit", n),
    "jam": lambda n: ngettext("%(n)s jam", "%(n)s jam", n),
    "hari": lambda n: ngettext("%(n)s hari", "%(n)s hari", n),
}


def waktu_label(amount, unit):
    """A step's Waktu for display, in the page's language: "2 jam" (or "2 hours"). The SOP's own
    text (workbook, SOP document) keeps the unit as written: ``Step.waktu_label``."""
    form = WAKTU_FORMS.get(unit)
    return form(amount) % {"n": amount} if form is not None else f"{amount} {unit}"


# -- escalation ------------------------------------------------------------------------------


def _officers(organisation_id):
    return list(
        get_user_model()
        .objects.filter(is_active=True, officer__organisation_id=organisation_id)
        .prefetch_related("officer__roles")
        .order_by("pk")
    )


def supervisor_permission(organisation_id, code):
    """The permission of the position above the step's Pelaksana (``Position.parent``, which an
    admin sets for the organisation's own positions too), or None at the top."""
    from .models import Position

    position = Position.objects.filter(organisation_id=organisation_id, code=code).select_related("parent").first()
    if position is not None:
        parent = position.parent.code if position.parent is not None and position.parent.is_active else None
    else:
        parent = SUPERVISOR_OF.get(code)
    return org_role_permission(organisation_id, parent) if parent else None


def recipients(row, officers):
    """[(user, reason)] for an overdue task: its assignee, or everyone who may claim it from the
    queue (the same permission check as viewflow's queue, so named-only steps reach only the
    named officers), and the holders of the supervising role."""
    task = row.task
    found = {}
    if task.owner_id and task.status in (STATUS.ASSIGNED, STATUS.STARTED):
        found[task.owner_id] = (task.owner, Notification.Reason.ASSIGNEE)
    elif task.owner_permission:
        for user in officers:
            if user.has_perm(task.owner_permission):
                found.setdefault(user.pk, (user, Notification.Reason.QUEUE))
    supervisor = supervisor_permission(row.organisation_id, row.process.catalogue.step_for_node(row.node).actor)
    for user in officers:
        if supervisor and user.has_perm(supervisor):
            found.setdefault(user.pk, (user, Notification.Reason.SUPERVISOR))
    return list(found.values())


def escalate_overdue(now=None):
    """Write the overdue notices once for every task past its deadline, but only inside its
    organisation's working hours; returns the number of tasks escalated. The holder (or the
    queue) gets an overdue notice, the supervising position an escalation; the background loop
    mails them (``workflows.notifications.deliver``). Safe to run from several processes: the
    claim is a conditional UPDATE."""
    from .notifications import notify

    now = now or timezone.now()
    pending = (
        TaskSla.objects.filter(escalated_at__isnull=True, finished__isnull=True, notify_at__lte=now)
        .select_related("task__owner", "organisation", "process")
        .order_by("notify_at")
    )
    calendars, officers, escalated = {}, {}, 0
    for row in pending:
        org_id = row.organisation_id
        if org_id not in calendars:
            calendars[org_id] = calendar_for(row.organisation)
        calendar = calendars[org_id]
        if not calendar.is_working_time(now):
            # Outside working hours: wait for the next working start, and skip this row until then.
            TaskSla.objects.filter(pk=row.pk).update(notify_at=calendar.next_working_moment(now))
            continue
        if org_id not in officers:
            officers[org_id] = _officers(org_id)
        with transaction.atomic():
            holder = row.task.owner_id if row.task.status in (STATUS.ASSIGNED, STATUS.STARTED) else None
            claimed = TaskSla.objects.filter(pk=row.pk, escalated_at__isnull=True, finished__isnull=True).update(
                escalated_at=now, notified_owner_id=holder
            )
            if not claimed:
                continue
            people = recipients(row, officers[org_id])
            for user, reason in people:
                kind = Notification.Kind.ESCALATION if reason == Notification.Reason.SUPERVISOR else Notification.Kind.OVERDUE
                notify(user, kind, task=row.task, process=row.process, now=now, capacity=reason)
        escalated += 1
        logger.info("SLA: task %s escalated to %s recipient(s)", row.task_id, len(people))
    return escalated


# -- Lembar Kendali Mutu Baku ----------------------------------------------------------------


def control_sheet(process, now=None):
    """Context for ``includes/control_sheet.html``: one row per SOP step with its actors, first
    start, last finish, standard, working time, status and returns; totals for the process."""
    now = now or timezone.now()
    rows = TaskSla.objects.filter(process_id=process.pk, cancelled=False)
    figures = {
        entry["node"]: entry
        for entry in rows.values("node").annotate(
            rounds=Count("pk"),
            first_opened=Min("opened"),
            last_finished=Max("finished"),
            elapsed_total=Sum("elapsed_seconds"),
            open_count=Count("pk", filter=Q(finished__isnull=True)),
            late_count=Count("pk", filter=Q(on_time=False)),
            timed_count=Count("pk", filter=Q(elapsed_seconds__isnull=False)),
            return_count=Count("pk", filter=Q(reopened=True)),
        )
    }
    # The Waktu each step's tasks ran under (stored when each clock opened), oldest first; a
    # later penyesuaian waktu baku applies only to tasks opened after it.
    standards = {}
    for entry in rows.values("node", "waktu_amount", "waktu_unit").annotate(first=Min("opened")).order_by("first"):
        labels = standards.setdefault(entry["node"], [])
        label = (entry["waktu_amount"], entry["waktu_unit"])
        if label not in labels:
            labels.append(label)
    actors = {}
    for entry in rows.values("node", "done_by__first_name", "done_by__last_name", "done_by__username", "acting_as",
                             "task__owner__first_name", "task__owner__last_name", "task__owner__username").distinct():
        for prefix in ("done_by__", "task__owner__"):
            name = " ".join(filter(None, [entry[prefix + "first_name"], entry[prefix + "last_name"]]))
            name = name or entry[prefix + "username"]
            if name and prefix == "done_by__" and entry["acting_as"]:
                # An acting officer did the step for its position: "Nama (Plh. Kepala Dinas)".
                name = f"{name} ({entry['acting_as']})"
            elif name and prefix == "task__owner__" and entry["acting_as"]:
                continue  # the same officer, already named with their capacity
            if name:
                actors.setdefault(entry["node"], []).append(name)
    open_rows = {row.node: row for row in rows.filter(finished__isnull=True)}
    tz_name = process.organisation.timezone
    calendar = calendar_for(process.organisation)
    day = calendar.standard_duration(1, "hari")  # durations in this organisation's working days

    def duration(seconds):
        return format_working_time(seconds, day)

    def standard(amount, unit):
        return duration(calendar.standard_duration(amount, unit).total_seconds())

    table = waktu_by_node(process.organisation_id, process.catalogue)
    sheet_rows, running = [], 0
    for step in process.catalogue.steps:
        entry = figures.get(step.node)
        open_row = open_rows.get(step.node)
        elapsed = (entry["elapsed_total"] or 0) if entry else None
        if open_row is not None:
            so_far = int(calendar.elapsed(open_row.opened, now).total_seconds())
            elapsed = (elapsed or 0) + so_far
            running += so_far
            status = open_row.status(now)
        elif entry and not entry["timed_count"]:
            status = SlaStatus.DONE_UNTIMED
        elif entry:
            status = SlaStatus.DONE_LATE if entry["late_count"] else SlaStatus.DONE_ON_TIME
        else:
            status = None
        sheet_rows.append({
            "step": step,
            "actors": ", ".join(dict.fromkeys(actors.get(step.node, []))),
            "start": format_full_moment(entry["first_opened"], tz_name) if entry else "—",
            "finish": format_full_moment(entry["last_finished"], tz_name) if entry and not entry["open_count"] else "—",
            "standard": " → ".join(
                dict.fromkeys(standard(*waktu) for waktu in standards.get(step.node) or [table[step.node]])
            ),
            "actual": duration(elapsed) if status != SlaStatus.DONE_UNTIMED else _("tidak diukur"),
            "status": status,
            "badge": badge(status),
            "rounds": entry["rounds"] if entry else 0,
            "returns": entry["return_count"] if entry else 0,
        })
    process_sla = ProcessSla.objects.filter(process_id=process.pk).first()
    return {
        "rows": sheet_rows,
        "standard": duration(process_sla.standard_seconds) if process_sla else "—",
        "actual": duration(process_sla.elapsed_seconds + running) if process_sla else "—",
        "returns": sum(row["returns"] for row in sheet_rows),
        "sop_number": process.organisation.sop_nomor(process.catalogue),
    }


def control_sheet_context(process):
    """The context key the process page needs for ``includes/control_sheet.html``."""
    return {"control_sheet": control_sheet(process)}
