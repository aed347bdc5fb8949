"""viewflow's list pages, kept inside the user's organisation."""

from django.db.models import F, Q
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from viewflow.workflow import STATUS, chart
from viewflow.workflow.fields import get_task_ref
from viewflow.workflow.flow import views as flow_views
from viewflow.workflow.flow.views import filters as flow_filters

from .. import sla


def user_organisation_id(user):
    officer = getattr(user, "officer", None)
    return officer.organisation_id if officer else None


def organisation_tasks(queryset, user):
    if user.is_superuser:
        return queryset
    return queryset.filter(process__sopprocess__organisation_id=user_organisation_id(user))


def organisation_processes(queryset, user):
    if user.is_superuser:
        return queryset
    return queryset.filter(organisation_id=user_organisation_id(user))


class TaskScopeMixin:
    def get_queryset(self):
        return organisation_tasks(super().get_queryset(), self.request.user)


class UserTaskListMixin(TaskScopeMixin):
    """Inbox and queue rows name the process and period rather than the step's long text, show
    each task's due moment and SLA status, and put the most urgent (earliest due) first."""

    columns = ("task_id", "task_title", "process_brief", "due", "sla_status", "created")

    def get_queryset(self):
        queryset = super().get_queryset().select_related("process__sopprocess__organisation", "sla")
        if self.ordering_kwarg not in self.request.GET:
            queryset = queryset.order_by(F("sla__due").asc(nulls_last=True), "-created")
        return queryset

    def process_brief(self, task):
        return task.process.sopprocess.brief

    process_brief.short_description = _("Proses")

    def _sla(self, task):
        return getattr(task, "sla", None)  # tasks created before deadlines existed have none

    def due(self, task):
        row = self._sla(task)
        return sla.format_moment(row.due, task.process.sopprocess.organisation.timezone) if row else "—"

    due.short_description = _("Batas waktu")
    due.orderby_column = "sla__due"

    def sla_status(self, task):
        row = self._sla(task)
        return sla.badge(row.status(self.now) if row else None)

    sla_status.short_description = _("Status waktu")

    @property
    def now(self):
        # One "now" per page, so two rows due at the same moment never disagree.
        if not hasattr(self, "_now"):
            self._now = timezone.now()
        return self._now


def task_label(task):
    """A task's step title: the step the task carries (an authored SOP's one node carries every
    step, ``data["title"]``), else its node's title."""
    data = task.data if isinstance(task.data, dict) else {}
    return data.get("title") or task.flow_task.task_title


def step_choices(queryset):
    """The step filter's choices by the steps' titles (viewflow shows "SOP A · .../Correct_Ok")."""
    nodes = queryset.order_by().values_list("flow_task", flat=True).distinct()
    return sorted(((get_task_ref(node), str(node.task_title)) for node in nodes if node), key=lambda choice: choice[1])


class StepChoicesMixin:
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["flow_task"].field.choices = step_choices(self.queryset)


class UserTaskFilter(StepChoicesMixin, flow_filters.FlowUserTaskListFilter):
    pass


class ArchiveFilter(StepChoicesMixin, flow_filters.FlowArchiveListFilter):
    pass


class TaskListFilter(StepChoicesMixin, flow_filters.DashboardTaskListViewFilter):
    pass


class InboxView(UserTaskListMixin, flow_views.FlowInboxListView):
    filterset_class = UserTaskFilter


class QueueView(UserTaskListMixin, flow_views.FlowQueueListView):
    filterset_class = UserTaskFilter


# viewflow titles a column by its attribute's name when it has no short_description ("Brief",
# "Process summary", "Process id", "Active tasks"), and shows a gate's node name ("Correct Ok");
# every column below is named in Indonesian and shows the step's title.


def _process_link(view, task):
    # Every list is one SOP's: the period tells its processes apart (the SOP's name would be cut).
    url = view.request.resolver_match.flow_viewset.reverse("process_detail", args=[task.process_id])
    return format_html('<a href="{}">#{} {}</a>', url, task.process_id, task.process.sopprocess.case_label)


class ArchiveView(TaskScopeMixin, flow_views.FlowArchiveListView):
    columns = ("task_id", "task_title", "process_summary", "created", "finished")
    filterset_class = ArchiveFilter

    def get_queryset(self):
        return super().get_queryset().select_related("process__sopprocess")

    def task_title(self, task):
        return task_label(task)

    task_title.short_description = _("Langkah")

    def process_summary(self, task):
        return _process_link(self, task)

    process_summary.short_description = _("Proses")


class TaskListView(TaskScopeMixin, flow_views.DashboardTaskListView):
    """Every officer-facing task of the flow (gates and the end node are the engine's own)."""

    columns = ("task_id", "flow_task", "process_summary", "status", "created", "holder")
    filterset_class = TaskListFilter

    def get_queryset(self):
        return (
            super().get_queryset()
            .filter(flow_task_type__in=["HUMAN", "HUMAN_START"])
            .select_related("process__sopprocess", "owner")
        )

    def flow_task(self, task):
        return task_label(task)

    flow_task.short_description = _("Langkah")

    def process_summary(self, task):
        return _process_link(self, task)

    process_summary.short_description = _("Proses")

    def status(self, task):
        return task.get_status_display()

    status.short_description = _("Status")

    def holder(self, task):
        return (task.owner.get_full_name() or task.owner.get_username()) if task.owner else "—"

    holder.short_description = _("Pemegang")


class ProcessListView(flow_views.DashboardProcessListView):
    columns = ("process_id", "period", "status", "created", "finished", "active_tasks")

    def get_queryset(self):
        queryset = organisation_processes(super().get_queryset(), self.request.user)
        # viewflow's annotate() drops the default ordering; pagination needs one.
        return queryset if queryset.ordered else queryset.order_by("-pk")

    def process_id(self, process):
        return super().process_id(process)

    process_id.short_description = _("No.")

    def period(self, process):
        url = self.request.resolver_match.flow_viewset.reverse("process_detail", args=[process.pk])
        return format_html('<a href="{}">{}</a>', url, process.case_label)

    period.short_description = _("Periode / perihal")

    def status(self, process):
        return process.get_status_display()

    status.short_description = _("Status")

    def active_tasks(self, process):
        return number_format(process.active_tasks_count, force_grouping=True)

    active_tasks.short_description = _("Tugas terbuka")


class DashboardView(flow_views.DashboardView):
    """viewflow's kanban dashboard, with every column limited to the user's organisation."""

    def get_context_data(self, **kwargs):
        sorted_nodes, _ = chart.topsort(self.flow_class)
        user = self.request.user
        manager = self.flow_class.task_class._default_manager
        available = organisation_tasks(manager.filter_available([self.flow_class], user), user)
        columns = []
        for node in sorted_nodes:
            if node.task_type not in ["HUMAN", "JOB", "SUBPROCESS"]:
                continue
            tasks = list(available.filter(Q(finished__isnull=True) | Q(status=STATUS.ERROR), flow_task=node)[: self.MAX_ROWS])
            carried = {}
            for task in tasks:
                if isinstance(task.data, dict) and task.data.get("title"):
                    carried.setdefault(task.data["title"], []).append(task)
            if carried:
                # One node carrying many steps (the authored-SOP interpreter): a column per step.
                for title in sorted(carried, key=lambda text: int(text.split(".")[0]) if text.split(".")[0].isdigit() else 0):
                    columns.append({"node": node, "node_ref": get_task_ref(node), "title": title, "tasks": carried[title]})
            else:
                columns.append({"node": node, "node_ref": get_task_ref(node), "tasks": tasks})
        end_nodes = [node for node in sorted_nodes if node.task_type in ["END"]]
        start_nodes = [
            {"node": node, "can_execute": node.can_execute(user)}
            for node in self.flow_class.instance.get_start_nodes()
        ]
        finished = available.filter(finished__isnull=False, flow_task__in=end_nodes)[: self.MAX_ROWS]
        # Skip viewflow's own get_context_data (it would query unscoped) but keep TemplateView's.
        context = super(flow_views.DashboardView, self).get_context_data(**kwargs)
        context.update(columns=columns, start_nodes=start_nodes, end_nodes=end_nodes, finished=finished)
        return context
