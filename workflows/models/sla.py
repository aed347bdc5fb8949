"""Time standards in working time: calendar overrides, per-task clocks, escalation notices.

The admin-editable rows (holiday overrides, alternative schedules, Waktu overrides) feed
``workflows.sla.calendar_for``; one :class:`TaskSla` row per human task keeps its due moment and,
once finished, its elapsed working time, so dashboards aggregate stored numbers in SQL and
history never has to be recomputed when a calendar changes later.
"""

from fractions import Fraction

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, models
from django.db.models import Aggregate, Avg, Count, F, FloatField, Max, Min, Q
from django.db.models.functions import ExtractQuarter, ExtractYear, TruncWeek
from django.utils.translation import gettext_lazy as _

from .. import workcalendar
from ..catalogue import SOPS, WaktuUnit
from .organisation import Organisation
from .process import SopProcess

SOP_CHOICES = [(code, f"SOP {code}") for code in SOPS]  # the built-in SOPs an admin may retime here


class HolidayOverride(models.Model):
    """A day the national calendar gets wrong for an organisation (or for everyone).

    ``holidays`` carries national holidays and cuti bersama, but regional holidays are missing
    and SKB revisions arrive late, so administrators add or cancel days here.
    """

    ADD = "add"
    REMOVE = "remove"
    ACTIONS = [(ADD, _("Tambah hari libur")), (REMOVE, _("Batalkan hari libur"))]

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="holiday_overrides",
        verbose_name=_("organisasi"),
        help_text=_("Kosongkan untuk semua organisasi."),
    )
    date = models.DateField(_("tanggal"))
    action = models.CharField(_("tindakan"), max_length=10, choices=ACTIONS, default=ADD)
    name = models.CharField(_("keterangan"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("penyesuaian hari libur")
        verbose_name_plural = _("penyesuaian hari libur")
        ordering = ["-date"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "date"], name="one_holiday_override_per_org_day"),
            # NULLs are distinct in a unique index, so global rows need their own constraint.
            models.UniqueConstraint(
                fields=["date"], condition=Q(organisation__isnull=True), name="one_global_holiday_override_per_day"
            ),
        ]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.get_action_display()}"


WEEKDAY_FIELDS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_RAMADAN_DAY = "08:00-12:00 12:30-15:00"
_RAMADAN_FRIDAY = "08:00-11:30 12:30-15:30"
_HOURS_HELP = _("Jam kerja, mis. 08:00-12:00 12:30-15:00; kosong berarti libur.")


def _hours_field(label, default):
    return models.CharField(label, max_length=100, blank=True, default=default, help_text=_HOURS_HELP)


class AlternativeSchedule(models.Model):
    """Working hours for a date range (Ramadan), for one organisation or for everyone.

    The defaults are the Ramadan hours of Perpres 21/2023. An organisation's own range replaces
    any global range it overlaps.
    """

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="alternative_schedules",
        verbose_name=_("organisasi"),
        help_text=_("Kosongkan untuk semua organisasi."),
    )
    name = models.CharField(_("nama"), max_length=100, default="Ramadan")
    first_day = models.DateField(_("tanggal mulai"))
    last_day = models.DateField(_("tanggal selesai"))
    monday = _hours_field(_("Senin"), _RAMADAN_DAY)
    tuesday = _hours_field(_("Selasa"), _RAMADAN_DAY)
    wednesday = _hours_field(_("Rabu"), _RAMADAN_DAY)
    thursday = _hours_field(_("Kamis"), _RAMADAN_DAY)
    friday = _hours_field(_("Jumat"), _RAMADAN_FRIDAY)
    saturday = _hours_field(_("Sabtu"), "")
    sunday = _hours_field(_("Minggu"), "")

    class Meta:
        verbose_name = _("jadwal kerja khusus")
        verbose_name_plural = _("jadwal kerja khusus")
        ordering = ["-first_day"]

    def __str__(self):
        return f"{self.name} {self.first_day:%Y-%m-%d}–{self.last_day:%Y-%m-%d}"

    def schedule(self):
        keys = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
        return workcalendar.Schedule.of(**{key: getattr(self, name) for key, name in zip(keys, WEEKDAY_FIELDS)})

    def clean(self):
        if self.first_day and self.last_day and self.first_day > self.last_day:
            raise ValidationError({"last_day": _("Tanggal selesai tidak boleh sebelum tanggal mulai.")})
        try:
            self.schedule()
        except ValueError:
            raise ValidationError(_("Jam kerja tidak terbaca. Tulis seperti 08:00-12:00 12:30-15:00."))
        if self.first_day and self.last_day:
            same_scope = AlternativeSchedule.objects.filter(organisation=self.organisation).exclude(pk=self.pk)
            if same_scope.filter(first_day__lte=self.last_day, last_day__gte=self.first_day).exists():
                raise ValidationError(_("Rentang tanggal ini bertumpang tindih dengan jadwal khusus lain."))


class WaktuOverride(models.Model):
    """An organisation's own time standard for one SOP step, replacing the catalogue's Waktu."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="waktu_overrides", verbose_name=_("organisasi")
    )
    sop = models.CharField(_("SOP"), max_length=40, choices=SOP_CHOICES)
    step_number = models.PositiveSmallIntegerField(_("langkah"))
    # The step's stable key (its node name), set from the number the administrator picks.
    node = models.CharField(max_length=50, default="", editable=False)
    amount = models.PositiveIntegerField(_("waktu"))
    unit = models.CharField(_("satuan"), max_length=10, choices=WaktuUnit.CHOICES)

    class Meta:
        verbose_name = _("penyesuaian waktu baku")
        verbose_name_plural = _("penyesuaian waktu baku")
        ordering = ["organisation", "sop", "step_number"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "sop", "step_number"], name="one_waktu_override_per_step")
        ]

    def __str__(self):
        return f"SOP {self.sop} {self.step_number}: {self.amount} {self.unit}"

    def clean(self):
        sop = SOPS.get(self.sop)
        if sop is not None and self.step_number is not None:
            if not any(step.number == self.step_number for step in sop.steps):
                raise ValidationError({"step_number": _("Langkah ini tidak ada dalam SOP.")})
        if self.amount == 0:
            raise ValidationError({"amount": _("Waktu baku harus lebih dari nol.")})

    def save(self, *args, **kwargs):
        sop = SOPS.get(self.sop)
        step = next((step for step in sop.steps if step.number == self.step_number), None) if sop else None
        if step is not None:
            self.node = step.node
        super().save(*args, **kwargs)


class SopNumberQuerySet(models.QuerySet):
    def nomor(self, organisation, sop):
        """The Nomor SOP ``organisation`` gave the built-in ``sop`` (a ``Sop`` or its code), or ""."""
        code = getattr(sop, "code", sop)
        return self.filter(organisation=organisation, sop=code).values_list("nomor", flat=True).first() or ""


class OrganisationSopNumber(models.Model):
    """The Nomor SOP an organisation gives a built-in SOP: its own numbering, since the seed's
    number (when it has one) is the origin agency's. An authored SOP carries its own Nomor."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="sop_numbers", verbose_name=_("organisasi")
    )
    sop = models.CharField(_("SOP"), max_length=40, choices=SOP_CHOICES)
    nomor = models.CharField(_("Nomor SOP"), max_length=100)

    objects = SopNumberQuerySet.as_manager()

    class Meta:
        verbose_name = _("nomor SOP organisasi")
        verbose_name_plural = _("nomor SOP organisasi")
        ordering = ["organisation", "sop"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "sop"],
                name="one_sop_number_per_organisation",
                violation_error_message=_("Organisasi ini sudah memberi nomor untuk SOP itu; ubah baris yang ada."),
            )
        ]

    def __str__(self):
        return f"SOP {self.sop}: {self.nomor}"

    def clean(self):
        self.nomor = (self.nomor or "").strip()
        if not self.nomor:
            raise ValidationError({"nomor": _("Isi Nomor SOP, misalnya 10.09.04.029.")})


class SlaStatus(models.TextChoices):
    ON_TRACK = "on_track", _("Sesuai jadwal")
    DUE_SOON = "due_soon", _("Mendekati batas")
    OVERDUE = "overdue", _("Terlambat")
    DONE_ON_TIME = "done_on_time", _("Selesai tepat waktu")
    DONE_LATE = "done_late", _("Selesai terlambat")
    # Step 1: created and finished by one POST of the start form, so it has no working time.
    DONE_UNTIMED = "done_untimed", _("Selesai (tidak diukur)")
    CANCELLED = "cancelled", _("Dibatalkan")


class PercentileCont(Aggregate):
    """PostgreSQL's ordered-set aggregate ``percentile_cont(f) WITHIN GROUP (ORDER BY x)``."""

    function = "percentile_cont"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()

    def __init__(self, expression, fraction, **extra):
        super().__init__(expression, fraction=float(fraction), **extra)


def window_percentiles(queryset, group_by, field, fractions):
    """``percentile_cont`` for any SQL database with window functions (SQLite has no ordered-set
    aggregates): rank the values in each group, then interpolate between the two ranks around
    (n - 1) * f. Integer arithmetic on f's numerator/denominator keeps FLOOR (missing from SQLite's
    default build) and PostgreSQL's rounding integer casts out of it.

    Returns ``{group values tuple: [value per fraction]}``; one query.
    """
    aliases = {f"g{i}": F(name) for i, name in enumerate(group_by)}
    base = queryset.filter(**{f"{field}__isnull": False}).annotate(**aliases, v=F(field))
    base = base.values(*aliases, "v").order_by()
    inner_sql, params = base.query.sql_with_params()
    groups = ", ".join(aliases)
    picks = []
    for fraction in fractions:
        ratio = Fraction(fraction).limit_denominator(1000)
        num, den = ratio.numerator, ratio.denominator
        low = f"(((n - 1) * {num}) / {den})"
        weight = f"(((n - 1) * {num} - {low} * {den}) * 1.0 / {den})"
        picks.append(
            f"SUM(CASE WHEN rn = {low} THEN v * (1 - {weight}) WHEN rn = {low} + 1 THEN v * {weight} ELSE 0 END)"
        )
    sql = (
        f"SELECT {groups}, {', '.join(picks)} FROM ("
        f"SELECT {groups}, v, ROW_NUMBER() OVER (PARTITION BY {groups} ORDER BY v) - 1 AS rn, "
        f"COUNT(*) OVER (PARTITION BY {groups}) AS n FROM ({inner_sql}) base) ranked GROUP BY {groups}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        width = len(group_by)
        return {tuple(row[:width]): [float(value) for value in row[width:]] for row in cursor.fetchall()}


def percentiles(queryset, group_by, field, fractions):
    """Same result as :func:`window_percentiles`, with PostgreSQL's native aggregate there."""
    if connection.vendor != "postgresql":
        return window_percentiles(queryset, group_by, field, fractions)
    annotations = {f"p{i}": PercentileCont(field, fraction) for i, fraction in enumerate(fractions)}
    rows = queryset.filter(**{f"{field}__isnull": False}).values(*group_by).annotate(**annotations).order_by()
    return {
        tuple(row[name] for name in group_by): [row[f"p{i}"] for i in range(len(fractions))] for row in rows
    }


class TaskSlaQuerySet(models.QuerySet):
    """The supervisor dashboard's figures, each one grouped query whatever the number of tasks."""

    def measured(self):
        return self.filter(cancelled=False)

    def timed(self):
        """Finished tasks with a working time: what on-time shares, medians, percentiles and
        officer figures count. Leaves out open tasks and the untimed step 1 (see
        ``sla.start_clock``)."""
        return self.filter(finished__isnull=False, elapsed_seconds__isnull=False)

    def step_figures(self, now):
        timed = Q(finished__isnull=False, elapsed_seconds__isnull=False)
        return (
            self.values("sop", "step_number")
            .annotate(
                tasks=Count("pk"),
                finished_count=Count("pk", filter=Q(finished__isnull=False)),
                timed_count=Count("pk", filter=timed),
                on_time_count=Count("pk", filter=Q(on_time=True)),
                open_count=Count("pk", filter=Q(finished__isnull=True)),
                overdue_open=Count("pk", filter=Q(finished__isnull=True, due__lte=now)),
                returns=Count("pk", filter=Q(reopened=True)),
                mean_seconds=Avg("elapsed_seconds"),
                # Each task keeps the standard it ran under; two values mean an admin changed
                # the step's Waktu within the selection.
                standard=Max("standard_seconds"),
                standard_min=Min("standard_seconds"),
            )
            .order_by("sop", "step_number")
        )

    def standards_used(self):
        """Per step, every Waktu its tasks ran under, with how many tasks and the latest opening."""
        return (
            self.values("sop", "step_number", "waktu_amount", "waktu_unit", "standard_seconds")
            .annotate(tasks=Count("pk"), last_opened=Max("opened"))
            .order_by("sop", "step_number", "last_opened")
        )

    def overdue_open(self, now):
        return self.filter(finished__isnull=True, due__lte=now).order_by("due")

    def officer_figures(self, now):
        """(finished per officer, open per officer): finished tasks count for whoever completed
        them, open tasks for whoever holds them now."""
        name = ("first_name", "last_name", "username")
        done = (
            self.timed()
            .filter(done_by__isnull=False)
            .values("done_by", *(f"done_by__{n}" for n in name))
            .annotate(finished_count=Count("pk"), on_time_count=Count("pk", filter=Q(on_time=True)))
            .order_by()
        )
        holding = (
            self.filter(finished__isnull=True, task__owner__isnull=False)
            .values("task__owner", *(f"task__owner__{n}" for n in name))
            .annotate(open_count=Count("pk"), overdue_count=Count("pk", filter=Q(due__lte=now)))
            .order_by()
        )
        return done, holding

    def quarterly_trend(self, tzinfo):
        return (
            self.timed()
            .annotate(year=ExtractYear("finished", tzinfo=tzinfo), quarter=ExtractQuarter("finished", tzinfo=tzinfo))
            .values("year", "quarter")
            .annotate(finished_count=Count("pk"), on_time_count=Count("pk", filter=Q(on_time=True)))
            .order_by("year", "quarter")
        )

    def overdue_by_week(self, now, since, tzinfo):
        """Tasks that ran past their deadline (finished late, or still open and overdue), per step
        and week of the deadline."""
        late = Q(on_time=False) | Q(finished__isnull=True, due__lte=now)
        return (
            self.filter(late, due__gte=since, due__lte=now)
            .annotate(week=TruncWeek("due", tzinfo=tzinfo))
            .values("sop", "step_number", "week")
            .annotate(count=Count("pk"))
            .order_by()
        )


class TaskSla(models.Model):
    """The clock of one human task: its standard, due moment and, once finished, its working time.

    Organisation, SOP and step are copied from the process and catalogue so the dashboard filters
    and groups this one table; the standard is copied too, so a later admin override does not
    rewrite the history of tasks already measured against the old one.
    """

    task = models.OneToOneField("viewflow.Task", on_delete=models.CASCADE, primary_key=True, related_name="sla")
    process = models.ForeignKey(SopProcess, on_delete=models.CASCADE, related_name="task_slas")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    sop = models.CharField(max_length=40)  # as SopProcess.sop
    step_number = models.PositiveSmallIntegerField()
    node = models.CharField(max_length=50)
    waktu_amount = models.PositiveIntegerField()
    waktu_unit = models.CharField(max_length=10)
    # Nominal working duration of the standard (hari = the schedule's average day), for ratios.
    standard_seconds = models.PositiveIntegerField()
    opened = models.DateTimeField(help_text="the task's queue time (Task.created)")
    due = models.DateTimeField()
    # The moment 80% of the working time between opened and due is used: "due soon" from here.
    warn_at = models.DateTimeField()
    # The first working moment at or after the due moment: escalation is never sent before it.
    notify_at = models.DateTimeField()
    finished = models.DateTimeField(null=True, blank=True)
    elapsed_seconds = models.PositiveIntegerField(null=True, blank=True)
    on_time = models.BooleanField(null=True)
    cancelled = models.BooleanField(default=False)
    reopened = models.BooleanField(default=False, help_text="created by a return for correction")
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    escalated_at = models.DateTimeField(null=True, blank=True)
    # The "due soon" notice (80% of the Waktu used) was created at this moment.
    warned_at = models.DateTimeField(null=True, blank=True)
    # Who held the task when its overdue notice went out: a later holder (reassignment,
    # delegation, a claim from the queue) gets the overdue notice once (workflows.notifications).
    notified_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Done by an officer who did not hold the step's position (the task's owner permission) at
    # completion: a delegation, an officer who lost the position, an acting official.
    delegated = models.BooleanField(default=False)
    # An acting officer's capacity when they completed it: "Plh. Kepala Dinas" (also delegated).
    acting_as = models.CharField(max_length=220, blank=True, default="")

    objects = TaskSlaQuerySet.as_manager()

    class Meta:
        verbose_name = _("waktu tugas")
        verbose_name_plural = _("waktu tugas")
        indexes = [
            models.Index(fields=["organisation", "opened"], name="tasksla_org_opened"),
            models.Index(fields=["organisation", "sop", "step_number"], name="tasksla_org_step"),
            models.Index(
                fields=["notify_at"],
                condition=Q(escalated_at__isnull=True, finished__isnull=True),
                name="tasksla_escalation_due",
            ),
            models.Index(
                fields=["organisation", "due"], condition=Q(finished__isnull=True), name="tasksla_open_due"
            ),
            models.Index(
                fields=["warn_at"], condition=Q(warned_at__isnull=True, finished__isnull=True), name="tasksla_warning_due"
            ),
        ]

    def __str__(self):
        return f"SLA task {self.task_id}"

    def status(self, now):
        if self.cancelled:
            return SlaStatus.CANCELLED
        if self.finished is not None:
            if self.on_time is None:
                return SlaStatus.DONE_UNTIMED
            return SlaStatus.DONE_ON_TIME if self.on_time else SlaStatus.DONE_LATE
        if now >= self.due:
            return SlaStatus.OVERDUE
        if now >= self.warn_at:
            return SlaStatus.DUE_SOON
        return SlaStatus.ON_TRACK


class ProcessSla(models.Model):
    """A process's overall standard (sum of its steps' standards) and its actual working time.

    ``elapsed_seconds`` grows by each finished task's working time. Steps run one after another,
    so the sum is the working time from start to finish, return rounds included.
    """

    process = models.OneToOneField(SopProcess, on_delete=models.CASCADE, primary_key=True, related_name="sla")
    standard_seconds = models.PositiveIntegerField()
    elapsed_seconds = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("waktu proses")
        verbose_name_plural = _("waktu proses")
