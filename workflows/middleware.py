from django.http import Http404

from .models import SopProcess


def url_extra(request):
    """What viewflow's resolver attached to the matched URL: its ``flow`` and, for task URLs, ``node``."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        return {}
    return getattr(match.url_name, "extra", None) or {}


def same_node(flow_task, node):
    return (
        flow_task is not None
        and node is not None
        and flow_task.flow_class is node.flow_class
        and flow_task.name == node.name
    )


class OrganisationScopeMiddleware:
    """Every URL that names a process (and task) answers only inside the user's organisation,
    and only for its own flow and node.

    viewflow lets anyone with a flow's view permission open any process of that flow and
    addresses tasks by their own primary key; checking the resolved ``process_pk``/``task_pk``
    here closes that for every process-level view at once: detail, charts, task pages,
    actions and downloads. Other organisations' processes answer 404, as if they did not exist.

    viewflow's task views load the task by pk and check only that the user may act on it, not
    that the URL's node is the task's node, so the owner of any open task could run another
    step's form (or assign/undo/cancel view) on it. A task URL therefore answers 404 unless
    its flow and node are the task's own; a process URL, unless its flow is the process's.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        process_pk = view_kwargs.get("process_pk")
        if process_pk is None or not request.user.is_authenticated:
            return None
        processes = SopProcess.objects.for_user(request.user).filter(pk=process_pk)
        process = processes.only("pk", "flow_class").first()
        if process is None:
            raise Http404
        extra = url_extra(request)
        flow = extra.get("flow")
        if flow is not None and process.flow_class is not type(flow):
            raise Http404
        task_pk = view_kwargs.get("task_pk")
        if task_pk is not None:
            from viewflow.workflow.models import Task

            task = Task.objects.filter(pk=task_pk, process_id=process_pk).only("pk", "flow_task").first()
            # A URL naming a task but no node (none of viewflow's) is refused too: deny by default.
            if task is None or not same_node(task.flow_task, extra.get("node")):
                raise Http404
        return None


# The task URLs an officer works a step through; a refusal there is often a lost race.
WORK_ACTIONS = frozenset({"execute", "assign", "unassign"})
# viewflow's manage actions: the organisation's admin only; a refused POST is audited.
MANAGE_ACTIONS = frozenset({"undo", "revive", "cancel", "process_cancel"})


def _who(user):
    return user.get_full_name() or user.username


def conflict_message(task, user, action):
    """Why ``user``'s claim, release or submission of ``task`` found it no longer as they saw
    it, or None when it is a plain refusal (an officer who could never have done this).

    The state is the task's as committed by whoever got there first: completed, cancelled,
    claimed by a colleague (even if not yet completed), released back to the queue, or being
    submitted from the same officer's other window.
    """
    from django.utils.translation import gettext as _
    from viewflow.workflow.status import STATUS

    from .permissions import can_release

    holds_it = task.owner_id is not None and task.owner_id == user.pk
    could_have = (
        not task.owner_permission
        or user.has_perm(task.owner_permission)
        or (action == "unassign" and can_release(user, task))
    )
    if not (holds_it or could_have):
        return None
    if task.status == STATUS.DONE:
        who = _who(task.owner) if task.owner else _("pengguna lain")
        message = _("Tugas ini sudah diselesaikan oleh %(who)s. Tidak ada yang diubah oleh kiriman Anda.")
        return message % {"who": who}
    if task.status in (STATUS.CANCELED, STATUS.REVIVED):
        return _("Tugas ini sudah dibatalkan. Tidak ada yang diubah oleh kiriman Anda.")
    if holds_it:
        if task.status == STATUS.STARTED:
            return _(
                "Tugas ini sedang diproses dari kiriman Anda yang lain (jendela atau tab lain). "
                "Tunggu hingga selesai, lalu buka kotak masuk; kiriman ini tidak mengubah apa pun."
            )
        if action == "assign":
            return _(
                "Tugas ini sudah Anda ambil (dari jendela atau tab lain). "
                "Buka tugasnya dari kotak masuk Anda."
            )
        return None
    if task.owner_id is not None:
        return _(
            "Tugas ini sudah diambil oleh %(who)s, sehingga kiriman Anda tidak diproses. "
            "Tidak ada yang diubah."
        ) % {"who": _who(task.owner)}
    if task.status == STATUS.NEW and action != "assign":
        return _(
            "Tugas ini sudah dilepaskan dan kembali ke antrean, sehingga kiriman Anda tidak diproses. "
            "Ambil tugasnya dari antrean untuk mengerjakannya."
        )
    return None


class TaskConflictMiddleware:
    """Turns "someone else got there first" into a clear 409 page instead of a bare 403/500,
    and audits refused manage actions.

    When officers claim, release or complete the same task at once, viewflow's lock lets one
    through; the others find the task no longer as they saw it (TransitionNotAllowed or a
    failed ownership check, both surfaced as PermissionDenied) or, on PostgreSQL, cannot get
    the process lock in time (FlowLockFailed). Each loser gets the 409 page saying what
    happened; a PermissionDenied that is no race (a role that may not do the step) stays 403.
    A refused POST to undo/revive/cancel (not the organisation's admin, or not possible from
    the task's status) is written to the audit trail.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        from django.core.exceptions import PermissionDenied
        from django.shortcuts import render
        from django.utils.translation import gettext as _
        from viewflow.workflow.exceptions import FlowLockFailed
        from viewflow.workflow.models import Task

        from .models.acting import routine_refusal

        match = request.resolver_match
        if match is None or "process_pk" not in match.kwargs:
            return None
        if isinstance(exception, PermissionDenied) and match.url_name in MANAGE_ACTIONS:
            self.audit_refused_manage_action(request, match)
            return None
        task_pk = match.kwargs.get("task_pk")
        if task_pk is None:
            return None
        if isinstance(exception, FlowLockFailed):
            message = _("Proses ini sedang diperbarui oleh pengguna lain. Tunggu sebentar lalu coba lagi; "
                        "isian Anda belum tersimpan.")
        elif isinstance(exception, PermissionDenied) and match.url_name in WORK_ACTIONS:
            task = Task.objects.filter(pk=task_pk).select_related("owner").first()
            message = conflict_message(task, request.user, match.url_name) if task is not None else None
            if message is None:
                # A Plh on a step outside the position's routine authority: 403 with the reason.
                reason = routine_refusal(request.user, task) if task is not None else None
                if reason:
                    return render(request, "403.html", {"message": reason}, status=403)
                return None
        else:
            return None
        context = {"message": message, "process_pk": match.kwargs.get("process_pk")}
        return render(request, "workflows/task_conflict.html", context, status=409)

    def audit_refused_manage_action(self, request, match):
        from django.utils.translation import gettext as _
        from viewflow.workflow.models import Task

        from .models import AuditEvent

        if request.method != "POST" or not request.user.is_authenticated:
            return
        process_pk = match.kwargs["process_pk"]
        process = SopProcess.objects.filter(pk=process_pk).first()
        task = Task.objects.filter(pk=match.kwargs.get("task_pk"), process_id=process_pk).first()
        if process is None:
            return
        flow = process.flow_class.instance
        if not flow.has_manage_permission(request.user):
            reason = _("hanya administrator organisasi yang boleh melakukannya")
        else:
            reason = _("tidak dapat dilakukan pada status tugas atau proses saat ini")
        what = {
            "undo": _("mengurungkan tugas"),
            "revive": _("menghidupkan kembali tugas"),
            "cancel": _("membatalkan tugas"),
            "process_cancel": _("membatalkan proses"),
        }[match.url_name]
        AuditEvent.record(
            AuditEvent.Action.MANAGE_REFUSED, request.user, process, task, detail=f"{what}: {reason}"
        )
