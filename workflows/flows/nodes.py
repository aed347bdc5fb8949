"""Flow building blocks that read the SOP catalogue, so flows only declare."""

from django.utils.text import format_lazy
from django.urls import path
from django.utils.translation import gettext_lazy as _
from viewflow.workflow import flow
from viewflow.workflow.activation import Activation
from viewflow.workflow.nodes.start import StartHandleActivation, StartViewActivation
from viewflow.workflow.nodes.view import ViewActivation

from .. import notifications, sla
from ..models import AuditEvent, Review
from ..models.acting import routine_refusal
from ..permissions import can_release, role_permission, task_assignee_permission, task_role_permission
from ..views.actions import (
    AuditedAssignTaskView,
    AuditedCancelTaskView,
    AuditedReviveTaskView,
    AuditedUnassignTaskView,
    AuditedUndoTaskView,
)
from ..views.base import step_view


class SlaViewActivation(ViewActivation):
    """Every human step's clock: due moment stored at creation, working time at completion."""

    @classmethod
    def create(cls, flow_task, prev_activation, token, data=None, seed=None):
        activation = super().create(flow_task, prev_activation, token, data=data, seed=seed)
        # A step the flow gives back to an officer who is out of the office goes to the
        # position's acting officer or to the queue instead.
        from ..assignment import route_new_task

        route_new_task(activation.task, activation.process)
        sla.open_clock(activation.task, activation.process, previous_task=prev_activation.task)
        notifications.task_arrived(activation.task, activation.process)
        return activation

    @Activation.status.super()
    def complete(self):
        super().complete.original()
        sla.stop_clock(self.task)

    @Activation.status.super()
    def cancel(self):
        super().cancel.original()
        sla.cancel_clock(self.task)

    def prepare_revived_task(self, task):
        # viewflow's revive builds the new task without ``create()``, so it would carry no
        # owner permission, and viewflow lets anyone claim a task without one.
        task.owner_permission = self.task.owner_permission
        task.owner_permission_content_type_id = self.task.owner_permission_content_type_id
        task.owner_permission_obj_pk = self.task.owner_permission_obj_pk

    @Activation.status.super()
    def revive(self):
        task = super().revive.original()
        sla.revive_clock(task, self.process)
        return task


class SlaStartActivation(StartViewActivation):
    """Step 1 is created and finished in one request; it still gets its row, and the process
    gets its overall standard."""

    @Activation.status.super()
    def complete(self):
        super().complete.original()
        sla.start_clock(self.task, self.process)


class ScheduledStartActivation(StartHandleActivation):
    """A process started by a schedule gets its overall standard; its step 1 is a task of its own."""

    @Activation.status.super()
    def complete(self):
        super().complete.original()
        sla.start_process_clock(self.process)


# Undo, revive and cancel views of every node: the organisation's admin only, refused on a
# sealed process, audited (views/actions.py). Flows use these node classes, never viewflow's own.


class SopStart(flow.Start):
    activation_class = SlaStartActivation
    undo_view_class = AuditedUndoTaskView

    def can_execute(self, user, task=None):
        # A process belongs to the starting officer's organisation, so an administrator without
        # one (a superuser holds every permission) is not offered a start that answers 403.
        return hasattr(user, "officer") and super().can_execute(user, task)


class StartBySchedule(flow.StartHandle):
    """Starts a process from a ``SopSchedule`` (the timers loop, no officer): it fills what a start
    form fills (organisation and period; ``prepare`` adds a SOP's own fields), and the flow goes on
    to step 1 as a task in the queue of the position the SOP names, its clock running from now."""

    activation_class = ScheduledStartActivation
    undo_view_class = AuditedUndoTaskView
    task_title = _("Dimulai otomatis menurut jadwal")

    def run(self, *, schedule, year, number, prepare=None):
        activation = self.activation_class.create(self, None, None)
        process = activation.process
        process.organisation = schedule.organisation
        process.year, process.period_type, process.period_number = year, schedule.period_type, number
        if prepare is not None:
            prepare(process, schedule)
        activation.execute()
        AuditEvent.record(
            AuditEvent.Action.START, process=process, task=activation.task,
            detail=_("Dimulai otomatis menurut jadwal (%(schedule)s).") % {"schedule": schedule},
        )
        return process


def first_step_data(activation):
    """The task data that makes a task of another node carry the SOP's step 1 (its key)."""
    return {"step": activation.process.catalogue.steps[0].node}


class SopIf(flow.If):
    # viewflow titles a node by its name ("Correct Ok"); officers see it beside their steps.
    task_title = _("Keputusan pemeriksaan")
    undo_view_class = AuditedUndoTaskView
    cancel_view_class = AuditedCancelTaskView
    revive_view_class = AuditedReviveTaskView


class SopEnd(flow.End):
    task_title = _("Proses selesai")
    undo_view_class = AuditedUndoTaskView
    revive_view_class = AuditedReviveTaskView


class SopStep(flow.View):
    activation_class = SlaViewActivation
    assign_view_class = AuditedAssignTaskView
    unassign_view_class = AuditedUnassignTaskView
    cancel_view_class = AuditedCancelTaskView
    undo_view_class = AuditedUndoTaskView
    revive_view_class = AuditedReviveTaskView

    # A Plh cannot claim or do a step outside the position's routine authority: the queue shows
    # no claim button, and the assign and execute URLs answer 403 with the reason
    # (workflows.middleware.TaskConflictMiddleware).
    def can_assign(self, user, task):
        return super().can_assign(user, task) and routine_refusal(user, task) is None

    def can_execute(self, user, task):
        return super().can_execute(user, task) and routine_refusal(user, task) is None

    def can_unassign(self, user, task):
        # viewflow: the holder, or the manage permission (the organisation's admin); also the
        # supervisors of the task's organisation, who release a colleague's task.
        if super().can_unassign(user, task):
            return True
        return task.owner_id is not None and user.is_authenticated and can_release(user, task)

    @property
    def view_path(self):
        # The step's POST runs its heavy part (storing an upload, signing, archiving) before
        # viewflow's lock and transaction, and keeps the files it wrote only if the step commits.
        return path(f"<int:process_pk>/{self.name}/<int:task_pk>/execute/", step_view(self, self.view), name="execute")


def title(step):
    # Lazy: the node's title is read in each page's language, not once at import.
    return format_lazy("{}. {}", step.number, step.title)


def step(sop, number, view, named_only=False):
    """A human step: title, description and actor permission from the catalogue.

    ``named_only``: only the officers named for this process (SK Tim, staff disposition) may
    take it, instead of every holder of the step's role.
    """
    entry = sop.step(number)
    permission = task_assignee_permission if named_only else task_role_permission(entry.actor)
    return (
        SopStep(view.as_view())
        .Annotation(title=title(entry), description=entry.kegiatan)
        .Permission(permission)
    )


def start_step(sop, view):
    entry = sop.step(1)
    return (
        SopStart(view.as_view())
        .Annotation(title=title(entry), description=entry.kegiatan)
        .Permission(role_permission(entry.actor))
    )


def approved(node_name):
    """If-gate condition: the latest review of ``node_name`` in this process approved."""

    def condition(activation):
        review = (
            Review.objects.filter(process_id=activation.process.pk, node=node_name).order_by("-created", "-pk").first()
        )
        return review is not None and review.decision == Review.APPROVE

    return condition
