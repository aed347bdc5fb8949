"""The page of a built-in SOP: its identity, its steps with the Waktu in force in the organisation,
its document and workbook, and where to start it. (An organisation's own SOPs have theirs in
``workflows/authored``; the list of SOP Organisasi shows both.)"""

from django.conf import settings
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views import View

from .. import sla
from ..catalogue import SOPS
from ..permissions import AUTHOR_SOP


def sop_page_sections(organisation, sop_code, user):
    """What every SOP's page shows below its own part: the monitoring figures of the current
    period (the same chart as the monitoring form and the dashboard) and the evaluations."""
    from ..models import SopEvaluation
    from ..monitoring import default_period, monitoring_form
    from ..reports.monitoring import step_chart

    form = monitoring_form(organisation, sop_code, default_period(organisation, sop_code))
    return {
        "sop_code": sop_code, "can_evaluate": user.has_perm(AUTHOR_SOP),
        "monitoring": form, "monitoring_chart": step_chart(form) if form else "",
        "evaluations": SopEvaluation.objects.of_sop(organisation, sop_code).select_related(
            "created_by", "resulting_version"),
    }


class BuiltinSopMixin:
    def dispatch(self, request, code, *args, **kwargs):
        from ..authored.editor import show_in_site_menu

        officer = getattr(request.user, "officer", None)
        self.sop = SOPS.get(code)
        if officer is None or self.sop is None:
            raise Http404
        self.organisation = officer.organisation
        show_in_site_menu(request)
        return super().dispatch(request, code, *args, **kwargs)


class BuiltinSopView(BuiltinSopMixin, View):
    def get(self, request, code):
        from ..models import WaktuOverride

        waktu = sla.waktu_table(self.organisation.pk, self.sop)
        overridden = set(
            WaktuOverride.objects.filter(organisation=self.organisation, sop=self.sop.code).values_list("step_number", flat=True)
        )
        steps = [
            {"step": step, "waktu": sla.waktu_label(*waktu[step.number]), "overridden": step.number in overridden}
            for step in self.sop.steps
        ]
        return render(request, "workflows/builtin_sop.html", {
            "sop": self.sop, "organisation": self.organisation, "steps": steps,
            "nomor": self.organisation.sop_nomor(self.sop),
            "start_url": f"/{self.sop.url_prefix}/start/", "can_author": request.user.has_perm(AUTHOR_SOP),
            **sop_page_sections(self.organisation, self.sop.code, request.user),
        })


class BuiltinSopDocumentView(BuiltinSopMixin, View):
    """The built-in SOP's document (Permenpan RB 35/2012 layout), as PDF."""

    def get(self, request, code):
        from ..reports.sop_document import render_sop_document

        pdf = render_sop_document(self.sop, self.organisation, paper=settings.SOPFLOW_SOP_PAPER)
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="sop-{self.sop.code.lower()}.pdf"'
        return response
