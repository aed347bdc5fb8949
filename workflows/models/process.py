import calendar
from datetime import date

from django.db import models
from django.utils.translation import gettext_lazy as _
from viewflow.workflow.models import Process
from viewflow.workflow.status import PROCESS

from django.utils.functional import cached_property

from ..catalogue import SOPS
from .organisation import Organisation


class PeriodType(models.TextChoices):
    SEMESTER = "semester", _("Semester")
    TRIWULAN = "triwulan", _("Triwulan")
    TAHUN = "tahun", _("Tahun")


PERIOD_LIMITS = {PeriodType.SEMESTER: 2, PeriodType.TRIWULAN: 4, PeriodType.TAHUN: 1}
ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}


class SopProcessQuerySet(models.QuerySet):
    def for_user(self, user):
        """Processes the user may see: those of their own organisation."""
        if user.is_superuser:
            return self
        officer = getattr(user, "officer", None)
        if officer is None:
            return self.none()
        return self.filter(organisation_id=officer.organisation_id)


class SopProcess(Process):
    """A run of one SOP for one organisation and period.

    Real columns for what dashboards and reports filter on; the per-step outputs are their
    own models pointing here, so a return-for-correction round never overwrites history.
    """

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="processes", verbose_name=_("organisasi")
    )
    # A built-in SOP's code, or an authored SOP's key ("u<definition id>", see workflows.catalogue).
    sop = models.CharField(_("SOP"), max_length=40)
    year = models.PositiveSmallIntegerField(_("tahun"))
    period_type = models.CharField(_("jenis periode"), max_length=10, choices=PeriodType.choices)
    period_number = models.PositiveSmallIntegerField(_("periode ke"))
    # Mirrors status == CANCELED in a column of this table, so the uniqueness of a period can
    # ignore cancelled runs (a constraint cannot reach the parent table's status column).
    cancelled = models.BooleanField(default=False, editable=False)
    # Built-in SOPs run once per period; an authored SOP runs once per case (a letter, a request).
    per_period = models.BooleanField(default=True, editable=False)

    objects = SopProcessQuerySet.as_manager()

    class Meta:
        verbose_name = _("proses SOP")
        verbose_name_plural = _("proses SOP")
        ordering = ["-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "sop", "year", "period_type", "period_number"],
                condition=models.Q(cancelled=False, per_period=True),
                name="one_live_process_per_period",
            )
        ]
        indexes = [models.Index(fields=["organisation", "sop", "year"])]

    SOP_CODE = None

    def save(self, *args, **kwargs):
        if self.SOP_CODE and not self.sop:
            self.sop = self.SOP_CODE
        self.cancelled = self.status == PROCESS.CANCELED
        super().save(*args, **kwargs)

    @cached_property
    def catalogue(self):
        """The ``Sop`` this process runs: a built-in SOP, or the authored version it is pinned to."""
        if self.sop in SOPS:
            return SOPS[self.sop]
        return self.authored.version.as_sop()

    @cached_property
    def authored(self):
        """This process as an ``AuthoredProcess`` (its version, subject, current step), or None."""
        if self.sop in SOPS:
            return None
        from ..authored.models import AuthoredProcess

        return self if isinstance(self, AuthoredProcess) else AuthoredProcess.objects.select_related(
            "version__definition__organisation").get(pk=self.pk)

    def get_sop_display(self):
        sop = self.catalogue
        if sop.authored:
            return _("%(name)s (%(nomor)s, versi %(number)s)") % {
                "name": sop.name, "nomor": sop.identity.nomor, "number": sop.version_number}
        return f"SOP {sop.code}"

    @property
    def period_label(self):
        if self.period_type == PeriodType.TAHUN:
            return _("Tahun %(year)s") % {"year": self.year}
        label = PeriodType(self.period_type).label
        return f"{label} {ROMAN.get(self.period_number, self.period_number)} {self.year}"

    @property
    def case_label(self):
        """What tells this SOP's processes apart: the period, or an authored SOP's subject."""
        return self.authored.subject if self.authored is not None else self.period_label

    @property
    def period_start(self):
        months = 12 // PERIOD_LIMITS[self.period_type]
        return date(self.year, months * (self.period_number - 1) + 1, 1)

    @property
    def period_end(self):
        months = 12 // PERIOD_LIMITS[self.period_type]
        last_month = months * self.period_number
        return date(self.year, last_month, calendar.monthrange(self.year, last_month)[1])

    def previous_period(self):
        """(year, number) of the period before this one, same period type."""
        if self.period_number > 1:
            return self.year, self.period_number - 1
        return self.year - 1, PERIOD_LIMITS[self.period_type]

    @property
    def brief(self):
        if self.authored is not None:
            return f"{self.catalogue.name} — {self.authored.subject}"
        return f"{self.catalogue.name} — {self.period_label}"

    def __str__(self):
        return f"#{self.pk} {self.brief}"

    @property
    def return_count(self):
        return self.reviews.filter(decision="return").count()
