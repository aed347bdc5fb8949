"""The Formulir Monitoring Pelaksanaan SOP: an organisation's rules for the automatic Penilaian,
and the evaluator's own Penilaian of a step in a period (``workflows.monitoring`` computes the
figures; these rows are all it stores)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from .organisation import Organisation


class Penilaian(models.TextChoices):
    BAIK = "baik", _("Berjalan baik")
    TIDAK_BAIK = "tidak_baik", _("Tidak berjalan baik")


DEFAULT_MIN_ON_TIME = 80
DEFAULT_MAX_RETURNS = 30


class MonitoringRule(models.Model):
    """When the form prefills *Tidak berjalan baik*: one row per organisation (the defaults apply
    to an organisation without one). A step is *Berjalan baik* unless one rule is broken."""

    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, related_name="monitoring_rule", verbose_name=_("organisasi")
    )
    min_on_time_percent = models.PositiveSmallIntegerField(
        _("batas bawah tepat waktu (%)"),
        default=DEFAULT_MIN_ON_TIME,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_("Langkah dinilai tidak berjalan baik bila persentase tugas selesai tepat waktu di bawah angka ini."),
    )
    max_returns_percent = models.PositiveSmallIntegerField(
        _("batas atas pengembalian (%)"),
        default=DEFAULT_MAX_RETURNS,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_(
            "Langkah dinilai tidak berjalan baik bila jumlah pengembalian ke langkah ini dibagi jumlah "
            "pelaksanaannya melebihi angka ini."
        ),
    )
    max_median_percent = models.PositiveSmallIntegerField(
        _("batas atas median waktu kerja (% dari Waktu)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(1000)],
        help_text=_(
            "Opsional. Langkah dinilai tidak berjalan baik bila median waktu kerja melebihi persentase ini dari "
            "Waktu baku, mis. 100 berarti median tidak boleh lebih lama dari Waktu. Kosongkan bila tidak dipakai."
        ),
    )

    class Meta:
        verbose_name = _("aturan penilaian monitoring SOP")
        verbose_name_plural = _("aturan penilaian monitoring SOP")

    def __str__(self):
        return str(self.organisation)

    @classmethod
    def for_organisation(cls, organisation):
        """The organisation's rule, or an unsaved one with the defaults."""
        return cls.objects.filter(organisation=organisation).first() or cls(organisation=organisation)


class StepAssessment(models.Model):
    """The evaluator's Penilaian of one step of one SOP in one period, replacing the automatic one."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="+", verbose_name=_("organisasi")
    )
    sop = models.CharField(_("SOP"), max_length=40)  # as TaskSla.sop
    period = models.CharField(_("periode"), max_length=10)  # Period.slug, e.g. "2026-s2"
    step_key = models.CharField(_("langkah"), max_length=50)  # TaskSla.node
    penilaian = models.CharField(_("penilaian"), max_length=12, choices=Penilaian.choices)
    # The automatic Penilaian when the evaluator wrote this one (empty: no runs to judge).
    automatic = models.CharField(_("penilaian otomatis"), max_length=12, choices=Penilaian.choices, blank=True)
    note = models.TextField(_("catatan evaluator"), blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("evaluator")
    )
    updated = models.DateTimeField(_("tanggal"), auto_now=True)

    class Meta:
        verbose_name = _("penilaian evaluator")
        verbose_name_plural = _("penilaian evaluator")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "sop", "period", "step_key"], name="one_assessment_per_step_and_period"
            )
        ]

    def __str__(self):
        return f"{self.sop} {self.period} {self.step_key}: {self.get_penilaian_display()}"

    def clean(self):
        if self.penilaian and self.penilaian != self.automatic and not (self.note or "").strip():
            raise ValidationError({"note": _(
                "Tulis catatan: penilaian evaluator berbeda dari penilaian otomatis, jadi alasannya perlu dicatat."
            )})
