"""viewflow's task and process actions: each answers its confirmation page (GET) exactly as it
would answer the action (POST), and is written to the audit trail.

Undo, revive and cancel (of a task or of the process) need viewflow's manage permission, which
only the organisation's administrators hold (``workflows.permissions``); on a sealed process
(signed report or archive) they are refused with a 409 page, and every refused attempt is
audited too (``workflows.middleware.TaskConflictMiddleware`` records those refused with 403).
"""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from viewflow.workflow.flow.views import actions
from viewflow.workflow.status import PROCESS

from ..catalogue import step_of_task
from ..models import AuditEvent
from ..permissions import sealed_reason
from .lists import organisation_tasks


def refused(request, process, task, what, reason):
    """The 409 page of a refused undo/revive/cancel; a POST attempt is audited."""
    if request.method == "POST":
        AuditEvent.record(
            AuditEvent.Action.MANAGE_REFUSED, request.user, process, task, detail=f"{what}: {reason}"
        )
        message = _(
            "%(what)s ditolak. %(reason)s Tidak ada yang diubah; percobaan ini dicatat di jejak audit."
        )
    else:
        message = _("%(what)s tidak dapat dilakukan. %(reason)s")
    message = message % {"what": what, "reason": reason}
    namespace = request.resolver_match.namespaces[0] if request.resolver_match.namespaces else None
    process_url = None
    if namespace:
        process_url = reverse(f"{namespace}:process_detail", kwargs={"process_pk": process.pk})
    return render(
        request, "workflows/action_refused.html", {"message": message, "process_url": process_url}, status=409
    )


class TransitionGuardMixin:
    """The confirmation page answers like the action: unless the transition is open from the
    task's current status and permitted to this user, GET and POST both raise PermissionDenied
    (a 403, or the conflict page when someone else got there first)."""

    transition = None

    def dispatch(self, request, *args, **kwargs):
        method = getattr(request.activation, self.transition)
        if not (method.can_proceed() and method.has_perm(request.user)):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class ManageTaskActionMixin(TransitionGuardMixin):
    """Undo, revive or cancel one task: never on a sealed process; audited when done.

    viewflow checks the manage permission before this view runs, and holds the process lock
    and a transaction around POSTs, so the seal is checked under the same lock that signing
    and archiving take.
    """

    audit_action = None
    label = ""

    def dispatch(self, request, *args, **kwargs):
        activation = request.activation
        reason = sealed_reason(activation.process)
        if reason:
            what = self.describe(activation.task)
            return refused(request, activation.process, activation.task, what, reason)
        return super().dispatch(request, *args, **kwargs)

    def describe(self, task):
        return describe_task_action(self.label, task)

    def form_valid(self, *args, **kwargs):
        activation = self.request.activation
        response = super().form_valid(*args, **kwargs)
        AuditEvent.record(self.audit_action, self.request.user, activation.process, activation.task)
        return response


def describe_task_action(label, task):
    """The action and its step, e.g. Mengurungkan langkah 9 (...); gates and the end by title."""
    step = step_of_task(task)
    if step is not None:
        return _("%(action)s langkah %(number)s (%(title)s)") % {
            "action": label, "number": step.number, "title": step.title,
        }
    return _("%(action)s tugas %(title)s") % {"action": label, "title": task.flow_task.task_title}


def claim_task(activation, user):
    """``user`` takes the task: the claim button and the API's ``claim`` both, inside the flow
    lock their callers hold, once the transition is open and permitted to ``user``."""
    activation.assign(user)
    AuditEvent.record(AuditEvent.Action.ASSIGN, user, activation.process, activation.task)


class AuditedAssignTaskView(TransitionGuardMixin, actions.AssignTaskView):
    transition = "assign"

    def form_valid(self, *args, **kwargs):
        claim_task(self.request.activation, self.request.user)
        # viewflow's own form_valid would assign again: go on from its parents (message, redirect).
        return super(actions.AssignTaskView, self).form_valid(*args, **kwargs)


class AuditedUnassignTaskView(TransitionGuardMixin, actions.UnassignTaskView):
    transition = "unassign"

    def form_valid(self, *args, **kwargs):
        activation = self.request.activation
        previous_owner = activation.task.owner
        response = super().form_valid(*args, **kwargs)
        detail = "" if previous_owner == self.request.user else str(previous_owner)
        AuditEvent.record(
            AuditEvent.Action.UNASSIGN, self.request.user, activation.process, activation.task, detail
        )
        return response


class AuditedCancelTaskView(ManageTaskActionMixin, actions.CancelTaskView):
    transition = "cancel"
    audit_action = AuditEvent.Action.CANCEL_TASK
    label = gettext_lazy("Membatalkan")


class AuditedUndoTaskView(ManageTaskActionMixin, actions.UndoTaskView):
    transition = "undo"
    audit_action = AuditEvent.Action.UNDO_TASK
    label = gettext_lazy("Mengurungkan")


class AuditedReviveTaskView(ManageTaskActionMixin, actions.ReviveTaskView):
    transition = "revive"
    audit_action = AuditEvent.Action.REVIVE_TASK
    label = gettext_lazy("Menghidupkan kembali")


class AuditedCancelProcessView(actions.CancelProcessView):
    """Cancel the whole process: the organisation's admin only (viewflow's dispatch checks the
    manage permission), never once finished, cancelled or sealed, always audited."""

    def dispatch(self, request, *args, **kwargs):
        if request.method == "POST":
            # The same lock as every step: the seal cannot appear between check and cancel.
            with self.flow_class.lock(kwargs["process_pk"]), transaction.atomic():
                return super().dispatch(request, *args, **kwargs)
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        return self.refusal() or super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        response = self.refusal()
        if response is not None:
            return response
        response = super().post(request, *args, **kwargs)
        self.object.refresh_from_db()
        if self.object.status == PROCESS.CANCELED and "_cancel_process" in request.POST:
            AuditEvent.record(AuditEvent.Action.CANCEL_PROCESS, request.user, self.object)
        return response

    def refusal(self):
        what = _("Membatalkan proses #%(pk)s") % {"pk": self.object.pk}
        if self.object.status == PROCESS.DONE:
            return refused(self.request, self.object, None, what, _("Proses ini sudah selesai."))
        if self.object.status == PROCESS.CANCELED:
            return refused(self.request, self.object, None, what, _("Proses ini sudah dibatalkan."))
        reason = sealed_reason(self.object)
        if reason:
            return refused(self.request, self.object, None, what, reason)
        return None


class ScopedBulkMixin:
    """Bulk actions address tasks by pk from the POST body: keep them in the user's organisation.

    When one of the chosen tasks was claimed, released or completed by someone else since the
    list was shown, viewflow refuses the whole action (PermissionDenied, nothing changed): that
    is a lost race, answered with the conflict page naming the task, like a single claim.
    """

    audit_action = None
    conflict_action = None

    def get_queryset(self):
        return organisation_tasks(super().get_queryset(), self.request.user)

    def form_valid(self, form):
        tasks = list(self.get_queryset())
        try:
            response = super().form_valid(form)
        except PermissionDenied:
            response = self.conflict([task.pk for task in tasks])
            if response is None:
                raise
            return response
        for task in tasks:
            AuditEvent.record(self.audit_action, self.request.user, task.process, task)
        return response

    def conflict(self, pks):
        from viewflow.workflow.models import Task

        from ..middleware import conflict_message

        for task in Task.objects.filter(pk__in=pks).select_related("owner").order_by("pk"):
            message = conflict_message(task, self.request.user, self.conflict_action)
            if message:
                message = _("Tugas #%(pk)s (%(title)s): %(message)s") % {
                    "pk": task.pk, "title": task.flow_task.task_title, "message": message,
                }
                return render(self.request, "workflows/task_conflict.html", {"message": message}, status=409)
        return None


class AuditedBulkAssignView(ScopedBulkMixin, actions.BulkAssignTasksActionView):
    audit_action = AuditEvent.Action.ASSIGN
    conflict_action = "assign"


class AuditedBulkUnassignView(ScopedBulkMixin, actions.BulkUnassignTasksActionView):
    audit_action = AuditEvent.Action.UNASSIGN
    conflict_action = "unassign"
