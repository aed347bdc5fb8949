"""viewflow's task and process actions, each also written to the audit trail."""

from viewflow.workflow.flow.views import actions

from viewflow.workflow.status import PROCESS

from ..models import AuditEvent
from .lists import organisation_tasks


class AuditedAssignTaskView(actions.AssignTaskView):
    def form_valid(self, *args, **kwargs):
        response = super().form_valid(*args, **kwargs)
        activation = self.request.activation
        AuditEvent.record(AuditEvent.Action.ASSIGN, self.request.user, activation.process, activation.task)
        return response


class AuditedUnassignTaskView(actions.UnassignTaskView):
    def form_valid(self, *args, **kwargs):
        activation = self.request.activation
        previous_owner = activation.task.owner
        response = super().form_valid(*args, **kwargs)
        detail = "" if previous_owner == self.request.user else str(previous_owner)
        AuditEvent.record(AuditEvent.Action.UNASSIGN, self.request.user, activation.process, activation.task, detail)
        return response


class AuditedCancelTaskView(actions.CancelTaskView):
    def form_valid(self, *args, **kwargs):
        response = super().form_valid(*args, **kwargs)
        activation = self.request.activation
        AuditEvent.record(AuditEvent.Action.CANCEL_TASK, self.request.user, activation.process, activation.task)
        return response


class AuditedCancelProcessView(actions.CancelProcessView):
    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        self.object.refresh_from_db()
        if self.object.status == PROCESS.CANCELED and "_cancel_process" in request.POST:
            AuditEvent.record(AuditEvent.Action.CANCEL_PROCESS, request.user, self.object)
        return response


class ScopedBulkMixin:
    """Bulk actions address tasks by pk from the POST body: keep them in the user's organisation."""

    audit_action = None

    def get_queryset(self):
        return organisation_tasks(super().get_queryset(), self.request.user)

    def form_valid(self, form):
        tasks = list(self.get_queryset())
        response = super().form_valid(form)
        for task in tasks:
            AuditEvent.record(self.audit_action, self.request.user, task.process, task)
        return response


class AuditedBulkAssignView(ScopedBulkMixin, actions.BulkAssignTasksActionView):
    audit_action = AuditEvent.Action.ASSIGN


class AuditedBulkUnassignView(ScopedBulkMixin, actions.BulkUnassignTasksActionView):
    audit_action = AuditEvent.Action.UNASSIGN
