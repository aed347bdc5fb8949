"""SOP B outputs: the Laporan Pemanfaatan Data Kependudukan oleh OPD (step 5) and the LAKIP Bidang
material (step 6)."""

from decimal import Decimal

from django.utils.translation import gettext as _

from workflows.charts import hbar_chart
from workflows.models.process import PERIOD_LIMITS, ROMAN, PeriodType

from workflows.reports.charts import fit, share_bar
from workflows.reports.formatting import DASH, long_date, number, percent
from workflows.reports.pdf import indonesian, render_pdf


def period_name(period_type, year, period_number):
    """'Triwulan II 2026', 'Semester I 2025', 'Tahun 2026' for any period, not only the process's."""
    if period_type == PeriodType.TAHUN:
        return _("Tahun %(year)s") % {"year": year}
    return f"{PeriodType(period_type).label} {ROMAN.get(period_number, period_number)} {year}"


def previous_period_name(process):
    if process.period_type == PeriodType.TAHUN or PERIOD_LIMITS.get(process.period_type) is None:
        return _("Tahun %(year)s") % {"year": process.year - 1}
    year, number_ = process.previous_period()
    return period_name(process.period_type, year, number_)


def paragraphs(text):
    """Blank-line separated paragraphs of an officer's free text; single line breaks are kept."""
    return [part.strip() for part in str(text or "").replace("\r\n", "\n").split("\n\n") if part.strip()]


def _change(current, previous, decimals=0, unit=""):
    if previous is None:
        return DASH
    difference = current - previous
    sign = "+" if difference > 0 else ""
    return f"{sign}{number(difference, decimals)}{unit}"


def _uses_by_type(figures):
    return {row["type"]: row for row in (figures or {}).get("per_type", [])}


def utilization_context(process, figures, previous, evaluation_text):
    by_type, before_type = _uses_by_type(figures), _uses_by_type(previous)
    types = list(dict.fromkeys([*by_type, *before_type]))
    labels = {key: (by_type.get(key) or before_type.get(key))["label"] for key in types}
    comparison = [
        (_("OPD yang memanfaatkan data kependudukan"), number(figures["opd_using"]),
         number(previous["opd_using"]) if previous else DASH,
         _change(figures["opd_using"], previous["opd_using"] if previous else None)),
        (_("Jumlah OPD aktif"), number(figures["opd_total"]), number(previous["opd_total"]) if previous else DASH,
         _change(figures["opd_total"], previous["opd_total"] if previous else None)),
        (_("Persentase OPD yang memanfaatkan"), percent(figures["share_percent"]),
         percent(previous["share_percent"]) if previous else DASH,
         _change(figures["share_percent"], previous["share_percent"] if previous else None, 2, _(" poin"))),
        (_("Jumlah pemanfaatan"), number(figures["total_uses"]), number(previous["total_uses"]) if previous else DASH,
         _change(figures["total_uses"], previous["total_uses"] if previous else None)),
    ]
    for key in types:
        now, before = by_type.get(key, {}).get("uses", 0), before_type.get(key, {}).get("uses") if previous else None
        comparison.append((_("%(type)s (jumlah)") % {"type": labels[key]}, number(now),
                           number(before) if before is not None else DASH, _change(now, before)))

    per_opd = figures.get("per_opd", [])
    previous_uses = {row["opd"]: row["uses"] for row in (previous or {}).get("per_opd", [])}
    series = [(_("Periode ini"), [row["uses"] for row in per_opd])]
    if previous:
        series.append((_("Periode sebelumnya"), [previous_uses.get(row["opd"]) for row in per_opd]))
    charts = {
        "share": fit(share_bar(figures["opd_using"], figures["opd_total"], _("OPD memanfaatkan"),
                               _("belum memanfaatkan"), title=_("Persentase OPD yang memanfaatkan data kependudukan")),
                     174),
        "per_opd": fit(hbar_chart([row["opd"] for row in per_opd], series,
                                  title=_("Jumlah pemanfaatan per OPD"), width=680), 174, 150) if per_opd else "",
        "per_type": fit(hbar_chart(
            [labels[key] for key in types],
            [(_("Periode ini"), [by_type.get(key, {}).get("uses", 0) for key in types])]
            + ([(_("Periode sebelumnya"), [before_type.get(key, {}).get("uses", 0) for key in types])] if previous else []),
            title=_("Jumlah pemanfaatan menurut jenis"), width=680), 174, 90) if types else "",
    }
    return {
        "final": True,
        "organisation": process.organisation,
        "title": _("Laporan Pemanfaatan Data Kependudukan oleh OPD"),
        "period": process.period_label,
        "previous_period": previous_period_name(process),
        "has_previous": previous is not None,
        "opd_using": number(figures["opd_using"]),
        "opd_total": number(figures["opd_total"]),
        "share": percent(figures["share_percent"]),
        "total_uses": number(figures["total_uses"]),
        "per_opd": [(index, row["opd"], number(row["entries"]), number(row["uses"]))
                    for index, row in enumerate(per_opd, start=1)],
        "per_type": [(labels[key], number(by_type[key]["opds"]), number(by_type[key]["uses"]))
                     for key in types if key in by_type],
        "comparison": comparison,
        "charts": charts,
        "evaluation": paragraphs(evaluation_text),
        "period_end": long_date(process.period_end),
    }


def render_utilization_report(process, figures, previous, evaluation_text) -> bytes:
    """SOP B step 5: the OPD utilization report as PDF bytes.

    ``figures`` and ``previous`` (or ``None``) are ``workflows.sops.utilization.models.utilization_figures``
    dicts for this period and the one before; ``evaluation_text`` is the Kasi's analysis.
    """
    with indonesian():
        context = utilization_context(process, figures, previous, evaluation_text)
        title = f"{context['title']} — {context['period']}"
        return render_pdf("reports/utilization.html", context, title=title,
                          header_right=process.organisation.short_name, sop=process.catalogue)


def _get(obj, name):
    return obj.get(name) if isinstance(obj, dict) else getattr(obj, name, None)


def _decimal(value):
    return None if value is None else Decimal(str(value))


def lakip_context(process, lakip):
    target, realisation = _decimal(_get(lakip, "target")), _decimal(_get(lakip, "realisation"))
    achievement = _decimal(_get(lakip, "achievement"))
    if achievement is None and target:
        achievement = (realisation / target * 100).quantize(Decimal("0.01"))
    status = DASH
    if achievement is not None:
        status = _("Tercapai") if achievement >= 100 else _("Belum tercapai")
    chart = hbar_chart(
        [_get(lakip, "indicator")],
        [(_("Target"), [float(target or 0)]), (_("Realisasi"), [float(realisation or 0)])],
        title=_("Target dan realisasi"), value_format=lambda value: percent(value), width=680,
    )
    return {
        "final": True,
        "organisation": process.organisation,
        "title": _("Bahan LAKIP Bidang"),
        "period": process.period_label,
        "indicator": _get(lakip, "indicator"),
        "target": percent(target),
        "realisation": percent(realisation),
        "achievement": percent(achievement),
        "status": status,
        "analysis": paragraphs(_get(lakip, "analysis")),
        "chart": fit(chart, 174, 50),
    }


def render_lakip(process, lakip) -> bytes:
    """SOP B step 6: the LAKIP Bidang material (Bab III A. Capaian Kinerja) as PDF bytes.

    ``lakip`` is a ``LakipMaterial`` or any object/dict with ``indicator``, ``target`` and
    ``realisation`` (percentages), ``achievement`` (computed from them when missing) and ``analysis``.
    """
    with indonesian():
        context = lakip_context(process, lakip)
        title = f"{context['title']} — {context['period']}"
        return render_pdf("reports/lakip.html", context, title=title, header_right=process.organisation.short_name,
                          sop=process.catalogue)
