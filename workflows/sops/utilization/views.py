"""SOP B task pages (Pengumpulan dan Penghitungan Data Kinerja Pemanfaatan Data Kependudukan)."""

from decimal import Decimal

from django import forms as django_forms
from django.contrib import messages
from django.http import HttpResponseRedirect
from django.utils.translation import gettext as _

from workflows.models import SopProcess
from workflows.views.base import ReviewStepView, StartView, StepView, record_instruction
from workflows.views.signing import SigningStepMixin

from . import forms
from .definition import SOP_B
from .models import (
    PERCENT_DECIMALS, Evaluation, Evidence, LakipMaterial, UtilizationCount, UtilizationEntry, utilization_figures,
)
from .report import LAKIP_TITLE, REPORT_TITLE, lakip_cover_title, render_lakip, render_utilization_report, report_cover_title


class StartUtilizationView(StartView):
    form_class = forms.StartUtilizationForm
    sop = SOP_B

    def fill_process(self, process, form):
        process.year = form.cleaned_data["year"]
        process.period_type = form.cleaned_data["period_type"]
        process.period_number = form.cleaned_data["period_number"]


class ScheduledDispositionView(StepView):
    """Step 1 when a schedule started the period: the Kabid gives the disposition from the queue."""

    form_class = forms.DispositionForm

    def perform(self, form):
        record_instruction(self.request.activation, self.request.user, form.cleaned_data["text"])


class InstructStaffView(StepView):
    form_class = forms.InstructStaffForm

    def extra_form_kwargs(self):
        return {"organisation": self.process.organisation}

    def perform(self, form):
        record_instruction(
            self.request.activation, self.request.user, form.cleaned_data["text"], form.cleaned_data["staff"]
        )


class FillListView(StepView):
    """Step 3: rows are added (and removed) one at a time and saved at once, so nothing typed
    is lost; "Kirim daftar" completes the step when the list has at least one row."""

    form_class = forms.UtilizationEntryForm
    template_name = "workflows/utilization/fill_list.html"
    max_upload_bytes = forms.EVIDENCE_UPLOAD_LIMIT  # per file, enforced while it streams in

    def extra_form_kwargs(self):
        return {"organisation": self.process.organisation}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["entries"] = self.process.utilization_entries.select_related("opd").prefetch_related("evidence")
        context["submit_form"] = kwargs.get("submit_form") or django_forms.Form()
        return context

    def post(self, request, *args, **kwargs):
        action = request.POST.get("action")
        if action == "delete":
            from workflows.models import AuditEvent

            entry = self.process.utilization_entries.filter(pk=request.POST.get("entry")).select_related("opd").first()
            if entry is not None:
                files = entry.evidence.count()
                entry.delete()  # its evidence files leave the storage when this commits
                AuditEvent.record(
                    AuditEvent.Action.PURGE, request.user, self.process, self.task,
                    _("Baris %(opd)s dihapus beserta %(count)s berkas data dukung") % {"opd": entry.opd, "count": files},
                )
            messages.info(request, _("Baris dihapus."))
            return HttpResponseRedirect(request.get_full_path())
        if action == "submit":
            if not self.process.utilization_entries.exists():
                submit_form = django_forms.Form(data={})
                submit_form.is_valid()
                submit_form.add_error(None, _("Daftar masih kosong: tambahkan sekurang-kurangnya satu baris."))
                return self.render_to_response(self.get_context_data(form=self.get_form_class()(organisation=self.process.organisation), submit_form=submit_form))
            return self.form_valid(None)
        form = self.get_form()
        if not form.is_valid():
            return self.form_invalid(form)
        entry = form.save(commit=False)
        entry.process = self.process
        entry.author = request.user
        entry.save()
        for upload in form.cleaned_data["evidence"]:
            Evidence.store(upload, request.user, entry=entry)
        messages.success(request, _("Baris untuk %(opd)s disimpan.") % {"opd": entry.opd})
        return HttpResponseRedirect(request.get_full_path())

    def audit_action(self, form):
        from workflows.models import AuditEvent

        return AuditEvent.Action.COMPLETE

    def audit_detail(self, form):
        return _("%(count)s baris") % {"count": self.process.utilization_entries.count()}

    def perform(self, form):
        pass


class CountView(StepView):
    form_class = forms.ConfirmCountForm
    template_name = "workflows/utilization/count.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["figures"] = utilization_figures(self.process)
        return context

    def perform(self, form):
        UtilizationCount.objects.create(
            process=self.process, task=self.task, figures=utilization_figures(self.process), author=self.request.user
        )


def previous_period_figures(process):
    year, number = process.previous_period()
    previous = (
        SopProcess.objects.filter(
            organisation_id=process.organisation_id, sop=SOP_B.code, year=year,
            period_type=process.period_type, period_number=number, cancelled=False,
        )
        .first()
    )
    if previous is None:
        return None
    count = previous.utilization_counts.order_by("-created").first()
    return {"period": previous.period_label, "figures": count.figures} if count else None


def signed_title(prefix, process):
    """The file name stem of a signed SOP B document: 'laporan-pemanfaatan-2026-triwulan-2'."""
    return f"{prefix}-{process.year}-{process.period_type}-{process.period_number}"


def utilization_report(process, figures, analysis, *, signature=None, final=True, day=None):
    """The step-5 report of ``process`` with these figures and analysis: ``(pdf, placement)``."""
    previous = previous_period_figures(process)
    return render_utilization_report(
        process, figures, previous["figures"] if previous else None, analysis,
        agreements=UtilizationEntry.objects.filter(process=process).agreements(), day=day, signature=signature,
        final=final,
    )


class EvaluateView(SigningStepMixin, ReviewStepView):
    """Step 5: the Kasi analyses the counts and, forwarding the report to the Kabid, signs it."""

    form_class = forms.EvaluateForm
    template_name = "workflows/utilization/count.html"

    @property
    def signed_title(self):
        return signed_title(REPORT_TITLE, self.process)

    def current_figures(self):
        count = self.process.utilization_counts.order_by("-created").first()
        return count.figures if count else utilization_figures(self.process)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["figures"] = self.current_figures()
        context["previous"] = previous_period_figures(self.process)
        context["show_previous"] = True
        return context

    def signed_document(self, form, signature):
        pdf, placement = utilization_report(self.process, self.current_figures(), form.cleaned_data["analysis"],
                                            signature=signature, day=signature.day)
        return pdf, placement, report_cover_title(self.process)

    def perform(self, form):
        self.record_review(form)
        if form.cleaned_data.get("analysis"):
            previous = previous_period_figures(self.process)
            Evaluation.objects.create(
                process=self.process, task=self.task, analysis=form.cleaned_data["analysis"],
                comparison={"current": self.current_figures(), "previous": previous}, author=self.request.user,
            )


LAKIP_FIELDS = ("indicator", "target", "realisation", "analysis")


class LakipView(SigningStepMixin, StepView):
    """Step 6: the Kabid writes the LAKIP Bidang material and signs it in submitting it."""

    form_class = forms.LakipForm
    template_name = "workflows/utilization/count.html"

    @property
    def signed_title(self):
        return signed_title(LAKIP_TITLE, self.process)

    def get_initial(self):
        initial = super().get_initial()
        count = self.process.utilization_counts.order_by("-created").first()
        if count:
            # One decimal, as the form takes it (a count stored before that had two).
            initial["realisation"] = round(Decimal(str(count.figures["share_percent"])), PERCENT_DECIMALS)
        last = self.process.lakip_materials.order_by("-created").first()
        if last:
            initial.update(indicator=last.indicator, target=last.target, realisation=last.realisation, analysis=last.analysis)
        return initial

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        count = self.process.utilization_counts.order_by("-created").first()
        context["figures"] = count.figures if count else None
        context["evaluation"] = self.process.evaluations.order_by("-created").first()
        return context

    def signed_document(self, form, signature):
        material = {name: form.cleaned_data[name] for name in LAKIP_FIELDS}
        pdf, placement = render_lakip(self.process, material, day=signature.day, signature=signature)
        return pdf, placement, lakip_cover_title(self.process)

    def perform(self, form):
        LakipMaterial.objects.create(process=self.process, task=self.task, author=self.request.user,
                                     **{name: form.cleaned_data[name] for name in LAKIP_FIELDS})


class CheckView(ReviewStepView):
    form_class = forms.CheckForm
    template_name = "workflows/utilization/count.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["lakip"] = self.process.lakip_materials.order_by("-created").first()
        return context
