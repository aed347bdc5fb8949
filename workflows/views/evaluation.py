"""Recording a SOP's evaluation from its monitoring form, and acting on it (issue: the living SOP)."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from .. import sla
from ..catalogue import is_builtin, sop_of
from ..models import AuditEvent
from ..models.evaluation import EvaluationFinding, SopEvaluation, suggested_amount
from ..permissions import AUTHOR_SOP
from ..sops.spec import WaktuUnit


def sop_page_url(sop):
    from django.urls import reverse

    if sop.authored:
        from ..authored.models import SopVersion

        return reverse("authored_detail", args=[SopVersion.objects.get(pk=sop.version_id).definition_id])
    return reverse("builtin_sop", args=[sop.code])


class OrganisationSop:
    """The user's organisation and one of its SOPs (built-in code, or the key of its own SOP)."""

    def load_sop(self, request, code):
        from ..authored.editor import show_in_site_menu

        officer = getattr(request.user, "officer", None)
        if officer is None:
            raise Http404
        self.organisation = officer.organisation
        if not is_builtin(code):
            from ..authored.models import SopDefinition

            definition = SopDefinition.objects.from_key(code)
            if definition is None or definition.organisation_id != self.organisation.pk:
                raise Http404
        self.sop_code = code
        self.sop = sop_of(code)
        if self.sop is None:
            raise Http404
        self.can_evaluate = request.user.has_perm(AUTHOR_SOP)
        show_in_site_menu(request)


class EvaluationForm(forms.Form):
    recommendation = forms.ChoiceField(
        label=gettext_lazy("Rekomendasi"), choices=SopEvaluation.Recommendation.choices, widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("Pilih rekomendasi evaluasi.")},
    )
    summary = forms.CharField(
        label=gettext_lazy("Kesimpulan"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, rows, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = rows
        for row in rows:
            key = row["key"]
            self.fields[f"finding_{key}"] = forms.CharField(
                label=_("Temuan langkah %(number)s") % {"number": row["number"]}, required=False, max_length=2000,
                widget=forms.Textarea(attrs={"rows": 2}), initial=row["finding"],
            )
            self.fields[f"amount_{key}"] = forms.IntegerField(
                label=_("Waktu usulan langkah %(number)s") % {"number": row["number"]}, min_value=1, max_value=100000,
                initial=row["suggested"][0],
                error_messages={"min_value": _("Waktu harus lebih dari nol."), "required": _("Waktu wajib diisi.")},
            )
            self.fields[f"unit_{key}"] = forms.ChoiceField(
                label=_("satuan"), choices=WaktuUnit.CHOICES, initial=row["suggested"][1]
            )
            row["fields"] = (self[f"finding_{key}"], self[f"amount_{key}"], self[f"unit_{key}"])

    def clean(self):
        cleaned = super().clean()
        changed = any(
            (cleaned.get(f"amount_{row['key']}"), cleaned.get(f"unit_{row['key']}")) != row["current"]
            for row in self.rows
        )
        if cleaned.get("recommendation") == SopEvaluation.Recommendation.KEEP and changed:
            self.add_error("recommendation", _(
                "Rekomendasi \"tetap\" tidak mengubah Waktu; kembalikan Waktu usulan ke Waktu SOP atau pilih "
                "\"Revisi Waktu\"."
            ))
        if cleaned.get("recommendation") == SopEvaluation.Recommendation.REVISE_WAKTU and not changed:
            self.add_error("recommendation", _("Tidak ada Waktu usulan yang berbeda dari Waktu SOP."))
        return cleaned


class EvaluationCreateView(OrganisationSop, View):
    """sop-evaluasi/<code>/baru/?periode=2026-s2: the form, prefilled from the period's figures."""

    def dispatch(self, request, code):
        self.load_sop(request, code)
        if not self.can_evaluate:
            return render(request, "403.html", {"message": _(
                "Hanya administrator SOP organisasi Anda yang mencatat evaluasi SOP.")}, status=403)
        from ..monitoring import Period, PeriodError, default_period, monitoring_form

        try:
            self.period = Period.parse(request.GET["periode"]) if request.GET.get("periode") else default_period(
                self.organisation, code)
        except PeriodError as error:
            return render(request, "workflows/evaluation_form.html", {"error": str(error), "sop": self.sop}, status=400)
        self.monitoring = monitoring_form(self.organisation, code, self.period)
        return super().dispatch(request, code)

    def rows(self):
        calendar = sla.calendar_for(self.organisation)
        in_force = sla.waktu_by_node(self.organisation.pk, self.sop)
        rows = []
        for figure in self.monitoring.rows:
            if figure.old_version or figure.key not in in_force:
                continue  # a step the SOP no longer has: nothing to revise
            current = in_force[figure.key]
            suggested = current
            if figure.p90_seconds is not None:
                suggested = (suggested_amount(figure.p90_seconds, current[1], calendar), current[1])
            finding = ""
            if figure.automatic_reasons:
                finding = " ".join(str(reason) for reason in figure.automatic_reasons)
            rows.append({"key": figure.key, "number": figure.number, "title": figure.title, "figure": figure,
                         "current": current, "current_label": sla.waktu_label(*current), "suggested": suggested,
                         "finding": finding})
        return rows

    def page(self, form, status=200):
        return render(self.request, "workflows/evaluation_form.html", {
            "sop": self.sop, "sop_code": self.sop_code, "period": self.period, "form": form, "rows": form.rows,
            "monitoring": self.monitoring, "back_url": sop_page_url(self.sop),
        }, status=status)

    def get(self, request, code):
        return self.page(EvaluationForm(rows=self.rows()))

    def post(self, request, code):
        form = EvaluationForm(request.POST, rows=self.rows())
        if not form.is_valid():
            return self.page(form, status=400)
        data = form.cleaned_data
        with transaction.atomic():
            evaluation = SopEvaluation.objects.create(
                organisation=self.organisation, sop=self.sop_code, period=self.period.slug,
                recommendation=data["recommendation"], summary=data["summary"], created_by=request.user,
            )
            EvaluationFinding.objects.bulk_create(
                EvaluationFinding(
                    evaluation=evaluation, step_key=row["key"], step_number=row["number"],
                    finding=data[f"finding_{row['key']}"], current_amount=row["current"][0],
                    current_unit=row["current"][1], suggested_amount=data[f"amount_{row['key']}"],
                    suggested_unit=data[f"unit_{row['key']}"],
                )
                for row in form.rows
            )
            AuditEvent.record(
                AuditEvent.Action.SOP_EVALUATE, actor=request.user, definition=evaluation.definition,
                detail=f"{self.period.label}: {evaluation.get_recommendation_display()}",
            )
        messages.success(request, _("Evaluasi %(period)s tersimpan.") % {"period": self.period.label})
        return redirect("sop_evaluation", pk=evaluation.pk)


class EvaluationView(OrganisationSop, View):
    """sop-evaluasi/<pk>/: the findings, and what the evaluation led to."""

    def dispatch(self, request, pk, **kwargs):
        officer = getattr(request.user, "officer", None)
        if officer is None:
            raise Http404
        self.evaluation = get_object_or_404(SopEvaluation, pk=pk, organisation=officer.organisation)
        self.load_sop(request, self.evaluation.sop)
        return super().dispatch(request, pk, **kwargs)

    def page(self, refusal=None, status=200):
        evaluation = self.evaluation
        return render(self.request, "workflows/evaluation_detail.html", {
            "evaluation": evaluation, "sop": self.sop, "findings": evaluation.findings.all(),
            "can_evaluate": self.can_evaluate, "refusal": refusal, "back_url": sop_page_url(self.sop),
            "suggests": bool(evaluation.suggested_waktu()),
        }, status=status)

    def get(self, request, pk):
        return self.page()


class EvaluationActionView(EvaluationView):
    def post(self, request, pk):
        if not self.can_evaluate:
            return render(request, "403.html", {"message": _(
                "Hanya administrator SOP organisasi Anda yang menindaklanjuti evaluasi SOP.")}, status=403)
        try:
            return self.act()
        except ValidationError as error:
            return self.page(refusal=" ".join(error.messages), status=400)


class EvaluationDraftView(EvaluationActionView):
    """An authored SOP's next draft version from the evaluation (the running version goes on)."""

    def act(self):
        draft = self.evaluation.open_draft(self.request.user)
        messages.success(self.request, _(
            "Draf versi baru dibuka dengan Waktu usulan evaluasi. Proses yang berjalan tetap memakai versinya."))
        return redirect("authored_edit", pk=draft.definition_id)


class EvaluationApplyView(EvaluationActionView):
    """A built-in SOP: the suggested Waktu become the organisation's penyesuaian waktu baku."""

    def act(self):
        applied = self.evaluation.apply_waktu(self.request.user)
        AuditEvent.record(AuditEvent.Action.SOP_EVALUATE, actor=self.request.user, detail=_(
            "Waktu usulan evaluasi %(period)s diterapkan pada %(count)s langkah SOP %(code)s") % {
                "period": self.evaluation.period_value.label, "count": len(applied), "code": self.sop.code})
        messages.success(self.request, _(
            "Waktu usulan diterapkan sebagai penyesuaian waktu baku; tugas baru memakai Waktu ini, tugas yang "
            "sudah berjalan tetap diukur dengan Waktu lamanya."))
        return redirect("builtin_sop", code=self.sop.code)
