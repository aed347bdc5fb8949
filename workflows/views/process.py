from django.db.models import Prefetch
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.views import View
from viewflow.workflow import chart
from viewflow.workflow.flow import views as flow_views
from viewflow.workflow.flow.viewset import FlowAppViewset

from ..models import AggregationRun, AuditEvent, DkbUpload, Evidence, SopProcess
from ..roles import Role
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
            team_decrees=process.team_decrees.prefetch_related("members"),
            dkb_uploads=process.dkb_uploads.select_related("uploaded_by").prefetch_related(Prefetch("runs", queryset=AggregationRun.objects.defer("result"))),
            draft_submissions=process.draft_submissions.select_related("author"),
            publications=process.publications.prefetch_related("distributions"),
            backups=process.backups.select_related("author"),
            utilization_entries=process.utilization_entries.select_related("opd").prefetch_related("evidence"),
            utilization_count=process.utilization_counts.order_by("-created").first(),
            evaluations=process.evaluations.select_related("author"),
            lakip=process.lakip_materials.order_by("-created").first(),
        )
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


# Who may download what: raw DKB extracts hold personal data, so only SOP A's officers.
DKB_READERS = {Role.KADIS, Role.KABID, Role.KASI, Role.TIM, Role.ADB}


def _stream(request, process, file_field, name, detail):
    if not file_field:
        raise Http404
    try:
        handle = file_field.open("rb")
    except FileNotFoundError:
        raise Http404(_("Berkas sudah tidak tersedia."))
    AuditEvent.record(AuditEvent.Action.DOWNLOAD, request.user, process, detail=detail)
    return FileResponse(handle, as_attachment=True, filename=name)


class DkbDownloadView(View):
    """The raw extract, to the SOP A officers of the process's organisation, audited."""

    def get(self, request, process_pk, upload_pk):
        upload = get_object_or_404(DkbUpload, pk=upload_pk, process_id=process_pk, purged_at__isnull=True)
        officer = getattr(request.user, "officer", None)
        if officer is None or not (officer.role_codes & DKB_READERS):
            raise Http404
        return _stream(request, upload.process, upload.file, upload.original_name, _("ekstrak DKB %(sha)s") % {"sha": upload.sha256[:16]})


class EvidenceDownloadView(View):
    def get(self, request, process_pk, evidence_pk):
        evidence = get_object_or_404(Evidence.objects.select_related("entry"), pk=evidence_pk, entry__process_id=process_pk)
        return _stream(
            request, evidence.entry.process, evidence.file, evidence.original_name,
            _("data dukung %(name)s") % {"name": evidence.original_name},
        )
