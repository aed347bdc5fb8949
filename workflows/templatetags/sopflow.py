"""Helpers for the viewflow pages SOPFlow re-templates (task frame, claim page, task details):
the SOP step a task carries, its clock, and file names instead of server paths."""

from pathlib import PurePath

from django import template
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import sla
from ..models import SopProcess, TaskSla

register = template.Library()


@register.filter
def file_name(path):
    """The last part of a stored path: officers see the archive's name, never the server's
    directory layout."""
    return PurePath(str(path)).name if path else ""


@register.simple_tag
def sop_task(task):
    """What an officer needs to know about one task on any of its pages.

    ``step`` (the catalogue's step, None for gates), ``sop``, ``process`` (the SOP process),
    ``holder`` (a name, or None while the task waits in the role's queue), ``opened``, ``due``,
    ``finished`` (formatted in the organisation's time zone) and ``badge`` (its SLA status).
    """
    process = SopProcess.objects.select_related("organisation").get(pk=task.process_id)
    sop = process.catalogue
    tz_name = process.organisation.timezone
    row = TaskSla.objects.filter(task_id=task.pk).first() if task.pk else None
    owner = task.owner
    return {
        "sop": sop,
        "step": sop.step_for_task(task),
        "process": process,
        "holder": (owner.get_full_name() or owner.get_username()) if owner else None,
        "opened": sla.format_moment(task.created, tz_name),
        "due": sla.format_moment(row.due, tz_name) if row else None,
        "waktu": sla.waktu_label(row.waktu_amount, row.waktu_unit) if row else None,
        "finished": sla.format_moment(task.finished, tz_name) if task.finished else None,
        "badge": sla.badge(row.status(timezone.now())) if row else None,
    }


@register.filter
def node_title(task):
    """A task's step title for links between tasks: the SOP step for human steps, the node's
    own Indonesian title for gates and the end."""
    if task.flow_task is None:
        return _("Langkah yang sudah dihapus")
    data = task.data if isinstance(task.data, dict) else {}
    return data.get("title") or str(task.flow_task.task_title)


@register.filter
def moment(value, tz_name):
    """A moment in the organisation's own time zone, Indonesian style ("5 Jan 2026 16.00 WITA")."""
    return sla.format_moment(value, tz_name) if value else "—"


@register.simple_tag
def unread_notifications(user):
    """The header bell's number: the officer's unread in-app notifications; None for a user
    who is no officer (nothing is shown)."""
    from ..models import Notification

    if not getattr(user, "is_authenticated", False) or not hasattr(user, "officer"):
        return None
    return Notification.objects.unread().filter(recipient=user).count()


@register.filter
def percent(value, decimals=1):
    """A percentage in the reports' Indonesian format, on the pages too: 46.15 -> '46,2%' (one
    decimal unless told); '–' for none."""
    from ..reports.formatting import percent as indonesian_percent

    return indonesian_percent(value if value in (None, "") else float(value), int(decimals))


@register.filter
def waktu(step):
    """A step's Waktu in the page's language ("2 jam", "2 hours"); the SOP's own text is ``step.waktu_label``."""
    return sla.waktu_label(step.waktu_amount, step.waktu_unit) if step else ""
