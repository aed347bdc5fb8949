"""SOP B: the OPD master list and the Daftar Pemanfaatan Data Kependudukan oleh OPD."""

from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from viewflow.workflow.models import Task

from workflows.models.documents import AttachedFile
from workflows.models.organisation import Organisation
from workflows.models.process import SopProcess
from workflows.storage import private_storage

from .definition import SOP_B


class UtilizationProcess(SopProcess):
    """SOP B: Pengumpulan dan Penghitungan Data Kinerja Pemanfaatan Data Kependudukan."""

    SOP_CODE = SOP_B.code

    class Meta:
        proxy = True
        ordering = ["-pk"]
        verbose_name = _("proses data kinerja pemanfaatan")
        verbose_name_plural = _("proses data kinerja pemanfaatan")


class Opd(models.Model):
    """A regional agency (Organisasi Perangkat Daerah) of the province; editable master data."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="opds")
    name = models.CharField(_("nama OPD"), max_length=200)
    short_name = models.CharField(_("singkatan"), max_length=50, blank=True)
    is_active = models.BooleanField(_("aktif"), default=True)

    class Meta:
        verbose_name = _("OPD")
        verbose_name_plural = _("OPD")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["organisation", "name"], name="unique_opd_name")]

    def __str__(self):
        return self.short_name or self.name


class UseType(models.TextChoices):
    DATA = "data", _("Pemanfaatan Data Kependudukan")
    NIK = "nik", _("Pemanfaatan NIK")
    KTPEL = "ktpel", _("KTP-el")


class AccessMethod(models.TextChoices):
    CARD_READER = "card_reader", _("Card reader KTP-el")
    WEB_SERVICE = "web_service", _("Web service")
    WEB_PORTAL = "web_portal", _("Web portal")
    NIK_VERIFICATION = "nik_verification", _("Verifikasi NIK")
    AGGREGATE = "aggregate", _("Data agregat/balikan")


# Percentages of this SOP (share of OPDs, LAKIP target, realisation, achievement): one decimal
# everywhere they are computed, stored and printed.
PERCENT_DECIMALS = 1

# A PKS that ends within this many days of a report's date is flagged "akan berakhir".
PKS_WARNING_DAYS = 90


class PksStatus(models.TextChoices):
    IN_FORCE = "berlaku", _("berlaku")
    EXPIRING = "akan_berakhir", _("akan berakhir")
    EXPIRED = "sudah_berakhir", _("sudah berakhir")


def pks_status(expiry, on):
    """Whether a PKS valid until ``expiry`` (its last day) has ended by the day ``on``, ends
    within PKS_WARNING_DAYS after it, or stays in force longer."""
    if expiry < on:
        return PksStatus.EXPIRED
    if (expiry - on).days <= PKS_WARNING_DAYS:
        return PksStatus.EXPIRING
    return PksStatus.IN_FORCE


class UtilizationEntryQuerySet(models.QuerySet):
    def agreements(self):
        """One row per OPD and PKS as the staff entered it (number, date, validity, access method),
        however many use types it covers: dicts ``opd``, ``pks_number``, ``pks_date``,
        ``pks_expiry``, ``access_method``, ordered by OPD and expiry."""
        return (
            self.values("opd__name", "pks_number", "pks_date", "pks_expiry", "access_method")
            .distinct()
            .order_by("opd__name", "pks_expiry", "pks_number", "access_method")
        )


class UtilizationEntry(models.Model):
    """One row of the list: one OPD's use of population data in the period."""

    process = models.ForeignKey(SopProcess, on_delete=models.CASCADE, related_name="utilization_entries")
    opd = models.ForeignKey(Opd, on_delete=models.PROTECT, related_name="entries", verbose_name=_("OPD"))
    use_type = models.CharField(_("jenis pemanfaatan"), max_length=10, choices=UseType.choices)
    access_method = models.CharField(_("metode akses"), max_length=20, choices=AccessMethod.choices)
    pks_number = models.CharField(_("nomor PKS"), max_length=100)
    pks_date = models.DateField(_("tanggal PKS"))
    pks_expiry = models.DateField(_("berlaku sampai"))
    purpose = models.CharField(_("tujuan pemanfaatan"), max_length=300)
    uses = models.PositiveIntegerField(_("jumlah pemanfaatan dalam periode"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created = models.DateTimeField(auto_now_add=True)

    objects = UtilizationEntryQuerySet.as_manager()

    class Meta:
        ordering = ["opd__name", "use_type", "pk"]

    def pks_status(self, on):
        return pks_status(self.pks_expiry, on)


def evidence_path(instance, filename):
    return f"evidence/{instance.entry.process_id}/{instance.token}{instance.suffix}"


class Evidence(AttachedFile):
    """A supporting document (data dukung) of an entry."""

    entry = models.ForeignKey(UtilizationEntry, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(storage=private_storage, upload_to=evidence_path, max_length=300)


class UtilizationCount(models.Model):
    """Step 4: the counts as computed by the system and confirmed by the staff member."""

    process = models.ForeignKey(SopProcess, on_delete=models.CASCADE, related_name="utilization_counts")
    task = models.ForeignKey(Task, on_delete=models.PROTECT, related_name="+")
    figures = models.JSONField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created"]


class Evaluation(models.Model):
    """Step 5: the Kasi's analysis and evaluation as performance data."""

    process = models.ForeignKey(SopProcess, on_delete=models.CASCADE, related_name="evaluations")
    task = models.ForeignKey(Task, on_delete=models.PROTECT, related_name="+")
    analysis = models.TextField(_("analisis dan evaluasi"))
    comparison = models.JSONField(default=dict)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created"]


class LakipMaterial(models.Model):
    """Step 6: LAKIP Bidang material (performance table row and analysis)."""

    process = models.ForeignKey(SopProcess, on_delete=models.CASCADE, related_name="lakip_materials")
    task = models.ForeignKey(Task, on_delete=models.PROTECT, related_name="+")
    indicator = models.CharField(_("indikator kinerja"), max_length=300)
    target = models.DecimalField(_("target (%)"), max_digits=6, decimal_places=2)
    realisation = models.DecimalField(_("realisasi (%)"), max_digits=6, decimal_places=2)
    analysis = models.TextField(_("analisis capaian"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created"]

    @property
    def achievement(self):
        """Capaian = realisasi / target x 100 (Permenpan RB 53/2014 style), one decimal."""
        return achievement(self.target, self.realisation)


def achievement(target, realisation):
    """Capaian (%) of a realisation against a target, to PERCENT_DECIMALS; None without a target."""
    if not target:
        return None
    value = Decimal(str(realisation)) / Decimal(str(target)) * 100
    return value.quantize(Decimal(1).scaleb(-PERCENT_DECIMALS), rounding=ROUND_HALF_UP)


def utilization_figures(process):
    """Counts of the Daftar Pemanfaatan for one process, computed in SQL.

    An OPD counts as "using population data" when it has at least one use in the period under
    a PKS that was in force during the period.
    """
    from django.db.models import Count, Q, Sum

    entries = UtilizationEntry.objects.filter(process=process)
    in_force = Q(pks_date__lte=process.period_end, pks_expiry__gte=process.period_start)
    per_opd = [
        {"opd": row["opd__name"], "short": row["opd__short_name"] or row["opd__name"], "entries": row["entries"],
         "uses": row["uses"] or 0}
        for row in entries.values("opd__name", "opd__short_name")
        .annotate(entries=Count("id"), uses=Sum("uses"))
        .order_by("opd__name")
    ]
    labels = dict(UseType.choices)
    per_type = [
        {"type": row["use_type"], "label": str(labels[row["use_type"]]), "opds": row["opds"], "uses": row["uses"] or 0}
        for row in entries.values("use_type")
        .annotate(opds=Count("opd", distinct=True), uses=Sum("uses"))
        .order_by("use_type")
    ]
    using = entries.filter(in_force, uses__gt=0).values("opd").distinct().count()
    total = Opd.objects.filter(organisation_id=process.organisation_id, is_active=True).count()
    share = round(using * 100 / total, PERCENT_DECIMALS) if total else 0.0
    return {
        "per_opd": per_opd,
        "per_type": per_type,
        "opd_using": using,
        "opd_total": total,
        "share_percent": share,
        "total_uses": sum(row["uses"] for row in per_opd),
    }
