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
