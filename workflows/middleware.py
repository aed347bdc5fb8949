from django.http import Http404

from .models import SopProcess


class OrganisationScopeMiddleware:
    """Every URL that names a process (and task) answers only inside the user's organisation.

    viewflow lets anyone with a flow's view permission open any process of that flow and
    addresses tasks by their own primary key; checking the resolved ``process_pk``/``task_pk``
    here closes that for every process-level view at once: detail, charts, task pages,
    actions and downloads. Other organisations' processes answer 404, as if they did not exist.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        process_pk = view_kwargs.get("process_pk")
        if process_pk is None or not request.user.is_authenticated:
            return None
        if not SopProcess.objects.for_user(request.user).filter(pk=process_pk).exists():
            raise Http404
        task_pk = view_kwargs.get("task_pk")
        if task_pk is not None:
            from viewflow.workflow.models import Task

            if not Task.objects.filter(pk=task_pk, process_id=process_pk).exists():
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
