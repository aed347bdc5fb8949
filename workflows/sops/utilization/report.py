"""SOP B outputs: the Laporan Pemanfaatan Data Kependudukan oleh OPD (step 5) and the LAKIP Bidang
material (step 6)."""

from decimal import Decimal

from django.utils.translation import gettext as _

from workflows.charts import hbar_chart
from workflows.models.process import PERIOD_LIMITS, ROMAN, PeriodType

from workflows.reports.charts import fit, share_bar
from workflows.reports.formatting import DASH, long_date, number, percent
from workflows.reports.pdf import indonesian
from workflows.reports.signature import render_signable

from .models import PERCENT_DECIMALS, PKS_WARNING_DAYS, AccessMethod, PksStatus, achievement, pks_status

REPORT_TITLE = "laporan-pemanfaatan"
LAKIP_TITLE = "lakip-bidang"


def pct(value):
    """A percentage of this SOP: one decimal, Indonesian comma ('46,2%')."""
    return percent(value, PERCENT_DECIMALS)


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


def agreement_rows(agreements, day):
    """The PKS table: per OPD the PKS the staff entered, flagged against the report's ``day``."""
    methods = dict(AccessMethod.choices)
    rows = []
    for index, row in enumerate(agreements, start=1):
        status = pks_status(row["pks_expiry"], day)
        days = (row["pks_expiry"] - day).days
        if status == PksStatus.EXPIRED:
            note = _("sudah berakhir")
        elif status == PksStatus.EXPIRING:
            note = _("akan berakhir (%(days)s hari lagi)") % {"days": number(days)}
        else:
            note = _("berlaku")
        rows.append({"index": index, "opd": row["opd__name"], "number": row["pks_number"],
                     "date": long_date(row["pks_date"]), "expiry": long_date(row["pks_expiry"]),
                     "method": str(methods.get(row["access_method"], row["access_method"])),
                     "status": str(status), "note": note, "flagged": status != PksStatus.IN_FORCE})
    return rows


def utilization_context(process, figures, previous, evaluation_text, *, agreements=(), day=None, signature=None,
                        final=True):
    """What the utilization report prints; ``agreements``: ``UtilizationEntry.objects.agreements()``
    rows, flagged against ``day`` (the report's date); ``signature``: a ``SignatureBlock``."""
    from workflows.models.acting import local_day

    day = day or local_day(process.organisation)
    pks = agreement_rows(agreements, day)
    by_type, before_type = _uses_by_type(figures), _uses_by_type(previous)
    types = list(dict.fromkeys([*by_type, *before_type]))
    labels = {key: (by_type.get(key) or before_type.get(key))["label"] for key in types}
    comparison = [
        (_("OPD yang memanfaatkan data kependudukan"), number(figures["opd_using"]),
         number(previous["opd_using"]) if previous else DASH,
         _change(figures["opd_using"], previous["opd_using"] if previous else None)),
        (_("Jumlah OPD aktif"), number(figures["opd_total"]), number(previous["opd_total"]) if previous else DASH,
         _change(figures["opd_total"], previous["opd_total"] if previous else None)),
        (_("Persentase OPD yang memanfaatkan"), pct(figures["share_percent"]),
         pct(previous["share_percent"]) if previous else DASH,
         # The change of the percentages as printed (one decimal), so that the row adds up on paper.
         _change(round(figures["share_percent"], PERCENT_DECIMALS),
                 round(previous["share_percent"], PERCENT_DECIMALS) if previous else None, PERCENT_DECIMALS,
                 _(" poin"))),
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
        # The chart names OPDs by their short names (the table above has the full ones): no label is cut.
        "per_opd": fit(hbar_chart([row.get("short") or row["opd"] for row in per_opd], series,
                                  title=_("Jumlah pemanfaatan per OPD"), width=680), 174, 150) if per_opd else "",
        "per_type": fit(hbar_chart(
            [labels[key] for key in types],
            [(_("Periode ini"), [by_type.get(key, {}).get("uses", 0) for key in types])]
            + ([(_("Periode sebelumnya"), [before_type.get(key, {}).get("uses", 0) for key in types])] if previous else []),
            title=_("Jumlah pemanfaatan menurut jenis"), width=680), 174, 90) if types else "",
    }
    return {
        "final": final,
        "signature": signature.as_context() if signature else None,
        "report_date": long_date(day),
        "pks": pks,
        "pks_expiring": number(sum(1 for row in pks if row["status"] == PksStatus.EXPIRING)),
        "pks_expired": number(sum(1 for row in pks if row["status"] == PksStatus.EXPIRED)),
        "pks_warning_days": number(PKS_WARNING_DAYS),
        "organisation": process.organisation,
        "title": _("Laporan Pemanfaatan Data Kependudukan oleh OPD"),
        "period": process.period_label,
        "previous_period": previous_period_name(process),
        "has_previous": previous is not None,
        "opd_using": number(figures["opd_using"]),
        "opd_total": number(figures["opd_total"]),
        "share": pct(figures["share_percent"]),
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


def report_cover_title(process):
    return f"{_('Laporan Pemanfaatan Data Kependudukan oleh OPD')} — {process.period_label}"


def render_utilization_report(process, figures, previous, evaluation_text, *, agreements=(), day=None,
                              signature=None, final=True):
    """SOP B step 5: the OPD utilization report as ``(pdf_bytes, placement)``, ``placement`` being
    where its signature block leaves the stamp's box (``workflows.signing.Placement`` dict).

    ``figures`` and ``previous`` (or ``None``) are ``workflows.sops.utilization.models.utilization_figures``
    dicts for this period and the one before; ``evaluation_text`` is the Kasi's analysis;
    ``final=False`` is the unsigned draft (watermarked).
    """
    with indonesian():
        context = utilization_context(process, figures, previous, evaluation_text, agreements=agreements, day=day,
                                      signature=signature, final=final)
        return render_signable("reports/utilization.html", context, title=report_cover_title(process),
                               header_right=process.organisation.short_name, sop=process.catalogue)


def _get(obj, name):
    return obj.get(name) if isinstance(obj, dict) else getattr(obj, name, None)


def _decimal(value):
    return None if value is None else Decimal(str(value))


def lakip_context(process, lakip, *, day=None, signature=None, final=True):
    from workflows.models.acting import local_day

    target, realisation = _decimal(_get(lakip, "target")), _decimal(_get(lakip, "realisation"))
    capaian = achievement(target, realisation) if realisation is not None else None
    status = DASH
    if capaian is not None:
        status = _("Tercapai") if capaian >= 100 else _("Belum tercapai")
    chart = hbar_chart(
        [_("Indikator %(number)s") % {"number": 1}],  # the table's row 1: a long indicator name is never cut
        [(_("Target"), [float(target or 0)]), (_("Realisasi"), [float(realisation or 0)])],
        title=_("Target dan realisasi"), value_format=pct, width=680,
    )
    return {
        "final": final,
        "signature": signature.as_context() if signature else None,
        "report_date": long_date(day or local_day(process.organisation)),
        "organisation": process.organisation,
        "title": _("Bahan LAKIP Bidang"),
        "period": process.period_label,
        "indicator": _get(lakip, "indicator"),
        "target": pct(target),
        "realisation": pct(realisation),
        "achievement": pct(capaian),
        "status": status,
        "analysis": paragraphs(_get(lakip, "analysis")),
        "chart": fit(chart, 174, 50),
    }


def lakip_cover_title(process):
    return f"{_('Bahan LAKIP Bidang')} — {process.period_label}"


def render_lakip(process, lakip, *, day=None, signature=None, final=True):
    """SOP B step 6: the LAKIP Bidang material (Bab III A. Capaian Kinerja) as ``(pdf_bytes, placement)``.

    ``lakip`` is a ``LakipMaterial`` or any object/dict with ``indicator``, ``target`` and
    ``realisation`` (percentages) and ``analysis``; the achievement is computed from them.
    """
    with indonesian():
        context = lakip_context(process, lakip, day=day, signature=signature, final=final)
        return render_signable("reports/lakip.html", context, title=lakip_cover_title(process),
                               header_right=process.organisation.short_name, sop=process.catalogue)
