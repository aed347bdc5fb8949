"""The Formulir Monitoring Pelaksanaan SOP as a landscape A4 PDF and as an XLSX workbook.

Both read a ``workflows.monitoring.MonitoringForm``; the PDF prints formatted Indonesian text,
the workbook keeps numbers as numbers (working hours, shares as fractions) with number formats.
"""

import io

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .. import charts, sla
from ..models.acting import local_day
from .charts import fit
from .formatting import DASH, long_date, number, percent
from .pdf import indonesian, render_pdf


def hours(seconds):
    return None if seconds is None else seconds / 3600


def reasons_text(pairs):
    return "; ".join(f"{text} ({count}×)" for text, count in pairs)


def step_label(row):
    suffix = f" {_('(versi lama)')}" if row.old_version else ""
    return f"{row.number}. {row.title}{suffix}"


def step_chart(form):
    """Median and p90 against each step's Waktu (working hours), for the timed steps."""
    timed = [row for row in form.rows if row.timed_runs]
    if not timed:
        return ""
    return charts.hbar_chart(
        [step_label(row) for row in timed],
        [(_("Median"), [hours(row.median_seconds) for row in timed]),
         (_("Persentil ke-90"), [hours(row.p90_seconds) for row in timed])],
        reference=[hours(row.standard_seconds) for row in timed],
        reference_name=_("Waktu baku"),
        title=_("Waktu kerja per langkah dibanding waktu baku (jam kerja)"),
        value_format=lambda value: _("%(hours)s j") % {"hours": charts.format_number(value, 1 if value < 10 else 0)},
    )


def sop_heading(form):
    sop = form.sop
    return {
        "sop_name": sop.name,
        "sop_code": sop.short_code,
        "sop_number": sop.identity.nomor or DASH,
        "version": sop.version_number if sop.authored else "",
    }


def printed_rows(form):
    rows = []
    for row in form.rows:
        timed = not row.untimed
        rows.append({
            "label": step_label(row),
            "number": row.number,
            "title": row.title,
            "old": row.old_version,
            "pelaksana": row.pelaksana or DASH,
            "waktu": row.waktu_label + (f" ({' → '.join(row.standards_used)})" if row.standards_used else ""),
            "runs": number(row.runs),
            "untimed": row.untimed,
            "median": sla.format_working_time(row.median_seconds) if timed else "",
            "p90": sla.format_working_time(row.p90_seconds) if timed else "",
            "median_percent": percent(row.median_percent, 0) if timed else "",
            "on_time": percent(row.on_time_percent, 1) if timed else "",
            "returns_to": number(row.returns_to),
            "returns_percent": percent(row.returns_percent, 1),
            "returns_from": number(row.returns_from),
            "reasons": [f"{text} ({count}×)" for text, count in row.reasons_to],
            "reasons_from": [f"{text} ({count}×)" for text, count in row.reasons_from],
            "delegations": number(row.delegations),
            "penilaian": row.penilaian_label,
            "automatic": row.automatic_label,
            "overridden": row.overridden,
            "note": row.assessment.note if row.assessment is not None else "",
            "automatic_reasons": row.automatic_reasons,
        })
    return rows


def render_monitoring_pdf(form, evaluator=None):
    """The form as PDF bytes. ``evaluator``: the officer printing it, named in the signature
    block when given (else a line to sign on)."""
    with indonesian():
        totals = form.totals
        rule = form.rule
        chart = step_chart(form)
        context = {
            "final": True,
            "organisation": form.organisation,
            "title": _("Formulir Monitoring Pelaksanaan SOP"),
            "period": form.period.label,
            "period_range": f"{long_date(form.period.start)} – {long_date(form.period.end)}",
            **sop_heading(form),
            "rows": printed_rows(form),
            "totals": {
                "runs": number(totals["runs"]),
                "on_time": percent(totals["on_time_percent"], 1),
                "returns_to": number(totals["returns_to"]),
                "returns_from": number(totals["returns_from"]),
                "delegations": number(totals["delegations"]),
            },
            "rule": {
                "on_time": rule.min_on_time_percent,
                "returns": rule.max_returns_percent,
                "median": rule.max_median_percent,
            },
            "chart": fit(chart, 200, 110) if chart else "",
            "place": form.organisation.signing_place,
            "today": long_date(local_day(form.organisation)),
            "evaluator_name": evaluator.display_name if evaluator is not None else "",
            "evaluator_nip": evaluator.nip if evaluator is not None else "",
        }
        title = f"{context['title']} — {context['sop_name']} — {context['period']}"
        return render_pdf("reports/monitoring.html", context, title=title,
                          header_left=f"{context['title']} — {context['sop_code']} — {context['period']}",
                          header_right=form.organisation.short_name)


HEADERS = (
    # (header, width, number format or None)
    (gettext_lazy("No."), 6, None),
    (gettext_lazy("Kegiatan"), 42, None),
    (gettext_lazy("Pelaksana"), 22, None),
    (gettext_lazy("Waktu baku"), 12, None),
    (gettext_lazy("Waktu baku (jam kerja)"), 11, "0.00"),
    (gettext_lazy("Jumlah pelaksanaan"), 12, "#,##0"),
    (gettext_lazy("Pelaksanaan diukur"), 11, "#,##0"),
    (gettext_lazy("Median (jam kerja)"), 11, "0.00"),
    (gettext_lazy("Persentil ke-90 (jam kerja)"), 12, "0.00"),
    (gettext_lazy("Median terhadap Waktu"), 11, "0%"),
    (gettext_lazy("Tepat waktu"), 10, "0.0%"),
    (gettext_lazy("Dikembalikan ke langkah ini"), 13, "#,##0"),
    (gettext_lazy("Pengembalian terhadap pelaksanaan"), 13, "0.0%"),
    (gettext_lazy("Alasan pengembalian ke langkah ini"), 40, None),
    (gettext_lazy("Dikembalikan oleh langkah ini"), 13, "#,##0"),
    (gettext_lazy("Alasan pengembalian oleh langkah ini"), 40, None),
    (gettext_lazy("Delegasi"), 10, "#,##0"),
    (gettext_lazy("Penilaian otomatis"), 18, None),
    (gettext_lazy("Penilaian"), 18, None),
    (gettext_lazy("Catatan evaluator"), 40, None),
)
HEADER_ROW = 7


def _share(value):
    return None if value is None else value / 100


def monitoring_workbook(form):
    """The form as XLSX bytes: a title block, one row per step under a frozen header, a totals row."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    with indonesian():
        book = Workbook()
        sheet = book.active
        sheet.title = _("Monitoring")
        heading = sop_heading(form)
        title_rows = [
            (_("Formulir Monitoring Pelaksanaan SOP"),),
            (_("Instansi"), form.organisation.name),
            (_("Nama SOP"), heading["sop_name"]),
            (_("Nomor SOP"), heading["sop_number"]),
            (_("Periode"), f"{form.period.label} ({long_date(form.period.start)} – {long_date(form.period.end)})"),
        ]
        for index, values in enumerate(title_rows, start=1):
            for column, value in enumerate(values, start=1):
                sheet.cell(row=index, column=column, value=str(value))
        sheet.cell(row=1, column=1).font = Font(bold=True, size=13)

        thin = Side(style="thin", color="9FB0BD")
        border = Border(left=thin, right=thin, top=thin, bottom=thin)
        fill = PatternFill("solid", fgColor="DFE9F1")
        for column, (header, width, _format) in enumerate(HEADERS, start=1):
            cell = sheet.cell(row=HEADER_ROW, column=column, value=str(header))
            cell.font, cell.fill, cell.border = Font(bold=True), fill, border
            cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
            sheet.column_dimensions[get_column_letter(column)].width = width
        sheet.freeze_panes = sheet.cell(row=HEADER_ROW + 1, column=3)

        line = HEADER_ROW
        for row in form.rows:
            line += 1
            timed = not row.untimed
            values = [
                row.number,
                row.title + (f" {_('(versi lama)')}" if row.old_version else ""),
                row.pelaksana,
                row.waktu_label + (f" ({' → '.join(row.standards_used)})" if row.standards_used else ""),
                hours(row.standard_seconds),
                row.runs,
                row.timed_runs,
                hours(row.median_seconds) if timed else _("tidak diukur"),
                hours(row.p90_seconds) if timed else _("tidak diukur"),
                row.median_ratio,
                _share(row.on_time_percent) if timed else _("tidak diukur"),
                row.returns_to,
                _share(row.returns_percent),
                reasons_text(row.reasons_to),
                row.returns_from,
                reasons_text(row.reasons_from),
                row.delegations,
                str(row.automatic_label),
                str(row.penilaian_label),
                row.assessment.note if row.assessment is not None else "",
            ]
            _write(sheet, line, values, border)

        totals = form.totals
        line += 1
        sums = {
            1: _("Jumlah"), 6: totals["runs"], 7: totals["timed_runs"], 11: _share(totals["on_time_percent"]),
            12: totals["returns_to"], 15: totals["returns_from"], 17: totals["delegations"],
        }
        _write(sheet, line, [sums.get(column) for column in range(1, len(HEADERS) + 1)], border, bold=True)
        sheet.cell(row=line + 2, column=1, value=_(
            "Waktu dalam jam kerja (Perpres 21/2023). Tugas dihitung pada periode saat dibuka; langkah 1 "
            "diselesaikan pada formulir mulai sehingga tidak diukur."
        ))
        buffer = io.BytesIO()
        book.save(buffer)
        return buffer.getvalue()


def _write(sheet, line, values, border, bold=False):
    from openpyxl.styles import Alignment, Font

    for column, value in enumerate(values, start=1):
        cell = sheet.cell(row=line, column=column, value=value)
        number_format = HEADERS[column - 1][2]
        if number_format and isinstance(value, (int, float)):
            cell.number_format = number_format
        cell.border = border
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        if bold:
            cell.font = Font(bold=True)
