"""Formulir Monitoring Pelaksanaan SOP: per SOP, period and step, how the SOP ran.

For every step of a SOP (a built-in code or an authored key ``u<id>``) in one period:
the number of runs, the median and 90th-percentile working time against the step's Waktu, the
share done within the standard, the returns (to the step and by the step) with their reasons
counted, the delegations, and a Penilaian prefilled from the organisation's rules
(``MonitoringRule``) that an evaluator may overwrite with a note (``StepAssessment``).

Which tasks count: a step's tasks (``TaskSla`` rows, not cancelled) whose ``opened`` moment
(the task's queue time) falls in the period, in the organisation's own time zone. A task
opened on 30 June and finished on 2 July belongs to Semester I: the period is when the work
reached the step. Runs are the finished ones among them; a return counts in the period its
reopened task was opened (returns to a step), or its review task was opened (returns by a
review step). Every figure is a grouped query over those rows, whatever the number of tasks.

Steps are matched by their key (``TaskSla.node``), so renumbering between versions of an
authored SOP does not split a step; the form lists the steps of the latest published version,
then any step only older versions had, under its old number, marked "(versi lama)".
"""

import calendar as month_calendar
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Count, ExpressionWrapper, F, FloatField, Max, Min, Q
from django.db.models.functions import ExtractMonth, ExtractYear
from django.utils import timezone
from django.utils.translation import gettext as _

from . import sla
from .catalogue import is_builtin, sop_of
from .models import MonitoringRule, Penilaian, PeriodType, Review, StepAssessment, TaskSla
from .models.process import PERIOD_LIMITS, ROMAN
from .models.sla import percentiles
from .reports.formatting import number

KIND_LETTERS = {PeriodType.SEMESTER: "s", PeriodType.TRIWULAN: "t"}
LETTER_KINDS = {letter: kind for kind, letter in KIND_LETTERS.items()}
PERIOD_PATTERN = re.compile(r"^(\d{4})(?:-([st])(\d))?$")
FIRST_YEAR, LAST_YEAR = 2000, 2100


class PeriodError(ValueError):
    """A period text that names no period; ``str()`` is the Indonesian message."""


@dataclass(frozen=True)
class Period:
    """A semester, triwulan or year: what the monitoring form covers."""

    year: int
    kind: str = PeriodType.SEMESTER
    number: int = 1

    def __post_init__(self):
        kind = PeriodType(self.kind)
        object.__setattr__(self, "kind", kind)
        if not FIRST_YEAR <= self.year <= LAST_YEAR:
            raise PeriodError(_("Tahun %(year)s di luar rentang %(first)s–%(last)s.") % {
                "year": self.year, "first": FIRST_YEAR, "last": LAST_YEAR})
        if not 1 <= self.number <= PERIOD_LIMITS[kind]:
            raise PeriodError(_("%(kind)s ke-%(number)s tidak ada; pilih 1 sampai %(limit)s.") % {
                "kind": kind.label, "number": self.number, "limit": PERIOD_LIMITS[kind]})

    @classmethod
    def parse(cls, text):
        """"2026-s2" (Semester II 2026), "2026-t3" (Triwulan III 2026) or "2026" (Tahun 2026)."""
        match = PERIOD_PATTERN.match((text or "").strip().lower())
        if match is None:
            raise PeriodError(_(
                "Periode \"%(text)s\" tidak dikenal. Tulis seperti 2026-s2 (semester II), 2026-t3 (triwulan III) "
                "atau 2026 (satu tahun)."
            ) % {"text": text})
        year, letter, number = match.groups()
        if letter is None:
            return cls(int(year), PeriodType.TAHUN, 1)
        return cls(int(year), LETTER_KINDS[letter], int(number))

    @classmethod
    def containing(cls, day, kind=PeriodType.SEMESTER):
        kind = PeriodType(kind)
        months = 12 // PERIOD_LIMITS[kind]
        return cls(day.year, kind, (day.month - 1) // months + 1)

    @property
    def slug(self):
        if self.kind == PeriodType.TAHUN:
            return str(self.year)
        return f"{self.year}-{KIND_LETTERS[self.kind]}{self.number}"

    @property
    def label(self):
        if self.kind == PeriodType.TAHUN:
            return _("Tahun %(year)s") % {"year": self.year}
        return f"{self.kind.label} {ROMAN[self.number]} {self.year}"

    @property
    def start(self):
        months = 12 // PERIOD_LIMITS[self.kind]
        return date(self.year, months * (self.number - 1) + 1, 1)

    @property
    def end(self):
        """The period's last day."""
        months = 12 // PERIOD_LIMITS[self.kind]
        last_month = months * self.number
        return date(self.year, last_month, month_calendar.monthrange(self.year, last_month)[1])

    def bounds(self, tz):
        """[start, end) as aware moments in the time zone ``tz``."""
        return datetime.combine(self.start, time.min, tz), datetime.combine(self.end + timedelta(days=1), time.min, tz)

    def __str__(self):
        return self.label


def _tz(organisation):
    return ZoneInfo(organisation.timezone)


def period_tasks(organisation, sop_code, period):
    """The clocks the form counts: the SOP's tasks in the organisation, not cancelled, opened in the period."""
    start, end = period.bounds(_tz(organisation))
    return TaskSla.objects.measured().filter(
        organisation=organisation, sop=sop_code, opened__gte=start, opened__lt=end
    )


def available_periods(organisation, sop_code):
    """Every period (semesters, then triwulans, then years; newest first) in which a task of the
    SOP was opened. One query."""
    tz = _tz(organisation)
    months = (
        TaskSla.objects.measured().filter(organisation=organisation, sop=sop_code)
        .annotate(y=ExtractYear("opened", tzinfo=tz), m=ExtractMonth("opened", tzinfo=tz))
        .values_list("y", "m").distinct().order_by()
    )
    found = set()
    for year, month in months:
        day = date(year, month, 1)
        for kind in (PeriodType.SEMESTER, PeriodType.TRIWULAN, PeriodType.TAHUN):
            found.add(Period.containing(day, kind))
    order = {PeriodType.SEMESTER: 0, PeriodType.TRIWULAN: 1, PeriodType.TAHUN: 2}
    return sorted(found, key=lambda period: (order[period.kind], -period.year, -period.number))


def default_period(organisation, sop_code, today=None):
    """The semester of today if the SOP has tasks in it, else the latest semester that has."""
    today = today or timezone.localdate(timezone=_tz(organisation))
    current = Period.containing(today)
    semesters = [period for period in available_periods(organisation, sop_code) if period.kind == PeriodType.SEMESTER]
    if not semesters or current in semesters:
        return current
    return semesters[0]


def normalise_reason(text):
    return " ".join((text or "").split())


def _counted(pairs):
    """[(text, count)] merged after whitespace normalisation, most frequent first, then by text."""
    totals = defaultdict(int)
    for text, count in pairs:
        totals[normalise_reason(text) or _("(tanpa catatan)")] += count
    return sorted(totals.items(), key=lambda item: (-item[1], item[0]))


@dataclass
class MonitoringRow:
    """One step of the form. Times in working seconds; shares in percent (None: nothing to divide)."""

    number: int
    key: str
    title: str
    kegiatan: str
    pelaksana: str
    waktu_label: str
    standard_seconds: int
    old_version: bool = False  # a step only older versions of the SOP have
    standards_used: list = field(default_factory=list)  # Waktu labels the tasks ran under, if not one
    runs: int = 0  # finished tasks
    open_count: int = 0  # tasks opened in the period and not finished (yet)
    timed_runs: int = 0
    on_time_count: int = 0
    median_seconds: float | None = None
    p90_seconds: float | None = None
    median_ratio: float | None = None  # median of working time ÷ Waktu, per task against its own Waktu
    returns_to: int = 0  # times the work was sent back to this step
    returns_from: int = 0  # times this review step sent the work back
    reasons_to: list = field(default_factory=list)  # [(reason, count)] of the returns to this step
    reasons_from: list = field(default_factory=list)  # [(reason, count)] of the returns by this step
    delegations: int = 0
    automatic: str | None = None  # Penilaian value; None when there are no runs to judge
    automatic_reasons: list = field(default_factory=list)  # why Tidak berjalan baik (sentences)
    assessment: StepAssessment | None = None  # the evaluator's own Penilaian, if written

    @property
    def untimed(self):
        """Runs but no working time: step 1, done in the start form."""
        return self.runs > 0 and self.timed_runs == 0

    @property
    def on_time_percent(self):
        return 100 * self.on_time_count / self.timed_runs if self.timed_runs else None

    @property
    def returns_percent(self):
        return 100 * self.returns_to / self.runs if self.runs else None

    @property
    def median_percent(self):
        return 100 * self.median_ratio if self.median_ratio is not None else None

    @property
    def median_label(self):
        return sla.format_working_time(self.median_seconds)

    @property
    def p90_label(self):
        return sla.format_working_time(self.p90_seconds)

    @property
    def penilaian(self):
        """What the form states: the evaluator's Penilaian, else the automatic one."""
        return self.assessment.penilaian if self.assessment is not None else self.automatic

    @property
    def penilaian_label(self):
        return Penilaian(self.penilaian).label if self.penilaian else _("Tidak ada pelaksanaan")

    @property
    def automatic_label(self):
        return Penilaian(self.automatic).label if self.automatic else _("Tidak ada pelaksanaan")

    @property
    def overridden(self):
        return self.assessment is not None and self.assessment.penilaian != self.automatic


@dataclass
class MonitoringForm:
    organisation: object
    sop: object  # workflows.sops.spec.Sop (an authored SOP: its latest published version)
    sop_code: str
    period: Period
    rule: MonitoringRule
    rows: list

    @property
    def totals(self):
        """Sums over the steps; the time shares over every timed run of the SOP."""
        timed = sum(row.timed_runs for row in self.rows)
        on_time = sum(row.on_time_count for row in self.rows)
        return {
            "runs": sum(row.runs for row in self.rows),
            "timed_runs": timed,
            "on_time_count": on_time,
            "on_time_percent": 100 * on_time / timed if timed else None,
            "returns_to": sum(row.returns_to for row in self.rows),
            "returns_from": sum(row.returns_from for row in self.rows),
            "delegations": sum(row.delegations for row in self.rows),
            "baik": sum(row.penilaian == Penilaian.BAIK for row in self.rows),
            "tidak_baik": sum(row.penilaian == Penilaian.TIDAK_BAIK for row in self.rows),
        }

    def row(self, key):
        return next((row for row in self.rows if row.key == key), None)


def judge(row, rule):
    """(Penilaian value, [reasons]) of one step under the organisation's rule; (None, []) without runs."""
    if not row.runs:
        return None, []
    reasons = []
    on_time = row.on_time_percent
    if on_time is not None and on_time < rule.min_on_time_percent:
        reasons.append(_("tepat waktu %(share)s%% di bawah batas %(limit)s%%") % {
            "share": _number(on_time), "limit": rule.min_on_time_percent})
    returns = row.returns_percent
    if returns is not None and returns > rule.max_returns_percent:
        reasons.append(_("pengembalian %(share)s%% di atas batas %(limit)s%%") % {
            "share": _number(returns), "limit": rule.max_returns_percent})
    median = row.median_percent
    if rule.max_median_percent is not None and median is not None and median > rule.max_median_percent:
        reasons.append(_("median waktu kerja %(share)s%% dari Waktu, di atas batas %(limit)s%%") % {
            "share": _number(median), "limit": rule.max_median_percent})
    return (Penilaian.TIDAK_BAIK if reasons else Penilaian.BAIK), reasons


def _number(value):
    return number(value, 0 if float(value).is_integer() else 1)


def _old_steps(sop_code, keys):
    """{key: Step} of steps that only older published versions of an authored SOP have (the
    newest version that had each one). One query."""
    if not keys or is_builtin(sop_code):
        return {}
    from .authored.models import SopDefinition, SopVersion, VersionStep

    definition = SopDefinition.objects.from_key(sop_code)
    if definition is None:
        return {}
    found = {}
    steps = (
        VersionStep.objects.filter(version__definition=definition, version__status=SopVersion.PUBLISHED, key__in=keys)
        .select_related("position").order_by("key", "-version__number")
    )
    for step in steps:
        found.setdefault(step.key, step)
    return found


def monitoring_form(organisation, sop_code, period, rule=None):
    """The Formulir Monitoring of one SOP in one period; None if the SOP does not exist (any more).

    A constant number of queries: grouped figures per step, the two percentile queries, the
    returns with their reasons (two grouped queries), the Waktu in force, rule and assessments.
    """
    sop = sop_of(sop_code)
    if sop is None:
        return None
    rule = rule or MonitoringRule.for_organisation(organisation)
    tasks = period_tasks(organisation, sop_code, period)
    figures = {
        entry["node"]: entry
        for entry in tasks.values("node").annotate(
            last_number=Max("step_number"),
            runs=Count("pk", filter=Q(finished__isnull=False)),
            open_count=Count("pk", filter=Q(finished__isnull=True)),
            timed_runs=Count("pk", filter=Q(finished__isnull=False, elapsed_seconds__isnull=False)),
            on_time_count=Count("pk", filter=Q(on_time=True)),
            returns_to=Count("pk", filter=Q(reopened=True)),
            delegations=Count("pk", filter=Q(finished__isnull=False, delegated=True)),
        ).order_by()
    }
    spread = {key[0]: value for key, value in percentiles(tasks, ("node",), "elapsed_seconds", (0.5, 0.9)).items()}
    ratios = tasks.annotate(
        ratio=ExpressionWrapper(F("elapsed_seconds") * 1.0 / F("standard_seconds"), output_field=FloatField())
    )
    median_ratio = {key[0]: value[0] for key, value in percentiles(ratios, ("node",), "ratio", (0.5,)).items()}
    used = defaultdict(list)
    for entry in tasks.values("node", "waktu_amount", "waktu_unit").annotate(first=Min("opened")).order_by("first"):
        label = sla.waktu_label(entry["waktu_amount"], entry["waktu_unit"])
        if label not in used[entry["node"]]:
            used[entry["node"]].append(label)

    # Returns by a review step: its Review rows. Returns to a step: the reviews whose If gate
    # opened the step's reopened task (review task -> gate -> reopened task).
    returned = Review.objects.filter(decision=Review.RETURN)
    reasons_from, reasons_to = defaultdict(list), defaultdict(list)
    for entry in returned.filter(task__sla__in=tasks).values("task__sla__node", "notes").annotate(n=Count("pk")).order_by():
        reasons_from[entry["task__sla__node"]].append((entry["notes"], entry["n"]))
    reopened = tasks.filter(reopened=True)
    to_node = "task__leading__leading__sla__node"
    for entry in (
        returned.filter(task__leading__leading__sla__in=reopened).values(to_node, "notes").annotate(n=Count("pk")).order_by()
    ):
        reasons_to[entry[to_node]].append((entry["notes"], entry["n"]))

    calendar = sla.calendar_for(organisation)
    waktu = sla.waktu_by_node(organisation.pk, sop)
    steps = [(step, False) for step in sop.steps]
    known = {step.node for step in sop.steps}
    old = _old_steps(sop_code, sorted(set(figures) - known))
    for key in sorted(set(figures) - known, key=lambda key: (figures[key]["last_number"], key)):
        step = old.get(key)
        steps.append((step, True) if step is not None else (key, True))
    assessments = {
        row.step_key: row
        for row in StepAssessment.objects.filter(organisation=organisation, sop=sop_code, period=period.slug)
        .select_related("author")
    }

    rows = []
    for step, is_old in steps:
        if isinstance(step, str):  # a key no published version has (should not happen): its tasks' own data
            key, entry = step, figures[step]
            row = MonitoringRow(number=entry["last_number"], key=key, title=key, kegiatan="", pelaksana="",
                                waktu_label=(used[key] or ["—"])[-1], standard_seconds=0, old_version=True)
        elif is_old:
            key = step.key
            row = MonitoringRow(
                number=figures[key]["last_number"], key=key, title=step.title, kegiatan=step.kegiatan,
                pelaksana=step.position.name, waktu_label=sla.waktu_label(step.waktu_amount, step.waktu_unit), old_version=True,
                standard_seconds=int(calendar.standard_duration(step.waktu_amount, step.waktu_unit).total_seconds()),
            )
        else:
            key = step.node
            amount, unit = waktu[key]
            row = MonitoringRow(
                number=step.number, key=key, title=str(step.title or step.kegiatan), kegiatan=step.kegiatan,
                pelaksana=str(step.actor_label), waktu_label=sla.waktu_label(amount, unit),
                standard_seconds=int(calendar.standard_duration(amount, unit).total_seconds()),
            )
        entry = figures.get(key)
        if entry is not None:
            for name in ("runs", "open_count", "timed_runs", "on_time_count", "returns_to", "delegations"):
                setattr(row, name, entry[name])
        row.median_seconds, row.p90_seconds = spread.get(key, (None, None))
        row.median_ratio = median_ratio.get(key)
        if used[key] and used[key] != [row.waktu_label]:
            row.standards_used = used[key]
        row.reasons_from = _counted(reasons_from.get(key, ()))
        row.reasons_to = _counted(reasons_to.get(key, ()))
        row.returns_from = sum(count for _text, count in row.reasons_from)
        row.automatic, row.automatic_reasons = judge(row, rule)
        row.assessment = assessments.get(key)
        rows.append(row)
    return MonitoringForm(organisation=organisation, sop=sop, sop_code=sop_code, period=period, rule=rule, rows=rows)


def save_assessment(form, key, penilaian, note, user):
    """Write (or, with an empty ``penilaian``, remove) the evaluator's Penilaian of step ``key``.

    Raises ``django.core.exceptions.ValidationError`` (Indonesian) for an unknown step or a
    differing Penilaian without a note. Returns the row, or None when removed."""
    from django.core.exceptions import ValidationError

    row = form.row(key)
    if row is None:
        raise ValidationError(_("Langkah ini tidak ada dalam formulir monitoring."))
    scope = {"organisation": form.organisation, "sop": form.sop_code, "period": form.period.slug, "step_key": key}
    if not penilaian:
        StepAssessment.objects.filter(**scope).delete()
        return None
    if penilaian not in Penilaian.values:
        raise ValidationError(_("Pilih Berjalan baik atau Tidak berjalan baik."))
    assessment = StepAssessment.objects.filter(**scope).first() or StepAssessment(**scope)
    assessment.penilaian, assessment.note = penilaian, (note or "").strip()
    assessment.automatic, assessment.author = row.automatic or "", user
    assessment.full_clean()
    assessment.save()
    return assessment
