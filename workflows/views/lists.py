"""viewflow's list pages, kept inside the user's organisation."""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from viewflow.workflow import STATUS, chart
from viewflow.workflow.fields import get_task_ref
from viewflow.workflow.flow import views as flow_views


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
    """Inbox and queue rows name the process and period rather than the step's long text."""

    columns = ("task_id", "task_title", "process_brief", "created")

    def get_queryset(self):
        return super().get_queryset().select_related("process__sopprocess")

    def process_brief(self, task):
        return task.process.sopprocess.brief

    process_brief.short_description = _("Proses")


class InboxView(UserTaskListMixin, flow_views.FlowInboxListView):
    pass


class QueueView(UserTaskListMixin, flow_views.FlowQueueListView):
    pass


class ArchiveView(TaskScopeMixin, flow_views.FlowArchiveListView):
    pass


class TaskListView(TaskScopeMixin, flow_views.DashboardTaskListView):
    pass


class ProcessListView(flow_views.DashboardProcessListView):
    def get_queryset(self):
        queryset = organisation_processes(super().get_queryset(), self.request.user)
        # viewflow's annotate() drops the default ordering; pagination needs one.
        return queryset if queryset.ordered else queryset.order_by("-pk")


class DashboardView(flow_views.DashboardView):
    """viewflow's kanban dashboard, with every column limited to the user's organisation."""

    def get_context_data(self, **kwargs):
        sorted_nodes, _ = chart.topsort(self.flow_class)
        user = self.request.user
        manager = self.flow_class.task_class._default_manager
        available = organisation_tasks(manager.filter_available([self.flow_class], user), user)
        columns = [
            {
                "node": node,
                "node_ref": get_task_ref(node),
                "tasks": available.filter(
                    Q(finished__isnull=True) | Q(status=STATUS.ERROR), flow_task=node
                )[: self.MAX_ROWS],
            }
            for node in sorted_nodes
            if node.task_type in ["HUMAN", "JOB", "SUBPROCESS"]
        ]
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
