"""Processes that start themselves: an organisation's schedule for one SOP, and the starts it made.

A ``SopSchedule`` says "start this SOP for every period of this kind, on the first working day
after the period ends, at this local time" (SOP A: every semester, on the first working day after
30 June and 31 December, 07:30). The timers loop (``manage.py run_timers``) asks
``SopSchedule.objects.start_due()`` on every sweep. A period is started at most once: each start
writes a ``ScheduledStart`` row whose unique constraint (organisation, SOP, period) lets only one
of two loops running at once win, in the same transaction that creates the process. A loop that
was down at 07:30 starts the period on its next sweep, as long as the next period is not due yet.
"""

import calendar
import logging
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.urls import get_resolver
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .organisation import Organisation
from .process import PERIOD_LIMITS, PeriodType, SopProcess

logger = logging.getLogger(__name__)


def period_end(year, period_type, number):
    months = 12 // PERIOD_LIMITS[period_type]
    last_month = months * number
    return date(year, last_month, calendar.monthrange(year, last_month)[1])


def latest_ended_period(day, period_type):
    """(year, number) of the last period of ``period_type`` that ended before ``day``."""
    months = 12 // PERIOD_LIMITS[period_type]
    current = (day.month - 1) // months + 1
    if current > 1:
        return day.year, current - 1
    return day.year - 1, PERIOD_LIMITS[period_type]


class SopScheduleQuerySet(models.QuerySet):
    def active(self):
        return self.filter(active=True)

    def start_due(self, now=None):
        """Start every due period of every active schedule; returns the processes started."""
        now = now or timezone.now()
        schedules = list(self.active().select_related("organisation").order_by("pk"))
        if schedules:
            # A flow reverses its task links (notices, audit) through the Site that mounts it, and
            # that exists only once the URLconf is imported, which a timers loop started with
            # --skip-checks (or call_command) has not done: a start must not depend on it.
            get_resolver().url_patterns
        started = []
        for schedule in schedules:
            process = schedule.start_if_due(now)
            if process is not None:
                started.append(process)
        return started


class SopSchedule(models.Model):
    """An organisation's standing order to start one SOP at the end of every period."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="sop_schedules", verbose_name=_("organisasi")
    )
    # A built-in SOP's code or an authored SOP's key ("u<definition id>"), as SopProcess.sop.
    sop = models.CharField(_("SOP"), max_length=40)
    period_type = models.CharField(
        _("setiap"), max_length=10, choices=PeriodType.choices, default=PeriodType.SEMESTER,
        help_text=_("Proses dimulai pada hari kerja pertama setelah akhir setiap periode (semester: setelah 30 Juni "
                    "dan 31 Desember; triwulan: setelah 31 Maret, 30 Juni, 30 September dan 31 Desember)."),
    )
    start_time = models.TimeField(
        _("jam mulai"), default=time(7, 30), help_text=_("Waktu setempat menurut zona waktu organisasi.")
    )
    first_day = models.DateField(
        _("berlaku mulai"), default=timezone.localdate,
        help_text=_("Periode yang hari mulainya sebelum tanggal ini tidak dimulai otomatis."),
    )
    active = models.BooleanField(_("aktif"), default=True, help_text=_("Matikan untuk menghentikan mulai otomatis."))
    # The latest reason a due start could not be made (shown in the admin; the trail has each one).
    last_error = models.TextField(_("kegagalan terakhir"), blank=True, editable=False)
    last_error_period = models.CharField(max_length=20, blank=True, editable=False)

    objects = SopScheduleQuerySet.as_manager()

    class Meta:
        verbose_name = _("jadwal mulai otomatis")
        verbose_name_plural = _("jadwal mulai otomatis")
        ordering = ["organisation", "sop"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "sop", "period_type"], name="one_schedule_per_sop_period")
        ]

    def __str__(self):
        return f"{self.sop_label} · {PeriodType(self.period_type).label}"

    @property
    def sop_label(self):
        from ..catalogue import sop_of

        sop = sop_of(self.sop)
        return f"{sop.short_code} {sop.name}" if sop is not None else self.sop

    def clean(self):
        from ..catalogue import SOPS
        from ..authored.models import SopDefinition

        if self.sop in SOPS:
            if self.period_type not in SOPS[self.sop].period_kinds:
                raise ValidationError({"period_type": _("SOP ini tidak dijalankan per %(kind)s.") % {
                    "kind": PeriodType(self.period_type).label.lower()}})
            return
        definition = SopDefinition.objects.from_key(self.sop)
        if definition is None or definition.organisation_id != self.organisation_id:
            raise ValidationError({"sop": _("Pilih SOP bawaan atau SOP milik organisasi ini.")})

    # -- when ------------------------------------------------------------------------------

    def calendar(self):
        from ..sla import calendar_for

        return calendar_for(self.organisation)

    def start_day(self, year, number, work_calendar=None):
        """The first working day after the period ends (weekends, holidays, cuti bersama skipped)."""
        work_calendar = work_calendar or self.calendar()
        day = period_end(year, self.period_type, number) + timedelta(days=1)
        while not work_calendar.is_working_day(day):
            day += timedelta(days=1)
        return day

    def start_moment(self, year, number, work_calendar=None):
        day = self.start_day(year, number, work_calendar)
        return datetime.combine(day, self.start_time, tzinfo=ZoneInfo(self.organisation.timezone))

    def due_period(self, now):
        """(year, number) of the period to start at ``now``, or None: the last period that ended,
        once its start moment has come and until the next period's start moment."""
        local = timezone.localtime(now, ZoneInfo(self.organisation.timezone))
        year, number = latest_ended_period(local.date(), self.period_type)
        work_calendar = self.calendar()
        if now < self.start_moment(year, number, work_calendar):
            return None
        if self.start_day(year, number, work_calendar) < self.first_day:
            return None
        return year, number

    def next_start_moment(self, now=None):
        """When this schedule starts its next process (the admin's list), or None when off."""
        if not self.active:
            return None
        now = now or timezone.now()
        local = timezone.localtime(now, ZoneInfo(self.organisation.timezone))
        year, number = latest_ended_period(local.date(), self.period_type)
        work_calendar = self.calendar()
        for _attempt in range(PERIOD_LIMITS[self.period_type] + 2):
            if self.start_day(year, number, work_calendar) >= self.first_day and not self.started(year, number):
                return max(self.start_moment(year, number, work_calendar), now)
            year, number = (year, number + 1) if number < PERIOD_LIMITS[self.period_type] else (year + 1, 1)
        return None

    # -- starting --------------------------------------------------------------------------

    def started(self, year, number):
        return ScheduledStart.objects.filter(organisation_id=self.organisation_id, sop=self.sop, year=year,
                                             period_type=self.period_type, period_number=number).exists()

    def period_key(self, year, number):
        return f"{year}-{self.period_type}-{number}"

    def start_if_due(self, now):
        """Start the due period's process unless it has been started (by a schedule or by hand);
        returns the new process, or None."""
        period = self.due_period(now)
        if period is None:
            return None
        year, number = period
        if self.started(year, number):
            return None
        try:
            with transaction.atomic():
                record = ScheduledStart.objects.create(
                    schedule=self, organisation_id=self.organisation_id, sop=self.sop, year=year,
                    period_type=self.period_type, period_number=number,
                )
                existing = self.existing_process(year, number)
                if existing is not None:
                    record.process = existing
                    record.save(update_fields=["process"])
                    return None
                process = self.start_process(year, number)
                record.process = process
                record.save(update_fields=["process"])
        except IntegrityError:
            # Another loop started this period first (or an officer did, a moment ago).
            return None
        except Exception as error:  # noqa: BLE001 - any failure is recorded and retried next sweep
            self.record_failure(year, number, error)
            return None
        if self.last_error:
            SopSchedule.objects.filter(pk=self.pk).update(last_error="", last_error_period="")
        logger.info("Schedule %s started process %s for %s", self.pk, process.pk, self.period_key(year, number))
        return process

    def existing_process(self, year, number):
        """A live process of this SOP and period an officer started by hand (built-in SOPs run
        once per period; an authored SOP's processes are per case, so none counts)."""
        return SopProcess.objects.filter(
            organisation_id=self.organisation_id, sop=self.sop, year=year, period_type=self.period_type,
            period_number=number, cancelled=False, per_period=True,
        ).first()

    def start_process(self, year, number):
        """The SOP's flow starts the process through its ``scheduled_start`` node, which gives
        step 1 to the position the SOP names (its queue) with a deadline counted from now."""
        from ..catalogue import hook, package_of

        flow_class = package_of(self.sop).flow_class
        prepare = hook(self.sop, "prepare_scheduled_process")
        return flow_class.scheduled_start.run(schedule=self, year=year, number=number, prepare=prepare)

    def record_failure(self, year, number, error):
        from .audit import AuditEvent

        reasons = error.messages if isinstance(error, ValidationError) else [str(error)]
        message = "; ".join(reasons)[:1000] or error.__class__.__name__
        key = self.period_key(year, number)
        logger.warning("Schedule %s could not start %s: %s", self.pk, key, error.__class__.__name__)
        if (self.last_error, self.last_error_period) == (message, key):
            return  # said once for this period; the next sweep tries again
        SopSchedule.objects.filter(pk=self.pk).update(last_error=message, last_error_period=key)
        self.last_error, self.last_error_period = message, key
        AuditEvent.record(
            AuditEvent.Action.SCHEDULE_FAILED,
            detail=_("Jadwal %(schedule)s tidak dapat memulai proses %(period)s: %(reason)s") % {
                "schedule": str(self), "period": key, "reason": message},
        )


class ScheduledStart(models.Model):
    """One period a schedule has taken care of: the process it started, or the one it found."""

    schedule = models.ForeignKey(SopSchedule, on_delete=models.CASCADE, related_name="starts")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    sop = models.CharField(max_length=40)
    year = models.PositiveSmallIntegerField()
    period_type = models.CharField(max_length=10, choices=PeriodType.choices)
    period_number = models.PositiveSmallIntegerField()
    process = models.ForeignKey(SopProcess, on_delete=models.SET_NULL, null=True, related_name="+")
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("mulai otomatis")
        verbose_name_plural = _("mulai otomatis")
        ordering = ["-created"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "sop", "year", "period_type", "period_number"], name="one_scheduled_start_per_period"
            )
        ]


