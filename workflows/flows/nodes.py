"""Flow building blocks that read the SOP catalogue, so flows only declare."""

from viewflow.workflow import flow

from ..models import Review
from ..permissions import role_permission, task_assignee_permission, task_role_permission
from ..views.actions import AuditedAssignTaskView, AuditedCancelTaskView, AuditedUnassignTaskView


class SopStep(flow.View):
    assign_view_class = AuditedAssignTaskView
    unassign_view_class = AuditedUnassignTaskView
    cancel_view_class = AuditedCancelTaskView


def title(step):
    return f"{step.number}. {step.title}"


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
        flow.Start(view.as_view())
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
