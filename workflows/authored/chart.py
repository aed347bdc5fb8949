"""The process chart of an authored SOP: the pinned version's steps, not the interpreter's loop."""

from django.http import HttpResponse
from django.utils.translation import gettext as _
from viewflow.workflow.status import STATUS

from workflows import charts
from workflows.models import SopProcess
from workflows.views.process import ProcessChartView


class AuthoredChartView(ProcessChartView):
    def get(self, request, *args, **kwargs):
        process_pk = kwargs.get("process_pk")
        if process_pk is None or request.GET.get("format") == "bpmn":
            return super().get(request, *args, **kwargs)
        process = SopProcess.objects.get(pk=process_pk)
        sop = process.catalogue
        states = {}
        tasks = self.flow_class.task_class._default_manager.filter(process_id=process_pk).order_by("created", "pk")
        for task in tasks:
            step = sop.step_for_task(task)
            if step is None or task.status == STATUS.CANCELED:
                continue
            states[step.number] = "done" if task.status == STATUS.DONE else "open"
        svg = charts.step_chart(sop.steps, states, title=_("Bagan alur %(name)s") % {"name": sop.name})
        return HttpResponse(svg, content_type="image/svg+xml")
