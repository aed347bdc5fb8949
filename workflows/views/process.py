from django.http import HttpResponse
from viewflow.workflow import chart
from viewflow.workflow.flow import views as flow_views
from viewflow.workflow.flow.viewset import FlowAppViewset

from ..assignment import supervises
from ..catalogue import hook
from ..models import SopProcess
from .actions import (
    AuditedBulkAssignView,
    AuditedBulkUnassignView,
    AuditedCancelProcessView,
)
from ..sla import control_sheet_context as control_sheet
from .base import process_history
from .lists import ArchiveView, DashboardView, InboxView, ProcessListView, QueueView, TaskListView


class ProcessDetailView(flow_views.DetailProcessView):
    template_name = "workflows/process_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        process = SopProcess.objects.select_related("organisation").get(pk=self.object.pk)
        open_tasks = context["task_list"].filter(flow_task_type="HUMAN", status__in=["NEW", "ASSIGNED"])
        context.update(
            control_sheet(process),
            sop_process=process,
            sop=process.catalogue,
            open_tasks=open_tasks.select_related("owner"),
            signed_documents=process.signed_documents.all(),
            history=process_history(process),
            reviews=process.reviews.select_related("author"),
            returns=sum(1 for review in process.reviews.all() if review.is_return),
            instructions=process.instructions.select_related("author").prefetch_related("assignees"),
            can_manage=self.flow_class.instance.has_manage_permission(self.request.user),
        )
        # The open tasks this user may hand to another officer (a supervisor or the org's admin).
        context["reassignable"] = {
            task.pk for task in context["open_tasks"] if supervises(self.request.user, task, process.coerced)
        }
        # The SOP's own section of the page (its step outputs), from its package's hooks.
        own_context = hook(process.sop, "process_context")
        if own_context is not None:
            context.update(own_context(process))
        context["sop_template"] = hook(process.sop, "process_template")
        context["sop_documents_template"] = hook(process.sop, "process_documents_template")
        return context


class ProcessChartView(flow_views.FlowChartView):
    """The flow chart; on a process, each node coloured by its latest task.

    viewflow's own colouring never lets a reopened (NEW) task override an earlier status, so
    after a return the step being redone still showed as done.
    """

    def get(self, request, *args, **kwargs):
        process_pk = kwargs.get("process_pk")
        if process_pk is None or request.GET.get("format") == "bpmn":
            return super().get(request, *args, **kwargs)
        grid = chart.calc_layout_data(self.flow_class)
        tasks = self.flow_class.task_class._default_manager.filter(process_id=process_pk).order_by("created", "pk")
        for task in tasks:
            if task.flow_task in grid.nodes:
                grid[task.flow_task].status = task.status
        return HttpResponse(chart.grid_to_svg(grid), content_type="image/svg+xml")


class SopFlowAppViewset(FlowAppViewset):
    """A flow app whose every page stays inside the user's organisation."""

    chart_view_class = ProcessChartView
    process_detail_view_class = ProcessDetailView
    process_list_view_class = ProcessListView
    process_cancel_view_class = AuditedCancelProcessView
    task_list_view_class = TaskListView
    dashboard_view_class = DashboardView
    inbox_view_class = InboxView
    queue_view_class = QueueView
    archive_view_class = ArchiveView
    tasks_assign_view_class = AuditedBulkAssignView
    tasks_unassign_view_class = AuditedBulkUnassignView

    def __init__(self, flow_class, **kwargs):
        # The registry names the URL segment (/population/, ...): viewflow mounts a flow at its
        # app_name, which it otherwise derives from the class name.
        flow_class.app_name = flow_class.sop.url_prefix
        kwargs.setdefault("icon", flow_class.sop.icon)
        # A flow may draw its own process chart (the authored-SOP interpreter draws the version's steps).
        chart_view = getattr(flow_class, "chart_view_class", None)
        if chart_view is not None:
            self.chart_view_class = chart_view
        super().__init__(flow_class, **kwargs)
