"""Handing an open task to another officer: who may, to whom, and the change itself.

- A supervisor (a holder, in their own right or as Plh/Plt, of any position above the step's
  position in ``Position.parent``'s chain) or the organisation's admin may reassign an open task
  (in the queue or held) to another officer of the organisation entitled to it.
- The holder of a task may delegate it to a colleague holding the same position, or to the
  position's acting officer (an appointment covering today).
- A new task the flow would give to an officer who is out of the office goes to the
  position's acting officer, or back to the queue (:func:`route_new_task`).

The target must hold the task's owner permission (the check viewflow's queue makes), so an
officer of another organisation, or one not named for a named-only step, is never assignable.
Every change keeps the task's deadline (its ``TaskSla`` row is not touched), runs under the
flow's process lock with the task row locked, and is written to the audit trail.
"""

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from viewflow.workflow.exceptions import FlowLockFailed
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from .catalogue import step_of_task
from .models import ActingAppointment, AuditEvent, Notification, OfficerRole, Position, SopProcess
from .models.acting import acting_for, local_day, routine_refusal
from .models.assignment import OutOfOffice, Reassignment
from .notifications import notify
from .permissions import org_role_permission, parse_org_permission

OPEN = (STATUS.NEW, STATUS.ASSIGNED)


class AssignmentRefused(Exception):
    """Why a reassignment or delegation was refused (an Indonesian sentence); nothing changed."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


def _name(user):
    return user.get_full_name() or user.username


def task_position(task, process):
    """The position whose step ``task`` is: the one its owner permission names, or, for a step
    only the named officers may take, the step's Pelaksana."""
    parsed = parse_org_permission(task.owner_permission or "")
    code = parsed[1] if parsed else getattr(step_of_task(task, process), "actor", None)
    if not code:
        return None
    return Position.objects.filter(organisation_id=process.organisation_id, code=code).select_related("parent").first()


def positions_above(position):
    """The active positions above ``position`` in its organisation's chain, nearest first."""
    above, seen = [], {position.pk}
    current = position.parent
    while current is not None and current.pk not in seen:
        seen.add(current.pk)
        if current.is_active:
            above.append(current)
        current = current.parent
    return above


def is_org_admin(user, organisation_id):
    officer = getattr(user, "officer", None)
    return officer is not None and officer.organisation_id == organisation_id and officer.is_org_admin


def supervises(user, task, process):
    """Whether ``user`` may reassign ``task``: the organisation's admin, or a holder (own right or
    acting appointment) of a position above the task's position."""
    if not user.is_authenticated or getattr(getattr(user, "officer", None), "organisation_id", None) != process.organisation_id:
        return False
    if is_org_admin(user, process.organisation_id):
        return True
    position = task_position(task, process)
    if position is None:
        return False
    return any(user.has_perm(org_role_permission(process.organisation_id, p.code)) for p in positions_above(position))


def task_refusal(task):
    """Why ``task`` can no longer change hands, or None."""
    if task.status == STATUS.DONE:
        return _("Tugas ini sudah selesai, sehingga tidak dapat dialihkan lagi.")
    if task.status in (STATUS.CANCELED, STATUS.REVIVED):
        return _("Tugas ini sudah dibatalkan, sehingga tidak dapat dialihkan.")
    if task.status == STATUS.STARTED:
        return _("Tugas ini sedang diproses oleh pemegangnya; coba lagi setelah kirimannya selesai.")
    if task.status not in OPEN or task.flow_task_type != "HUMAN":
        return _("Hanya tugas terbuka pada langkah SOP yang dapat dialihkan.")
    return None


def target_refusal(target, task, process):
    """Why ``target`` cannot be given ``task``, or None."""
    officer = getattr(target, "officer", None) if target is not None else None
    if target is None or not target.is_active or officer is None or officer.organisation_id != process.organisation_id:
        return _("Pegawai tujuan bukan pegawai aktif organisasi ini; tugas hanya dapat dialihkan kepada pegawai "
                 "organisasi sendiri.")
    if task.owner_id == target.pk:
        return _("Tugas ini sudah dipegang oleh %(name)s.") % {"name": _name(target)}
    if not task.owner_permission or not target.has_perm(task.owner_permission):
        step = step_of_task(task, process)
        position = task_position(task, process)
        return _(
            "%(name)s tidak berwenang mengerjakan langkah %(number)s (%(title)s): tidak memegang jabatan %(position)s, "
            "tidak ditunjuk sebagai Plh/Plt-nya hari ini, atau tidak disebut dalam disposisi/SK proses ini."
        ) % {
            "name": _name(target), "number": step.number if step else "", "title": step.title if step else "",
            "position": position.name if position else "",
        }
    refusal = routine_refusal(target, task, process)
    if refusal:
        return refusal
    away = OutOfOffice.of_user(target, local_day(process.organisation))
    if away is not None:
        return _("%(name)s sedang tidak di kantor (%(start)s s.d. %(end)s); pilih pegawai lain.") % {
            "name": _name(target), "start": date_format(away.start_date, "j F Y"),
            "end": date_format(away.end_date, "j F Y"),
        }
    return None


def delegation_refusal(user, target, task, process):
    """Why ``user`` may not delegate ``task`` to ``target`` (beyond :func:`target_refusal`), or None."""
    if task.owner_id != user.pk or task.status != STATUS.ASSIGNED:
        return _("Ini bukan tugas Anda: hanya pemegang tugas yang dapat mendelegasikannya.")
    position = task_position(task, process)
    if position is None:
        return _("Langkah ini tidak mempunyai jabatan pelaksana, sehingga tidak dapat didelegasikan.")
    same_position = OfficerRole.objects.filter(officer__user=target, position=position).exists()
    if not same_position and acting_for(target, process.organisation, position.code) is None:
        return _(
            "Tugas hanya dapat didelegasikan kepada rekan yang memegang jabatan %(position)s atau kepada Plh/Plt "
            "jabatan itu yang ditunjuk untuk hari ini; %(name)s bukan keduanya."
        ) % {"position": position.name, "name": _name(target)}
    return None


ANY_HOLDER = object()


def transfer(task_pk, actor, target, reason, kind, seen_owner_id=ANY_HOLDER):
    """Give the open task ``task_pk`` to ``target`` as ``actor`` (a supervisor's reassignment
    or the holder's delegation). Runs under the flow's lock with the task row locked, so of
    two concurrent changes the second finds the task as the first left it. Raises
    :class:`AssignmentRefused`; nothing changes then.

    ``seen_owner_id``: the holder the actor saw (None: the queue); when someone else has since
    claimed, released or handed the task on, the change is refused rather than applied to a
    task that is no longer as the actor saw it."""
    reason = (reason or "").strip()
    if not reason:
        raise AssignmentRefused(_("Tuliskan alasan pengalihan; alasan wajib diisi dan akan dibaca pemegang baru."))
    task = Task.objects.filter(pk=task_pk).first()
    if task is None:
        raise AssignmentRefused(_("Tugas tidak ditemukan."))
    try:
        return _transfer(task, actor, target, reason, kind, seen_owner_id)
    except FlowLockFailed:
        raise AssignmentRefused(_("Proses ini sedang diperbarui oleh pengguna lain. Tunggu sebentar lalu coba lagi."))


def _transfer(task, actor, target, reason, kind, seen_owner_id):
    task_pk = task.pk
    with task.flow_task.flow_class.lock(task.process_id), transaction.atomic():
        task = Task.objects.select_for_update().get(pk=task_pk)
        process = SopProcess.objects.select_related("organisation").get(pk=task.process_id)
        if seen_owner_id is not ANY_HOLDER and task.owner_id != seen_owner_id and task.status in OPEN:
            holder = _name(task.owner) if task.owner is not None else _("antrean jabatan")
            raise AssignmentRefused(_(
                "Pemegang tugas ini berubah sejak halaman Anda dibuka (sekarang: %(holder)s), sehingga "
                "pengalihan Anda tidak diterapkan. Muat ulang halaman, lalu putuskan lagi."
            ) % {"holder": holder})
        if kind == Reassignment.Kind.DELEGATE:
            refusal = task_refusal(task) or delegation_refusal(actor, target, task, process)
        else:
            refusal = task_refusal(task)
            if refusal is None and not supervises(actor, task, process):
                refusal = _("Anda bukan atasan pelaksana langkah ini dan bukan administrator organisasi, "
                            "sehingga tidak dapat mengalihkan tugas ini.")
        refusal = refusal or target_refusal(target, task, process)
        if refusal:
            raise AssignmentRefused(refusal)
        previous = task.owner
        _give(task, target)
        change = Reassignment.objects.create(
            task=task, process=process, kind=kind, from_user=previous, to_user=target, by=actor, reason=reason
        )
        action = AuditEvent.Action.DELEGATE if kind == Reassignment.Kind.DELEGATE else AuditEvent.Action.REASSIGN
        AuditEvent.record(action, actor, process, task, detail=_describe(previous, target, reason))
        _notify(change, actor)
    return change


def _give(task, user):
    task.owner = user
    if user is None:
        task.status, task.assigned = STATUS.NEW, None
    else:
        task.status, task.assigned = STATUS.ASSIGNED, timezone.now()
    task.save(update_fields=["owner", "status", "assigned"])


def _describe(previous, target, reason):
    source = _name(previous) if previous is not None else _("antrean jabatan")
    goal = _name(target) if target is not None else _("antrean jabatan")
    return _("Dari %(source)s kepada %(goal)s. Alasan: %(reason)s") % {"source": source, "goal": goal, "reason": reason}


def _notify(change, actor):
    """The new holder hears of the task handed to them, with the reason (written to the outbox
    inside this transaction, sent by the background loop)."""
    kind = Notification.Kind.DELEGATED if change.kind == Reassignment.Kind.DELEGATE else Notification.Kind.REASSIGNED
    notify(change.to_user, kind, task=change.task, process=change.process, reason=change.reason, actor=actor)


def transfer_many(task_pks, actor, target, reason, seen_owners=None):
    """A supervisor's bulk reassignment: every task or none. Locks are taken in process order,
    so two bulk reassignments over the same processes cannot deadlock."""
    tasks = list(Task.objects.filter(pk__in=task_pks).order_by("process_id", "pk").values_list("pk", flat=True))
    if not tasks:
        raise AssignmentRefused(_("Pilih sedikitnya satu tugas."))
    changes = []
    with transaction.atomic():
        for pk in tasks:
            try:
                seen = (seen_owners or {}).get(pk, ANY_HOLDER)
                changes.append(transfer(pk, actor, target, reason, Reassignment.Kind.REASSIGN, seen))
            except AssignmentRefused as refused:
                task = Task.objects.get(pk=pk)
                raise AssignmentRefused(_("Tugas #%(pk)s (%(title)s): %(message)s Tidak ada tugas yang dialihkan.") % {
                    "pk": pk, "title": getattr(task, "title", "") or task.flow_task.task_title, "message": refused.message,
                })
    return changes


def record_refusal(actor, task_pk, message):
    """A refused reassignment or delegation, in the audit trail of the task's process."""
    task = Task.objects.filter(pk=task_pk).first()
    process = SopProcess.objects.filter(pk=task.process_id).first() if task is not None else None
    AuditEvent.record(AuditEvent.Action.REASSIGN_REFUSED, actor, process, task if process else None, detail=message)


# -- out of office -----------------------------------------------------------------------------


def route_new_task(task, process):
    """A task the flow just gave to an officer personally (``.Assign``: back to whoever did the
    step) goes elsewhere when that officer is out of the office today: to the position's acting
    officer if the officer asked so and one is appointed and entitled, else to the queue."""
    owner = task.owner
    if owner is None:
        return
    day = local_day(process.organisation)
    away = OutOfOffice.of_user(owner, day)
    if away is None:
        return
    target = None
    if away.target == OutOfOffice.Target.ACTING:
        position = task_position(task, process)
        appointment = (
            ActingAppointment.objects.valid().covering(day)
            .filter(organisation_id=process.organisation_id, position=position)
            .select_related("officer__user").first()
            if position is not None else None
        )
        candidate = appointment.officer.user if appointment is not None else None
        if candidate is not None and target_refusal(candidate, task, process) is None:
            target = candidate
    _give(task, target)
    reason = _("%(name)s tidak di kantor %(start)s s.d. %(end)s (%(note)s).") % {
        "name": _name(owner), "start": date_format(away.start_date, "j F Y"),
        "end": date_format(away.end_date, "j F Y"), "note": away.note,
    }
    change = Reassignment.objects.create(
        task=task, process=process, kind=Reassignment.Kind.ROUTED, from_user=owner, to_user=target, reason=reason
    )
    AuditEvent.record(AuditEvent.Action.ROUTED, None, process, task, detail=_describe(owner, target, reason))
    # Whoever now has it (the acting officer, or the queue's holders) hears of it as of any new
    # task, from workflows.notifications.task_arrived right after this.
    return change


def entitled_officers(task, process):
    """The organisation's officers the task may be given to, for the choosers."""
    users = (
        get_user_model().objects.filter(is_active=True, officer__organisation_id=process.organisation_id)
        .select_related("officer").order_by("first_name", "last_name", "username")
    )
    return [user for user in users if target_refusal(user, task, process) is None]
