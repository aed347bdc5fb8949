"""The evaluation of a SOP over a period (Permenpan RB 35/2012: monitor and evaluate every SOP),
recorded by the organisation's SOP administrator from the monitoring form's measured figures.

An evaluation names, per step, what was found and the Waktu it suggests (prefilled from the
period's 90th percentile, rounded up to the step's own unit), and recommends keeping the SOP,
revising its Waktu or revising its steps. For an organisation's own SOP it can open the SOP's next
draft version with the suggested Waktu; for a built-in SOP (whose steps are code) the suggested
Waktu become the organisation's penyesuaian waktu baku. Either way the evaluation keeps a link to
what it led to.
"""

import math

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..sops.spec import WaktuUnit
from .organisation import Organisation


def suggested_amount(seconds, unit, calendar):
    """``seconds`` of working time in whole ``unit``s, rounded up (never below 1): a standard the
    measured 90th percentile meets."""
    one = calendar.standard_duration(1, unit).total_seconds()
    return max(1, math.ceil(round(seconds / one, 6)))


class SopEvaluationQuerySet(models.QuerySet):
    def of_sop(self, organisation, sop_code):
        return self.filter(organisation=organisation, sop=sop_code).order_by("-created", "-pk")


class SopEvaluation(models.Model):
    class Recommendation(models.TextChoices):
        KEEP = "keep", gettext_lazy("Tetap dipakai tanpa perubahan")
        REVISE_WAKTU = "revise_waktu", gettext_lazy("Revisi Waktu")
        REVISE_STEPS = "revise_steps", gettext_lazy("Revisi langkah")

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="sop_evaluations", verbose_name=gettext_lazy("organisasi")
    )
    sop = models.CharField(gettext_lazy("SOP"), max_length=40)  # as SopProcess.sop
    period = models.CharField(gettext_lazy("periode"), max_length=10)  # workflows.monitoring.Period slug
    recommendation = models.CharField(gettext_lazy("rekomendasi"), max_length=20, choices=Recommendation.choices)
    summary = models.TextField(gettext_lazy("kesimpulan"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created = models.DateTimeField(auto_now_add=True)
    # What it led to: an authored SOP's next version, or (built-in SOP) when its Waktu were applied.
    resulting_version = models.ForeignKey(
        "workflows.SopVersion", on_delete=models.SET_NULL, null=True, blank=True, related_name="evaluations"
    )
    applied_at = models.DateTimeField(null=True, blank=True)

    objects = SopEvaluationQuerySet.as_manager()

    class Meta:
        verbose_name = gettext_lazy("evaluasi SOP")
        verbose_name_plural = gettext_lazy("evaluasi SOP")
        ordering = ["-created", "-pk"]

    def __str__(self):
        return f"{self.sop} {self.period}"

    @property
    def period_value(self):
        from ..monitoring import Period

        return Period.parse(self.period)

    @property
    def definition(self):
        from ..authored.models import SopDefinition

        return SopDefinition.objects.from_key(self.sop)

    def suggested_waktu(self):
        """{step key: (amount, unit)} the evaluation suggests where it differs from the SOP's."""
        return {
            finding.step_key: (finding.suggested_amount, finding.suggested_unit)
            for finding in self.findings.all()
            if finding.suggested_amount and finding.differs
        }

    def open_draft(self, user):
        """An authored SOP's next draft version, its steps' Waktu set to the suggestions."""
        definition = self.definition
        if definition is None:
            raise ValidationError(_("Evaluasi ini bukan untuk SOP susunan organisasi."))
        if definition.is_retired:
            raise ValidationError(_("SOP ini sudah dihentikan; tidak dapat direvisi."))
        if self.resulting_version_id is not None:
            raise ValidationError(_("Evaluasi ini sudah menghasilkan versi baru."))
        if definition.draft() is not None:
            raise ValidationError(_(
                "SOP ini sudah mempunyai draf. Terbitkan atau selesaikan draf itu dulu, lalu buat revisi dari evaluasi."
            ))
        with transaction.atomic():
            draft = definition.open_draft(user)
            for key, (amount, unit) in self.suggested_waktu().items():
                draft.steps.filter(key=key).update(waktu_amount=amount, waktu_unit=unit)
            SopEvaluation.objects.filter(pk=self.pk).update(resulting_version=draft)
        self.resulting_version = draft
        return draft

    def apply_waktu(self, user):
        """A built-in SOP: the suggested Waktu become the organisation's penyesuaian waktu baku."""
        from ..catalogue import SOPS
        from .sla import WaktuOverride

        sop = SOPS.get(self.sop)
        if sop is None:
            raise ValidationError(_("Evaluasi ini bukan untuk SOP bawaan."))
        if self.applied_at is not None:
            raise ValidationError(_("Waktu usulan evaluasi ini sudah diterapkan."))
        suggestions = self.suggested_waktu()
        if not suggestions:
            raise ValidationError(_("Evaluasi ini tidak mengusulkan Waktu baru."))
        with transaction.atomic():
            for key, (amount, unit) in suggestions.items():
                step = sop.step_for_key(key)
                if step is None:
                    continue
                WaktuOverride.objects.update_or_create(
                    organisation=self.organisation, sop=sop.code, step_number=step.number,
                    defaults={"amount": amount, "unit": unit},
                )
            self.applied_at = timezone.now()
            SopEvaluation.objects.filter(pk=self.pk).update(applied_at=self.applied_at)
        return suggestions


class EvaluationFinding(models.Model):
    """One step of an evaluation: what was found, and the Waktu it suggests."""

    evaluation = models.ForeignKey(SopEvaluation, on_delete=models.CASCADE, related_name="findings")
    step_key = models.CharField(max_length=50)
    step_number = models.PositiveSmallIntegerField()
    finding = models.TextField(gettext_lazy("temuan"), blank=True)
    current_amount = models.PositiveIntegerField(null=True, blank=True)
    current_unit = models.CharField(max_length=10, blank=True)
    suggested_amount = models.PositiveIntegerField(gettext_lazy("Waktu usulan"), null=True, blank=True)
    suggested_unit = models.CharField(gettext_lazy("satuan"), max_length=10, choices=WaktuUnit.CHOICES, blank=True)

    class Meta:
        ordering = ["evaluation", "step_number"]

    @property
    def differs(self):
        return (self.suggested_amount, self.suggested_unit) != (self.current_amount, self.current_unit)
