"""The interpreter: one viewflow flow that runs every published version of every authored SOP.

Why one flow and not a flow class built per version: a flow class is referenced from the
database by its import path and its URLs are fixed when the server starts, so a class built at
run time would have to be rebuilt in every worker before any row is read, and publishing would
need a restart. This flow is an ordinary module-level class: publishing a version only inserts
rows. Its shape is a loop::

    start (step 1, in the start form) -> route -> step -> route -> ... -> end

``route`` reads ``process.current_step`` (set by the step view from the version's routing rule,
``SopVersion.next_key``): empty means the last step is done. Each pass through ``step`` makes a
new task whose ``data`` carries the step's key and inbox title; its permission is the step's
Pelaksana position in the process's organisation, so queues, inboxes and organisation isolation
are viewflow's own SQL on the task row, as for the built-in SOPs.
"""

from django.utils.translation import gettext_lazy as _
from viewflow import this
from viewflow.workflow import flow, lock

from workflows.catalogue import AUTHORED
from workflows.flows.nodes import StartBySchedule, SopEnd, SopIf, SopStart, SopStep
from workflows.permissions import org_role_permission

from . import views
from .chart import AuthoredChartView
from .models import AuthoredProcess, AuthoredTask


def may_start(user):
    """The start button: an officer holding the first step's position of a startable SOP."""
    from .models import SopDefinition

    officer = getattr(user, "officer", None)
    if officer is None:
        return False
    return any(
        version.first_step() and user.has_perm(org_role_permission(officer.organisation_id, version.first_step().position.code))
        for version in SopDefinition.objects.startable_versions(officer.organisation)
    )


def next_step_data(activation):
    """The task data of the step the process moves to."""
    process = activation.process
    return process.version.step(process.current_step).task_data()


def step_permission(activation):
    """The step's Pelaksana, as the permission viewflow stamps on the task row. Never empty:
    an empty permission would let anyone claim the task."""
    process = activation.process
    step = process.version.step(activation.task.data["step"])
    return org_role_permission(process.organisation_id, step.position.code)


def previous_holder(activation):
    """After a return, the step goes back to whoever did it last in this process."""
    task = (
        AuthoredTask.objects.filter(process_id=activation.process.pk, data__step=activation.task.data["step"], status="DONE")
        .select_related("owner")
        .order_by("-finished", "-pk")
        .first()
    )
    if task is None or task.owner is None or not task.owner.is_active:
        return None
    # Only while they still hold the step's position; otherwise the task waits in its queue.
    return task.owner if task.owner.has_perm(activation.task.owner_permission) else None


class RouteIf(SopIf):
    task_title = _("Menentukan langkah berikutnya")


class AuthoredFlow(flow.Flow):
    """SOP susunan organisasi (the interpreter of authored SOPs)"""

    process_class = AuthoredProcess
    task_class = AuthoredTask
    lock_impl = lock.select_for_update_lock
    sop = AUTHORED
    chart_view_class = AuthoredChartView  # draws the pinned version's steps
    process_title = _("Proses SOP Organisasi")
    process_description = _(
        "Proses SOP yang disusun atau diimpor organisasi sendiri. Setiap proses mengikuti versi SOP yang "
        "berlaku saat dimulai; bagan alurnya ada pada halaman proses."
    )
    # The flow's own chart is the interpreter's loop, which says nothing about any SOP.
    hide_flow_chart = True

    start = (
        SopStart(views.AuthoredStartView.as_view())
        .Annotation(title=_("Mulai SOP"))
        .Available(may_start)
        .Next(this.route)
    )
    # A process a schedule starts (workflows/models/schedule.py; hooks.prepare_scheduled_process
    # pins the version and points current_step at step 1): step 1 waits in its position's queue.
    scheduled_start = StartBySchedule().Next(this.route)
    route = RouteIf(lambda activation: not activation.process.current_step).Then(this.end).Else(
        this.step, task_data=next_step_data
    )
    step = (
        SopStep(views.AuthoredStepView.as_view())
        # The node carries every step; pages show the step (task.title), filters the node as this.
        .Annotation(title=_("Semua langkah SOP"), summary_template="{{ task.title }}")
        .Permission(step_permission)
        .Assign(previous_holder)
        .Next(this.route)
    )
    end = SopEnd()
