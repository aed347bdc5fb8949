"""Laporan Data Kependudukan Semester I/II Tahun YYYY (SOP A): draft from step 3, final at step 6.

``render_population_report`` turns an aggregation run's ``as_dict()`` into the A4 book: cover,
approval page, foreword, table of contents, summary with charts, the kab/kota tables, the
data-quality note and the kecamatan tables as an annex. The approval page keeps an empty box at
a fixed place for the Kadis's electronic signature (``SIGNATURE_PLACEMENT``).
"""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .aggregation import TABLE_TITLES, province_summary

from workflows.dkb import regions
from workflows.reports import textgrid
from workflows.reports.charts import bar_chart, fit, population_pyramid
from workflows.reports.signatory import head_signatory
from workflows.reports.formatting import DASH, long_date, number, share
from workflows.reports.pdf import A4_HEIGHT, MM, css_string, indonesian, render_pdf

from . import report_tables as tables

ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}

# The approval page is always the second page (after the cover). The signature box sits at a fixed
# place on it: templates/reports/population.html (in this package) reserves exactly this area,
# and a test checks the rendered position. WeasyPrint positions absolute boxes from the page's content area, so the CSS
# offsets are the page coordinates minus the page margins of static/reports/report.css.
APPROVAL_PAGE_INDEX = 1
SIGNATURE_BOX_MM = (104, 162, 88, 34)  # left, top, width, height from the page's top-left corner
PAGE_MARGIN_MM = (24, 18)  # top, left of the portrait pages


def _signature_box():
    left, top, width, height = SIGNATURE_BOX_MM
    return (left * MM, A4_HEIGHT - (top + height) * MM, (left + width) * MM, A4_HEIGHT - top * MM)


SIGNATURE_PLACEMENT = {"page": APPROVAL_PAGE_INDEX, "box": _signature_box()}


def _signature_css():
    left, top, width, height = SIGNATURE_BOX_MM
    margin_top, margin_left = PAGE_MARGIN_MM
    return {"left": left - margin_left, "top": top - margin_top, "width": width, "height": height,
            "closing_top": top - margin_top - 16, "signer_top": top - margin_top + height + 2}


def report_period(process):
    """'Semester I Tahun 2025'."""
    return _("Semester %(number)s Tahun %(year)s") % {
        "number": ROMAN.get(process.period_number, process.period_number), "year": process.year,
    }


def report_title(process):
    organisation = process.organisation
    return _("Laporan Data Kependudukan %(period)s Provinsi %(province)s") % {
        "period": report_period(process), "province": organisation.province_name,
    }


def _charts(result, summary):
    names = [tables.short_region_name(row["nama"]) for row in summary["regencies"]]
    people = _("Jumlah penduduk (jiwa)")
    pyramid = population_pyramid(
        [(row["kategori"].replace("-", "–"), row["laki_laki"], row["perempuan"]) for row in summary["age_groups"]],
        _("Laki-laki"), _("Perempuan"), title=_("Piramida penduduk"), value_format=number,
        axis_label=people, centre_label=_("Umur (tahun)"),
    )
    population = bar_chart(
        names,
        [(_("Laki-laki"), [row["laki_laki"] for row in summary["regencies"]]),
         (_("Perempuan"), [row["perempuan"] for row in summary["regencies"]])],
        title=_("Jumlah penduduk menurut kabupaten/kota"), axis_label=people, value_format=number, bar=11,
    )
    ranked = sorted(summary["regencies"], key=lambda row: -row["jumlah"])
    ranking = bar_chart(
        [tables.short_region_name(row["nama"]) for row in ranked],
        [(_("Jumlah penduduk"), [row["jumlah"] for row in ranked])],
        title=_("Peringkat kabupaten/kota menurut jumlah penduduk"), axis_label=people, value_format=number,
    )
    province_ratio = summary["province"].get("rasio_jenis_kelamin")
    sex_ratio = bar_chart(
        names,
        [(_("Rasio jenis kelamin"), [row["rasio_jenis_kelamin"] for row in summary["regencies"]])],
        baseline=100, reference=province_ratio, reference_name=_("Provinsi"),
        title=_("Rasio jenis kelamin menurut kabupaten/kota"),
        axis_label=_("Laki-laki per 100 perempuan"),
        value_format=lambda value: number(value, 1), tick_format=lambda value: number(value),
    )
    return {"pyramid": fit(pyramid, 150, 100), "population": fit(population, 174, 120),
            "ranking": fit(ranking, 174, 100), "sex_ratio": fit(sex_ratio, 174, 95)}


def _key_figures(result, summary):
    total = summary["total"]
    province = summary["province"]
    wajib = sum(row["jumlah"] for row in result["tables"].get("wajib_ktp", []))
    certificates = [row for row in result["tables"].get("akta_lahir", []) if str(row.get("kategori")) == "2"]
    figures = [
        (_("Jumlah penduduk"), number(total["jumlah"])),
        (_("Laki-laki"), number(total["laki_laki"])),
        (_("Perempuan"), number(total["perempuan"])),
        (_("Jumlah kepala keluarga"), number(total["kk"])),
        (_("Rasio jenis kelamin"), number(province.get("rasio_jenis_kelamin"), 2)),
        (_("Rasio ketergantungan"), number(province.get("rasio_ketergantungan"), 2)),
        (_("Umur median (tahun)"), number(province.get("umur_median"), 1)),
        (_("Penduduk wajib KTP"), f"{number(wajib)} ({share(wajib, total['jumlah'])})"),
    ]
    if result["tables"].get("akta_lahir"):
        owners = sum(row["jumlah"] for row in certificates)
        figures.append((_("Memiliki akta kelahiran"), f"{number(owners)} ({share(owners, total['jumlah'])})"))
    return figures


def _quality(result):
    labels = result.get("quality_problems", {})
    problems = []
    for key, value in sorted(result.get("quality", {}).items(), key=lambda item: -item[1]["count"]):
        label = labels.get(key, {})
        problems.append({
            "label": label.get("label", key),
            "count": number(value["count"]),
            "effect": _("baris ditolak") if label.get("rejects") else _("tetap dihitung"),
        })
    rows = result["rows"]
    return {
        "read": number(rows["read"]), "used": number(rows["used"]), "rejected": number(rows["rejected"]),
        "rejected_share": share(rows["rejected"], rows["read"]),
        "problems": problems,
        "format": str(result.get("source", {}).get("format", "")).upper() or DASH,
    }


def sections(table_list):
    """Consecutive tables of the same orientation share a section, so a page break happens only
    where portrait and landscape pages alternate."""
    grouped = []
    for table in table_list:
        if grouped and grouped[-1]["landscape"] == table.landscape:
            grouped[-1]["tables"].append(table)
        else:
            grouped.append({"landscape": table.landscape, "tables": [table]})
    return grouped


SOURCE = gettext_lazy("Sumber: DKB/DWH Ditjen Dukcapil Kemendagri, posisi %(date)s")


def previous_semester_result(process):
    """The previous semester's aggregate tables of the same organisation, or None."""
    from .models import DraftSubmission

    if process.pk is None and process.organisation.pk is None:
        return None
    return DraftSubmission.objects.previous_semester_result(process)


def previous_period(process):
    """'Semester II Tahun 2024' for a Semester I 2025 process."""
    number, year = (1, process.year) if process.period_number == 2 else (2, process.year - 1)
    return _("Semester %(number)s Tahun %(year)s") % {"number": ROMAN[number], "year": year}


def _overview(result):
    """Gambaran Umum: area, kecamatan, desa/kelurahan, population, density and household size per
    kab/kota with the province total (area from the shipped BIG table)."""
    names, areas = result.get("regions", {}), regions.areas()
    people = {row["kode"]: row["jumlah"] for row in result["tables"]["penduduk"]}
    households = {row["kode"]: row["jumlah_kk"] for row in result["tables"]["kk"]}
    villages = {row["kode"]: row["jumlah_desa"] for row in result.get("extra_tables", {}).get("desa", [])}
    districts = {}
    for row in result.get("kecamatan_tables", {}).get("penduduk", []):
        districts[row["kode"][:5]] = districts.get(row["kode"][:5], 0) + 1

    def line(code, name, area, kec, desa, population, kk):
        return [code, name, number(area, 2) if area else DASH, number(kec), number(desa) if desa else DASH,
                number(population), number(population / area, 1) if area else DASH, number(kk),
                number(population / kk, 2) if kk else DASH]

    rows = [line(code, names.get(code, code), areas.get(code), districts.get(code, 0), villages.get(code),
                 people[code], households.get(code, 0)) for code in tables.kab_codes(result)]
    province = result["province"]
    total = line(province, _("Provinsi"), areas.get(province), sum(districts.values()),
                 sum(villages.values()) or None, sum(people.values()), sum(households.values()))
    header = [_("Kode"), _("Kabupaten/Kota"), _("Luas (km²)"), _("Jumlah kecamatan"),
              _("Jumlah desa/kelurahan"), _("Jumlah penduduk (jiwa)"), _("Kepadatan (jiwa/km²)"),
              _("Jumlah KK"), _("Rata-rata anggota KK (jiwa)")]
    table = tables.Table("gambaran-umum", _("Luas wilayah, wilayah administrasi, penduduk, kepadatan dan "
                                            "ukuran keluarga menurut kabupaten/kota"),
                         header, rows, total, label_columns=2,
                         note=_("Jumlah kecamatan dan desa/kelurahan: wilayah yang berpenduduk dalam data DKB."))
    area = areas.get(province)
    population = sum(people.values())
    kk = sum(households.values())
    return table, {
        "area": number(area, 2) if area else DASH,
        "density": number(population / area, 1) if area else DASH,
        "household_size": number(population / kk, 2) if kk else DASH,
        "districts": number(sum(districts.values())),
        "villages": number(sum(villages.values())) if villages else DASH,
    }


def population_report_context(process, result, *, final, approved_at=None, signer=None, previous=None):
    """Everything the template prints, as strings; exposed for tests and the task page preview.

    ``previous``: the previous semester's result of the same organisation (``as_dict()``), for the
    growth table; without it the book has no growth table and says so.
    """
    organisation = process.organisation
    summary = province_summary(result)
    cutoff = long_date(result["cutoff"])
    source = SOURCE % {"date": cutoff}
    extra = result.get("extra_tables", {})
    overview, overview_figures = _overview(result)
    overview.source = f"{source}; {_('luas wilayah')}: {regions.AREA_SOURCE}"
    body = [tables.summary_table(result)]
    period = report_period(process)
    growth = None
    if previous and previous.get("tables", {}).get("penduduk"):
        before = previous_period(process)
        growth = tables.growth_table(result, previous, period, before)
        growth.source = SOURCE % {"date": f"{long_date(previous['cutoff'])} {_('dan')} {cutoff}"}
        body.append(growth)
    for key in ("kelompok_umur",):
        body += tables.crosstab_tables(result, key, str(TABLE_TITLES[key]))
    if extra.get("umur_tunggal"):
        body.append(tables.single_year_table(result))
    for key in ("agama", "pendidikan"):
        body += tables.crosstab_tables(result, key, str(TABLE_TITLES[key]))
    body += tables.crosstab_tables(result, "pekerjaan_sektor", _("Penduduk menurut sektor pekerjaan"),
                                   note=_("Pengelompokan sektor mengikuti kode pekerjaan SIAK; rincian 89 jenis "
                                          "pekerjaan ada pada tabel berikutnya."))
    body.append(tables.province_category_table(result, "pekerjaan", _("Penduduk menurut jenis pekerjaan")))
    for key in ("status_kawin", "shdk", "golongan_darah"):
        body += tables.crosstab_tables(result, key, str(TABLE_TITLES[key]))
    # Only when the extract has the column: an extract without PNYDNG_CCT says nothing about disability.
    if "disabilitas" in extra and "PNYDNG_CCT" in result.get("source", {}).get("columns", []):
        body.append(tables.disability_table(result))
    if result["tables"].get("akta_lahir"):
        body.append(tables.certificate_table(result, result["tables"]["akta_lahir"], "akta-lahir-semua",
                                             _("Kepemilikan akta kelahiran, semua umur"), _("Jumlah penduduk")))
        if extra.get("akta_lahir_anak"):
            body.append(tables.certificate_table(result, extra["akta_lahir_anak"], "akta-lahir-anak",
                                                 _("Kepemilikan akta kelahiran penduduk umur 0–17 tahun"),
                                                 _("Penduduk umur 0–17 tahun")))
    body.append(tables.per_region_table(result, "wajib_ktp", str(TABLE_TITLES["wajib_ktp"]),
                                        _("Persentase dari penduduk")))
    annex = [tables.kecamatan_summary_table(result, _("Penduduk, kepala keluarga dan wajib KTP menurut kecamatan"))]
    for key, title in (("kelompok_umur", _("Penduduk menurut kelompok umur dan kecamatan")),
                       ("agama", _("Penduduk menurut agama dan kecamatan")),
                       ("pendidikan", _("Penduduk menurut pendidikan dan kecamatan")),
                       ("pekerjaan_sektor", _("Penduduk menurut sektor pekerjaan dan kecamatan")),
                       ("status_kawin", _("Penduduk menurut status perkawinan dan kecamatan")),
                       ("shdk", _("Penduduk menurut hubungan dalam keluarga dan kecamatan")),
                       ("golongan_darah", _("Penduduk menurut golongan darah dan kecamatan"))):
        annex.append(tables.kecamatan_crosstab(result, key, title))
    # Only where the extract allows it: rows with a usable NO_KEL give the desa/kelurahan annex.
    village_annex = []
    if extra.get("penduduk_desa"):
        village_annex.append(tables.village_table(result, _("Jumlah Penduduk per Desa/Kelurahan")))
    overview.number = "2.1"
    overview.grid = textgrid.build(overview)
    for index, table in enumerate(body, start=1):
        table.number = f"3.{index}"
    for index, table in enumerate(annex + village_annex, start=1):
        table.number = f"L.{index}"
    table_label = _("Tabel")
    for table in body + annex + village_annex:
        table.source = table.source or source
        table.grid = textgrid.build(table)
        table.continuation = f"{table_label} {table.number}. {table.title} ({_('lanjutan')})"
    overview.continuation = f"{table_label} {overview.number}. {overview.title} ({_('lanjutan')})"

    identity = process.catalogue.identity
    signer = signer or head_signatory(organisation)
    return {
        "final": final,
        "title": report_title(process),
        "period": period,
        "period_upper": period.upper(),
        "previous_period": previous_period(process),
        "organisation": organisation,
        "province": organisation.province_name,
        "province_upper": organisation.province_name.upper(),
        "cutoff": cutoff,
        "source": source,
        "approved_on": long_date(approved_at) if (final and approved_at) else "",
        "year": process.year,
        "summary": summary,
        "key_figures": _key_figures(result, summary),
        "total_population": number(summary["total"]["jumlah"]),
        "total_households": number(summary["total"]["kk"]),
        "regency_count": number(len(summary["regencies"])),
        "kecamatan_count": number(len(result.get("kecamatan_tables", {}).get("penduduk", []))),
        "overview": overview_figures,
        "overview_table": overview,
        "area_source": regions.AREA_SOURCE,
        "dasar_hukum": list(identity.dasar_hukum),
        "sop_name": identity.nama,
        "charts": _charts(result, summary),
        "body_tables": body,
        "annex_tables": annex,
        "body_sections": sections(body),
        "annex_sections": sections(annex),
        "village_tables": village_annex,
        "village_sections": sections(village_annex),
        "growth": growth,
        "quality": _quality(result),
        "sex_ratio": number(summary["province"].get("rasio_jenis_kelamin"), 2),
        "dependency_ratio": number(summary["province"].get("rasio_ketergantungan"), 2),
        "male_share": share(summary["total"]["laki_laki"], summary["total"]["jumlah"]),
        "signature_css": _signature_css(),
        "signer": signer,
        "header_css": css_string(report_title(process) if final else f"{report_title(process)} — {_('DRAF')}"),
    }


def render_population_report(process, result, *, final: bool, approved_at=None, signer=None,
                             previous=None) -> bytes:
    """The semester report as PDF bytes.

    ``process``: a SopProcess (``organisation``, ``year``, ``period_number``, ``period_label``);
    ``result``: the aggregation run's ``as_dict()``; ``final=False`` prints the "DRAF" watermark and
    leaves the approval date empty; ``approved_at``: the Kadis's approval date (date or datetime),
    printed on the approval page of the final report; ``signer``: who signs when it is not the
    organisation's head, ``{"title": "Plh. Kepala Dinas", "name": ..., "nip": ...}`` (an acting
    officer signs with their own name and NIP); ``previous``: the previous semester's result of
    the same organisation, for the growth table.
    """
    with indonesian():
        context = population_report_context(process, result, final=final, approved_at=approved_at, signer=signer,
                                            previous=previous)
        header = context["title"] if final else f"{context['title']} — {_('DRAF')}"
        return render_pdf("reports/population.html", context, title=context["title"], header_left=header,
                          header_right=process.organisation.short_name, sop=process.catalogue)
