"""Supervisor SLA dashboard, and the menu entries of the dashboard and the officers' notifications.

The view only reads filters, asks ``TaskSla`` QuerySet methods for grouped figures (each one SQL
query however many tasks there are) and turns them into rows and SVG charts.
"""

from collections import defaultdict
from datetime import datetime, time, timedelta
from functools import reduce
from operator import or_
from zoneinfo import ZoneInfo

from django import forms
from django.core.exceptions import PermissionDenied
from django.db.models import ExpressionWrapper, F, FloatField, Q
from django.urls import path
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from viewflow.urls import Application

from .. import charts, sla
from ..catalogue import SOPS, sop_of
from ..models import Organisation, PeriodType, SopProcess, TaskSla
from ..models.process import ROMAN
from ..models.sla import percentiles
from ..permissions import SUPERVISE
from .notifications import NotificationListView, PreferenceView, open_notification

OVERDUE_LIMIT = 50
TREND_PERIODS = 8
HEATMAP_WEEKS = 12


def can_supervise(user):
    """Kadis, Kabid, Kasi (the supervising roles), organisations' admins and administrators."""
    return user.is_authenticated and (
        user.is_superuser or user.has_perm(SUPERVISE) or user.has_perm("workflows.manage_populationprocess")
    )


def is_officer(user):
    return user.is_authenticated and hasattr(user, "officer")


# The SOP periods, independent of the year: a year and a period are two filters, so the form
# stays short however long an organisation's history is.
PERIOD_CHOICES = [
    (f"{kind}-{number}", format_lazy("{} {}", kind.label, ROMAN[number]) if kind != PeriodType.TAHUN else kind.label)
    for kind, count in ((PeriodType.SEMESTER, 2), (PeriodType.TRIWULAN, 4), (PeriodType.TAHUN, 1))
    for number in range(1, count + 1)
]


class DashboardFilterForm(forms.Form):
    organisation = forms.ModelChoiceField(
        Organisation.objects.all(), required=False, label=gettext_lazy("Organisasi"), empty_label=None
    )
    sop = forms.ChoiceField(
        required=False,
        label=gettext_lazy("SOP"),
    )
    year = forms.TypedChoiceField(required=False, coerce=int, empty_value=None, label=gettext_lazy("Tahun"))
    period = forms.ChoiceField(
        required=False, label=gettext_lazy("Periode"), choices=[("", gettext_lazy("Semua periode"))] + PERIOD_CHOICES
    )
    date_from = forms.DateField(
        required=False, label=gettext_lazy("Dari tanggal"), widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        required=False, label=gettext_lazy("Sampai tanggal"), widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, years=(), with_organisation=False, organisation=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sop"].choices = [("", _("Semua SOP"))] + sop_choices(organisation)
        self.fields["year"].choices = [("", _("Semua tahun"))] + [(year, str(year)) for year in years]
        if not with_organisation:
            del self.fields["organisation"]

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            raise forms.ValidationError(_("Tanggal awal tidak boleh sesudah tanggal akhir."))
        return data


def _hours(seconds):
    return None if seconds is None else seconds / 3600


def _hours_label(value):
    return _("%(hours)s j") % {"hours": charts.format_number(value, 1 if value < 10 else 0)}


def _percent(part, whole):
    return None if not whole else 100 * part / whole


def sop_choices(organisation):
    """The SOP filter: the built-in SOPs, then the organisation's own (by their code)."""
    from ..authored.models import SopDefinition

    choices = [(code, f"SOP {code}") for code in SOPS]
    if organisation is not None:
        choices += [
            (definition.key, f"{definition.code} — {definition.name}")
            for definition in SopDefinition.objects.for_organisation(organisation).order_by("code")
        ]
    return choices


def _step_title(sop_code, number, sops=None):
    """"A3. Title": the SOP's short code and the step as the SOP (for an authored SOP, its
    latest published version) numbers it. ``sops`` memoises lookups within one page."""
    sops = {} if sops is None else sops
    if sop_code not in sops:
        sops[sop_code] = sop_of(sop_code)
    sop = sops[sop_code]
    step = next((item for item in sop.steps if item.number == number), None) if sop else None
    prefix = sop.short_code if sop else sop_code
    if sop is not None and sop.authored:
        prefix = f"{prefix} "
    return f"{prefix}{number}. {step.title}" if step else f"{prefix}{number}"


def current_standards(organisation, sop_codes):
    """{(sop, step): (Waktu label, nominal seconds)} of the standards in force today."""
    if not sop_codes:
        return {}
    calendar = sla.calendar_for(organisation)
    standards = {}
    for code in sop_codes:
        sop = sop_of(code)
        if sop is None:
            continue
        for number, (amount, unit) in sla.waktu_table(organisation.pk, sop).items():
            standards[code, number] = (
                sla.waktu_label(amount, unit), int(calendar.standard_duration(amount, unit).total_seconds())
            )
    return standards


def monitoring_links(organisation, step_rows, filters):
    """[(label, url)]: the Formulir Monitoring of each SOP in the rows, for the chosen period if
    a year and a semester, triwulan or year are chosen."""
    from django.urls import reverse

    from ..monitoring import KIND_LETTERS

    shown = {row["sop"] for row in step_rows}
    query = ""
    if filters.get("year") and filters.get("period"):
        kind, number = filters["period"].split("-")
        letter = KIND_LETTERS.get(kind)
        query = f"?periode={filters['year']}-{letter}{number}" if letter else f"?periode={filters['year']}"
    return [
        (label, reverse("sop_monitoring", args=[code]) + query)
        for code, label in sop_choices(organisation) if code in shown
    ]


def _person(row, prefix):
    name = " ".join(filter(None, [row[f"{prefix}first_name"], row[f"{prefix}last_name"]]))
    return name or row[f"{prefix}username"]


class SlaDashboardView(TemplateView):
    template_name = "workflows/sla/dashboard.html"

    def dispatch(self, request, *args, **kwargs):
        if not can_supervise(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def organisation(self):
        officer = getattr(self.request.user, "officer", None)
        if officer is not None:
            return officer.organisation  # officers only ever see their own organisation
        chosen = self.request.GET.get("organisation", "")
        organisations = Organisation.objects.order_by("name")
        return (organisations.filter(pk=chosen).first() if chosen.isdigit() else None) or organisations.first()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        self.sops = {}
        organisation = self.organisation()
        if organisation is None:
            return context
        years = (
            SopProcess.objects.filter(organisation=organisation).values_list("year", flat=True).distinct().order_by("-year")
        )
        form = DashboardFilterForm(
            self.request.GET or None,
            years=list(years),
            with_organisation=not hasattr(self.request.user, "officer"),
            initial={"organisation": organisation.pk},
            organisation=organisation,
        )
        context.update(form=form, organisation=organisation)
        filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
        tz = ZoneInfo(organisation.timezone)
        now = timezone.now()
        tasks = self.filtered(TaskSla.objects.measured().filter(organisation=organisation), filters, tz, organisation)
        context.update(self.step_context(tasks, now, organisation))
        context["monitoring_links"] = monitoring_links(organisation, context["step_rows"], filters)
        context.update(self.officer_context(tasks, now))
        context.update(self.trend_context(tasks, tz))
        context.update(self.heatmap_context(tasks, now, tz, filters, context["step_rows"]))
        context["overdue"] = [
            {"row": row, "due": sla.format_moment(row.due, organisation.timezone), "badge": sla.badge(row.status(now)),
             "title": _step_title(row.sop, row.step_number, self.sops)}
            for row in tasks.overdue_open(now).select_related("task__owner", "process")[:OVERDUE_LIMIT]
        ]
        return context

    def filtered(self, tasks, filters, tz, organisation):
        if filters.get("sop"):
            tasks = tasks.filter(sop=filters["sop"])
        if filters.get("year") or filters.get("period"):
            # Naming the organisation on the process side too lets PostgreSQL start from that
            # organisation's few processes instead of every organisation's processes of the period.
            tasks = tasks.filter(process__organisation_id=organisation.pk)
        if filters.get("year"):
            tasks = tasks.filter(process__year=filters["year"])
        if filters.get("period"):
            period_type, number = filters["period"].split("-")
            tasks = tasks.filter(process__period_type=period_type, process__period_number=number)
        if filters.get("date_from"):
            tasks = tasks.filter(opened__gte=datetime.combine(filters["date_from"], time.min, tz))
        if filters.get("date_to"):
            tasks = tasks.filter(opened__lt=datetime.combine(filters["date_to"] + timedelta(days=1), time.min, tz))
        return tasks

    def step_context(self, tasks, now, organisation):
        figures = list(tasks.step_figures(now))
        spread = percentiles(tasks, ("sop", "step_number"), "elapsed_seconds", (0.5, 0.9))
        current = current_standards(organisation, {row["sop"] for row in figures})
        # Steps whose tasks ran under another Waktu than today's (an admin's penyesuaian waktu
        # baku): list every standard used, and judge the median per task against its own.
        changed = [
            (row["sop"], row["step_number"]) for row in figures
            if row["standard_min"] != row["standard"]
            or row["standard"] != current.get((row["sop"], row["step_number"]), ("", row["standard"]))[1]
        ]
        used, median_ratio = defaultdict(list), {}
        if changed:
            scope = tasks.filter(reduce(or_, (Q(sop=sop, step_number=number) for sop, number in changed)))
            for entry in scope.standards_used():
                used[entry["sop"], entry["step_number"]].append({
                    "label": sla.waktu_label(entry["waktu_amount"], entry["waktu_unit"]),
                    "tasks": entry["tasks"],
                })
            ratios = scope.annotate(
                ratio=ExpressionWrapper(F("elapsed_seconds") * 1.0 / F("standard_seconds"), output_field=FloatField())
            )
            median_ratio = {key: value[0] for key, value in percentiles(ratios, ("sop", "step_number"), "ratio", (0.5,)).items()}
        rows = []
        for row in figures:
            key = (row["sop"], row["step_number"])
            median, p90 = spread.get(key, (None, None))
            # A step the latest version of an authored SOP no longer has keeps the standard it ran under.
            label, standard_now = current.get(key, (_("lihat versi lama"), row["standard"]))
            if key in median_ratio:
                median_over = median_ratio[key] > 1
            else:
                median_over = median is not None and median > row["standard"]
            rows.append({
                **row,
                "title": _step_title(*key, sops=self.sops),
                "waktu": label,
                "standards_used": used.get(key, []),
                "standard_now": standard_now,
                "untimed": row["finished_count"] - row["timed_count"],
                "median": median,
                "p90": p90,
                "median_label": sla.format_working_time(median),
                "p90_label": sla.format_working_time(p90),
                "on_time_percent": _percent(row["on_time_count"], row["timed_count"]),
                "median_over": median_over,
            })
        timed = sum(row["timed_count"] for row in rows)
        summary = {
            "finished": timed,
            "on_time_percent": _percent(sum(row["on_time_count"] for row in rows), timed),
            "overdue_open": sum(row["overdue_open"] for row in rows),
            "returns": sum(row["returns"] for row in rows),
        }
        charted = [row for row in rows if row["timed_count"]]
        chart = charts.hbar_chart(
            [row["title"] for row in charted],
            [(_("Median"), [_hours(row["median"]) for row in charted]),
             (_("Persentil ke-90"), [_hours(row["p90"]) for row in charted])],
            reference=[_hours(row["standard_now"]) for row in charted],
            reference_name=_("Waktu baku (berlaku sekarang)"),
            title=_("Waktu kerja per langkah dibanding waktu baku (jam kerja)"),
            value_format=_hours_label,
        ) if charted else ""
        return {
            "step_rows": rows,
            "summary": summary,
            "step_chart": chart,
            "untimed_total": sum(row["untimed"] for row in rows),
            "standards_changed": bool(changed),
        }

    def officer_context(self, tasks, now):
        done, holding = tasks.officer_figures(now)
        people = defaultdict(lambda: {"finished": 0, "on_time": 0, "open": 0, "overdue": 0})
        for row in done:
            person = people[row["done_by"]]
            person.update(name=_person(row, "done_by__"), finished=row["finished_count"], on_time=row["on_time_count"])
        for row in holding:
            person = people[row["task__owner"]]
            person.update(name=_person(row, "task__owner__"), open=row["open_count"], overdue=row["overdue_count"])
        officers = sorted(people.values(), key=lambda person: (-person["open"], -person["finished"], person["name"]))
        for person in officers:
            person["on_time_percent"] = _percent(person["on_time"], person["finished"])
        return {"officers": officers}

    def trend_context(self, tasks, tz):
        quarters = list(tasks.quarterly_trend(tz))[-TREND_PERIODS:]
        labels = [_("TW %(quarter)s %(year)s") % {"quarter": ROMAN[row["quarter"]], "year": row["year"]}
                  for row in quarters]
        values = [_percent(row["on_time_count"], row["finished_count"]) for row in quarters]
        chart = charts.line_chart(
            labels,
            [(_("% tepat waktu"), values)],
            title=_("Persentase tugas selesai tepat waktu per triwulan"),
            value_format=lambda value: charts.format_number(value, 0) + "%",
            y_max=100,
        ) if quarters else ""
        return {"trend": list(zip(labels, values, quarters)), "trend_chart": chart}

    def heatmap_context(self, tasks, now, tz, filters, step_rows):
        end = now
        if filters.get("date_to"):
            end = min(now, datetime.combine(filters["date_to"] + timedelta(days=1), time.min, tz))
        last_monday = timezone.localtime(end, tz).date() - timedelta(days=timezone.localtime(end, tz).weekday())
        weeks = [last_monday - timedelta(weeks=n) for n in range(HEATMAP_WEEKS - 1, -1, -1)]
        since = datetime.combine(weeks[0], time.min, tz)
        counts = {
            (row["sop"], row["step_number"], timezone.localtime(row["week"], tz).date()
             if isinstance(row["week"], datetime) else row["week"]): row["count"]
            for row in tasks.overdue_by_week(end, since, tz)
        }
        steps = [(row["sop"], row["step_number"], row["title"]) for row in step_rows]
        matrix = [[counts.get((sop, number, week), 0) for week in weeks] for sop, number, _title in steps]
        chart = charts.heatmap(
            [title for _sop, _number, title in steps],
            [date_format(week, "j M") for week in weeks],
            matrix,
            title=_("Tugas terlambat per langkah dan pekan batas waktu"),
        ) if steps else ""
        return {"heatmap_chart": chart, "heatmap_total": sum(map(sum, matrix))}


def sla_applications():
    """The two menu entries for the viewflow Site: the supervisors' dashboard and the notices.

    Each is one page with no sub-pages, so neither has an application menu of its own
    (``menu_template_name=None``); viewflow's default menu would print its developer notice
    "No viewsets found..." in red above the site menu.
    """
    return [
        Application(
            title=gettext_lazy("Kinerja Waktu"),
            icon="timer",
            app_name="sla",
            permission=can_supervise,
            menu_template_name=None,
            urlpatterns=[path("", SlaDashboardView.as_view(), name="index")],
        ),
        Application(
            title=gettext_lazy("Pemberitahuan"),
            icon="notifications",
            app_name="notifications",
            permission=is_officer,
            menu_template_name=None,
            urlpatterns=[
                path("", NotificationListView.as_view(), name="index"),
                path("<int:pk>/buka/", open_notification, name="open"),
                path("pengaturan/", PreferenceView.as_view(), name="preferences"),
            ],
        ),
    ]
