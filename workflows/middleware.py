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
        process = SopProcess.objects.for_user(request.user).filter(pk=process_pk).only("pk", "flow_class").first()
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


class TaskConflictMiddleware:
    """Turns "someone else got there first" into a clear 409 page instead of a bare 403/500.

    When two officers complete the same task at once, viewflow's lock lets one through; the
    other finds the task no longer open (TransitionNotAllowed, surfaced as PermissionDenied) or,
    on PostgreSQL, cannot get the process lock in time (FlowLockFailed).
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
        from viewflow.workflow.status import STATUS

        match = request.resolver_match
        task_pk = match.kwargs.get("task_pk") if match else None
        if task_pk is None:
            return None
        if isinstance(exception, FlowLockFailed):
            message = _("Proses ini sedang diperbarui oleh pengguna lain. Tunggu sebentar lalu coba lagi; "
                        "isian Anda belum tersimpan.")
        elif isinstance(exception, PermissionDenied):
            task = Task.objects.filter(pk=task_pk).select_related("owner").first()
            if task is None or task.status not in (STATUS.DONE, STATUS.CANCELED):
                return None
            who = task.owner.get_full_name() or task.owner.username if task.owner else _("pengguna lain")
            if task.status == STATUS.DONE:
                message = _("Tugas ini sudah diselesaikan oleh %(who)s. Tidak ada yang diubah oleh kiriman Anda.") % {"who": who}
            else:
                message = _("Tugas ini sudah dibatalkan. Tidak ada yang diubah oleh kiriman Anda.")
        else:
            return None
        return render(request, "workflows/task_conflict.html", {"message": message, "process_pk": match.kwargs.get("process_pk")}, status=409)
