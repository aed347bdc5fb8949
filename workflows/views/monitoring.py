"""The Formulir Monitoring Pelaksanaan SOP pages: the form of one SOP and period, the evaluator's
Penilaian, and its PDF and XLSX downloads.

Every officer of the organisation reads the form; its SOP administrators (``workflows.author_sop``)
and supervisors (``workflows.supervise``) write the Penilaian. Another organisation's SOP, an
unknown SOP and a user without an officer get 404. The downloads are not audited: they hold
aggregate figures of the organisation's own SOP, no personal data and no process's content.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, resolve, reverse
from django.utils.translation import gettext as _
from django.views import View

from ..catalogue import is_builtin
from ..models import Officer, Penilaian
from ..monitoring import Period, PeriodError, available_periods, default_period, monitoring_form, save_assessment
from ..permissions import AUTHOR_SOP, SUPERVISE
from ..reports.monitoring import monitoring_workbook, render_monitoring_pdf, step_chart
from ..reports.pdf import indonesian

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def can_assess(user):
    return user.has_perm(AUTHOR_SOP) or user.has_perm(SUPERVISE)


def show_in_site_menu(request, app_name):
    """Give this page (outside the viewflow Site) the Site's menu with ``app_name`` current."""
    match = request.resolver_match
    if match is None or getattr(match, "site", None) is not None:
        return
    try:
        extra = getattr(resolve(reverse(f"{app_name}:index")).url_name, "extra", {})
    except NoReverseMatch:
        return
    for name in ("site", "app", "viewset"):
        if name in extra:
            setattr(match, name, extra[name])


class MonitoringBase(View):
    def dispatch(self, request, code, *args, **kwargs):
        officer = Officer.objects.filter(user_id=request.user.pk).select_related("organisation").first()
        if officer is None:
            raise Http404
        if not is_builtin(code):
            from ..authored.models import SopDefinition

            definition = SopDefinition.objects.from_key(code)
            if definition is None or definition.organisation_id != officer.organisation_id:
                raise Http404
        self.officer, self.organisation, self.code = officer, officer.organisation, code
        self.can_assess = can_assess(request.user)
        return super().dispatch(request, code, *args, **kwargs)

    def form_for(self, period):
        form = monitoring_form(self.organisation, self.code, period)
        if form is None:
            raise Http404(_("SOP ini belum memiliki versi yang terbit."))
        return form


class MonitoringView(MonitoringBase):
    template_name = "workflows/monitoring/form.html"

    def period(self, text):
        """(period, error message or None); a bad text falls back to the default period."""
        if text:
            try:
                return Period.parse(text), None
            except PeriodError as error:
                return default_period(self.organisation, self.code), str(error)
        return default_period(self.organisation, self.code), None

    def get(self, request, code):
        period, error = self.period(request.GET.get("periode", ""))
        return self.page(request, period, error=error, status=400 if error else 200)

    def post(self, request, code):
        if not self.can_assess:
            return render(request, "403.html", {"message": _(
                "Hanya administrator SOP dan atasan (Kepala Dinas, Kepala Bidang, Kepala Seksi) yang boleh mengisi "
                "penilaian monitoring SOP."
            )}, status=403)
        period, error = self.period(request.POST.get("periode", "") or request.GET.get("periode", ""))
        if error:
            return self.page(request, period, error=error, status=400)
        form = self.form_for(period)
        key = request.POST.get("step", "")
        try:
            saved = save_assessment(form, key, request.POST.get("penilaian", ""), request.POST.get("note", ""),
                                    request.user)
        except ValidationError as problem:
            errors = [message for messages_ in problem.message_dict.values() for message in messages_] \
                if hasattr(problem, "error_dict") else problem.messages
            posted = {"step": key, "penilaian": request.POST.get("penilaian", ""), "note": request.POST.get("note", "")}
            return self.page(request, period, form=form, row_errors={key: errors}, posted=posted, status=400)
        row = form.row(key)
        if saved is None:
            messages.success(request, _("Penilaian evaluator langkah %(number)s dihapus; penilaian otomatis berlaku.")
                             % {"number": row.number})
        else:
            messages.success(request, _("Penilaian langkah %(number)s disimpan.") % {"number": row.number})
        return redirect(f"{reverse('sop_monitoring', args=[code])}?periode={period.slug}#langkah-{key}")

    def page(self, request, period, *, form=None, error=None, row_errors=None, posted=None, status=200):
        form = form or self.form_for(period)
        show_in_site_menu(request, "sla" if request.user.has_perm(SUPERVISE) else "sop_organisasi")
        periods = available_periods(self.organisation, self.code)
        if period not in periods:
            periods = [period, *periods]
        context = {
            "form": form,
            "organisation": self.organisation,
            "period": period,
            "periods": periods,
            "error": error,
            "row_errors": row_errors or {},
            "posted": posted or {},
            "can_assess": self.can_assess,
            "choices": Penilaian.choices,
            "chart": step_chart(form),
            "totals": form.totals,
            "pdf_url": reverse("sop_monitoring_pdf", args=[self.code, period.slug]),
            "xlsx_url": reverse("sop_monitoring_xlsx", args=[self.code, period.slug]),
            # The SOP administrator evaluates the period from these figures (views/evaluation.py).
            "evaluation_url": (
                f'{reverse("sop_evaluation_new", args=[self.code])}?periode={period.slug}'
                if request.user.has_perm(AUTHOR_SOP) else None
            ),
        }
        return render(request, self.template_name, context, status=status)


class MonitoringDownload(MonitoringBase):
    def period(self, text):
        try:
            return Period.parse(text)
        except PeriodError as error:
            raise Http404(str(error))

    def filename(self, form, suffix):
        return f"monitoring-sop-{form.sop.short_code.lower()}-{form.period.slug}.{suffix}"


class MonitoringPdfView(MonitoringDownload):
    def get(self, request, code, periode):
        with indonesian():  # the printed form is Indonesian whatever the officer's UI language
            form = self.form_for(self.period(periode))
            pdf = render_monitoring_pdf(form, evaluator=self.officer if self.can_assess else None)
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{self.filename(form, "pdf")}"'
        return response


class MonitoringXlsxView(MonitoringDownload):
    def get(self, request, code, periode):
        with indonesian():
            form = self.form_for(self.period(periode))
            response = HttpResponse(monitoring_workbook(form), content_type=XLSX_CONTENT_TYPE)
        response["Content-Disposition"] = f'attachment; filename="{self.filename(form, "xlsx")}"'
        return response
