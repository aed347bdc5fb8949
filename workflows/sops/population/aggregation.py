"""SOP A's aggregate tables: queueing an upload's run, and reading and exporting its result.

Uploads are aggregated by the background worker (`manage.py run_jobs`, see ``workflows.jobs``
and ``AggregationRun.perform``), never inside a web request: a 2-million-row extract takes
seconds to minutes, and the page polls the run's progress instead of hanging.
"""

import csv
import io

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from workflows.dkb.schema import CODED, TABLES
from workflows.dkb.tables import TABLE_ORDER

from .models import AggregationRun

# The titles of the one table specification (workflows/dkb/schema.py), translated.
TABLE_TITLES = {table.name: gettext_lazy(table.title) for table in TABLES}


def enqueue(upload):
    return AggregationRun.objects.create(upload=upload, message=_("Menunggu giliran pengolahan"))


# Exports ---------------------------------------------------------------------------------

def category_label(table, code):
    if table in CODED:
        return str(CODED[table].codes.get(code, code))
    return code


def table_rows(result, level="kabupaten"):
    """(table, kode, wilayah, kategori, label, laki_laki, perempuan, jumlah) rows in report order."""
    tables = result["tables"] if level == "kabupaten" else result.get("kecamatan_tables", {})
    names = result.get("regions", {})
    for table in TABLE_ORDER:
        for row in tables.get(table, []):
            kategori = row.get("kategori", "")
            if table == "kk":
                male = female = ""
                total = row["jumlah_kk"]
            else:
                male, female, total = row["laki_laki"], row["perempuan"], row["jumlah"]
            yield (table, row["kode"], names.get(row["kode"], ""), kategori, category_label(table, kategori),
                   male, female, total)


HEADER = ["tabel", "kode", "wilayah", "kategori", "keterangan", "laki_laki", "perempuan", "jumlah"]


def export_csv(result):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["tingkat", *HEADER])
    for level in ("kabupaten", "kecamatan"):
        for row in table_rows(result, level):
            writer.writerow([level, *row])
    return buffer.getvalue().encode("utf-8-sig")  # BOM: Excel opens UTF-8 correctly


# The publishable workbook ------------------------------------------------------------------

COUNT_FORMAT = "#,##0"
SHARE_FORMAT = "0.00%"
RATIO_FORMAT = "0.00"
# Day, month name and year with Indonesian month names whatever the reader's Excel language.
DATE_FORMAT = "[$-421]d mmmm yyyy"
SOURCE_LINE = gettext_lazy("Sumber: DKB Ditjen Dukcapil Kemendagri, posisi %(date)s")


def _ratio(male, female):
    """Sex ratio: men per 100 women, None without women."""
    return round(male * 100 / female, 2) if female else None


def _fraction(part, whole):
    return part / whole if whole else None


class _SheetWriter:
    """One sheet of the workbook: title, position date, header, rows, totals, Sumber line."""

    WIDTHS = {"Kode": 11, "Kode kategori": 9, "Kategori": 34, "Kabupaten/Kota": 28, "Kecamatan": 26}

    def __init__(self, book, name, title, header, cutoff, source):
        from openpyxl.styles import Alignment, Font, PatternFill
        from openpyxl.utils import get_column_letter

        self.sheet = book.create_sheet(name)
        self.styles = {"title": Font(bold=True, size=12), "bold": Font(bold=True), "italic": Font(italic=True),
                       "fill": PatternFill("solid", fgColor="DDE6F0"), "wrap": Alignment(wrap_text=True, vertical="center")}
        self.formats = []
        for position, label in enumerate(header, start=1):
            width = self.WIDTHS.get(label, 14)
            self.sheet.column_dimensions[get_column_letter(position)].width = width
        self.sheet.freeze_panes = "A5"
        self.cell_row([self.cell(title, font=self.styles["title"])])
        self.cell_row([self.cell(str(_("Posisi data"))), self.cell(cutoff, number_format=DATE_FORMAT)])
        self.cell_row([])
        self.cell_row([self.cell(label, font=self.styles["bold"], fill=self.styles["fill"], alignment=self.styles["wrap"])
                       for label in header])
        self.source = source

    def cell(self, value, *, font=None, fill=None, alignment=None, number_format=None):
        from openpyxl.cell import WriteOnlyCell

        cell = WriteOnlyCell(self.sheet, value=value)
        if font is not None:
            cell.font = font
        if fill is not None:
            cell.fill = fill
        if alignment is not None:
            cell.alignment = alignment
        if number_format is not None:
            cell.number_format = number_format
        return cell

    def cell_row(self, cells):
        self.sheet.append(cells)

    def row(self, labels, values, formats, *, total=False):
        """``labels`` (text cells), then ``values`` formatted by ``formats``; totals in bold."""
        if total:
            font = self.styles["bold"]
            cells = [self.cell(label, font=font) for label in labels]
            cells += [self.cell(value, font=font, number_format=fmt) for value, fmt in zip(values, formats)]
        else:
            # Plain cells for the labels: openpyxl spends most of an export on styled cells.
            cells = list(labels) + [self.number(value, fmt) for value, fmt in zip(values, formats)]
        self.sheet.append(cells)

    def number(self, value, number_format):
        from openpyxl.cell import WriteOnlyCell

        if value is None or number_format is None:
            return value
        cell = WriteOnlyCell(self.sheet, value=value)
        cell.number_format = number_format
        return cell

    def close(self):
        self.cell_row([])
        self.cell_row([self.cell(self.source, font=self.styles["italic"])])


def _simple_sheet(writer, result, table, level, codes, population):
    """penduduk / wajib_ktp: one row per region, the province total last."""
    tables = result["tables"] if level == "kabupaten" else result.get("kecamatan_tables", {})
    names = result.get("regions", {})
    rows = {row["kode"]: row for row in tables.get(table, [])}
    grand = sum(population.values())
    totals = [0, 0, 0]
    formats = [COUNT_FORMAT, COUNT_FORMAT, COUNT_FORMAT, SHARE_FORMAT, RATIO_FORMAT]
    for code in codes:
        row = rows.get(code)
        if row is None:
            continue
        male, female, total = row["laki_laki"], row["perempuan"], row["jumlah"]
        totals = [totals[0] + male, totals[1] + female, totals[2] + total]
        whole = grand if table == "penduduk" else population.get(code)
        writer.row(_region_labels(names, code, level), [male, female, total, _fraction(total, whole), _ratio(male, female)],
                   formats)
    writer.row(_province_labels(result, level), [*totals, _fraction(totals[2], grand), _ratio(totals[0], totals[1])],
               formats, total=True)


def _kk_sheet(writer, result, level, codes):
    tables = result["tables"] if level == "kabupaten" else result.get("kecamatan_tables", {})
    names = result.get("regions", {})
    households = {row["kode"]: row["jumlah_kk"] for row in tables.get("kk", [])}
    grand = sum(households.values())
    for code in codes:
        if code in households:
            writer.row(_region_labels(names, code, level), [households[code], _fraction(households[code], grand)],
                       [COUNT_FORMAT, SHARE_FORMAT])
    writer.row(_province_labels(result, level), [grand, _fraction(grand, grand)], [COUNT_FORMAT, SHARE_FORMAT], total=True)


def _category_sheet(writer, result, table, level, codes):
    """Region by category, a Jumlah row after each region; at kab/kota level the rows carry the
    share and sex ratio, and the province block (every category summed over the kab/kota) closes
    the sheet. Kecamatan sheets list counts only (the kecamatan annex of the book), which also
    keeps the export of a full semester within a few seconds."""
    from .report_tables import _index, categories

    tables = result["tables"] if level == "kabupaten" else result.get("kecamatan_tables", {})
    names = result.get("regions", {})
    cells = _index(tables.get(table, []))
    indicators = level == "kabupaten"
    formats = [COUNT_FORMAT, COUNT_FORMAT, COUNT_FORMAT] + ([SHARE_FORMAT, RATIO_FORMAT] if indicators else [])
    order = categories(table)

    def values(male, female, whole):
        counts = [male, female, male + female]
        return counts + [_fraction(male + female, whole), _ratio(male, female)] if indicators else counts

    province = {}
    for code in codes:
        present = [(key, label, cells[(code, key)]) for key, label in order if (code, key) in cells]
        if not present:
            continue
        region = _region_labels(names, code, level)
        whole = sum(row["jumlah"] for _key, _label, row in present)
        male = female = 0
        for key, label, row in present:
            male, female = male + row["laki_laki"], female + row["perempuan"]
            sums = province.setdefault(key, [0, 0])
            sums[0], sums[1] = sums[0] + row["laki_laki"], sums[1] + row["perempuan"]
            writer.row([*region, key, label], values(row["laki_laki"], row["perempuan"], whole), formats)
        writer.row([*region, "", str(_("Jumlah"))], values(male, female, whole), formats, total=True)
    if not indicators:
        return
    labels = _province_labels(result, level)
    grand = sum(male + female for male, female in province.values())
    for key, label in order:
        male, female = province.get(key, [0, 0])
        writer.row([*labels, key, label], values(male, female, grand), formats, total=True)
    male = sum(sums[0] for sums in province.values())
    female = sum(sums[1] for sums in province.values())
    writer.row([*labels, "", str(_("Jumlah"))], values(male, female, grand), formats, total=True)


def _region_labels(names, code, level):
    return [code, names.get(code, code)]


def _province_labels(result, level):
    name = _("Provinsi %(name)s") % {"name": result.get("regions", {}).get(result["province"], result["province"])}
    return [result["province"], name]


def export_xlsx(result):
    """``_export_xlsx`` in Indonesian whatever the officer's UI language: a publication of the office."""
    from django.utils import translation

    with translation.override("id"):
        return _export_xlsx(result)


def _export_xlsx(result):
    """The aggregate tables as a publishable workbook: a summary sheet, then one sheet per table
    and level (kab/kota, kecamatan), each with its title, the position date, Indonesian headers,
    region names beside the codes, totals rows, shares and sex ratios as formatted numbers and the
    Sumber line."""
    from datetime import date

    from openpyxl import Workbook

    from workflows.reports.formatting import long_date

    cutoff = date.fromisoformat(str(result["cutoff"])[:10])
    source = str(SOURCE_LINE) % {"date": long_date(cutoff)}
    names = result.get("regions", {})
    province_name = names.get(result["province"], result["province"])
    book = Workbook(write_only=True)
    _summary_sheet(book, result, cutoff, source, province_name)
    kab_codes = [row["kode"] for row in result["tables"]["penduduk"]]
    kec_population = {row["kode"]: row["jumlah"] for row in result.get("kecamatan_tables", {}).get("penduduk", [])}
    kec_codes = sorted(kec_population)
    levels = (("kabupaten", kab_codes, {row["kode"]: row["jumlah"] for row in result["tables"]["penduduk"]},
               _("Kabupaten/Kota"), _("per kabupaten/kota"), "kab-kota"),
              ("kecamatan", kec_codes, kec_population, _("Kecamatan"), _("per kecamatan"), "kecamatan"))
    for level, codes, population, region_header, by, suffix in levels:
        region = [str(_("Kode")), str(region_header)]
        for table in TABLE_ORDER:
            title = _("%(table)s %(by)s, Provinsi %(province)s") % {
                "table": TABLE_TITLES[table], "by": by, "province": province_name}
            counts = [str(_("Laki-laki")), str(_("Perempuan")), str(_("Jumlah"))]
            if table == "kk":
                header = region + [str(_("Jumlah KK")), str(_("Persentase"))]
            elif table in ("penduduk", "wajib_ktp"):
                share_title = _("Persentase") if table == "penduduk" else _("Persentase dari penduduk")
                header = region + counts + [str(share_title), str(_("Rasio jenis kelamin"))]
            else:
                header = region + [str(_("Kode kategori")), str(_("Kategori"))] + counts + (
                    [str(_("Persentase")), str(_("Rasio jenis kelamin"))] if level == "kabupaten" else [])
            writer = _SheetWriter(book, f"{table} {suffix}"[:31], title, header, cutoff, source)
            if table == "kk":
                _kk_sheet(writer, result, level, codes)
            elif table in ("penduduk", "wajib_ktp"):
                _simple_sheet(writer, result, table, level, codes, population)
            else:
                _category_sheet(writer, result, table, level, codes)
            writer.close()
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _summary_sheet(book, result, cutoff, source, province_name):
    title = _("Ringkasan data kependudukan, Provinsi %(province)s") % {"province": province_name}
    writer = _SheetWriter(book, str(_("Ringkasan")), title, [str(_("Uraian")), str(_("Nilai"))], cutoff, source)
    writer.sheet.column_dimensions["A"].width = 52
    penduduk = result["tables"]["penduduk"]
    male, female = sum(r["laki_laki"] for r in penduduk), sum(r["perempuan"] for r in penduduk)
    derived = result.get("derived", {}).get(result["province"], {})
    for label, value, fmt in (
        (_("Jumlah penduduk"), male + female, COUNT_FORMAT),
        (_("Laki-laki"), male, COUNT_FORMAT),
        (_("Perempuan"), female, COUNT_FORMAT),
        (_("Jumlah kepala keluarga"), sum(r["jumlah_kk"] for r in result["tables"]["kk"]), COUNT_FORMAT),
        (_("Rasio jenis kelamin"), _ratio(male, female), RATIO_FORMAT),
        (_("Rasio ketergantungan"), derived.get("rasio_ketergantungan"), RATIO_FORMAT),
        (_("Umur median"), derived.get("umur_median"), "0.0"),
        (_("Baris dibaca"), result["rows"]["read"], COUNT_FORMAT),
        (_("Baris dipakai"), result["rows"]["used"], COUNT_FORMAT),
        (_("Baris ditolak"), result["rows"]["rejected"], COUNT_FORMAT),
    ):
        writer.row([str(label)], [value], [fmt])
    writer.cell_row([])
    writer.row([str(_("Masalah kualitas data"))], [str(_("Jumlah"))], [None], total=True)
    labels = result.get("quality_problems", {})
    for key, value in result.get("quality", {}).items():
        writer.row([str(labels.get(key, {}).get("label", key))], [value["count"]], [COUNT_FORMAT])
    writer.close()


def province_summary(result):
    """Totals for the task pages: population, households, sex split and the derived ratios."""
    penduduk = result["tables"]["penduduk"]
    names = result.get("regions", {})
    derived = result.get("derived", {})
    kk = {row["kode"]: row["jumlah_kk"] for row in result["tables"]["kk"]}
    regencies = [
        {**row, "nama": names.get(row["kode"], row["kode"]), "kk": kk.get(row["kode"], 0),
         "rasio_jenis_kelamin": derived.get(row["kode"], {}).get("rasio_jenis_kelamin")}
        for row in penduduk
    ]
    labels = result.get("quality_problems", {})
    quality = [
        {"key": key, "label": labels.get(key, {}).get("label", key), "rejects": labels.get(key, {}).get("rejects"),
         "count": value["count"], "examples": value.get("examples", [])}
        for key, value in result.get("quality", {}).items()
    ]
    return {
        "regencies": regencies,
        "total": {
            "laki_laki": sum(r["laki_laki"] for r in penduduk),
            "perempuan": sum(r["perempuan"] for r in penduduk),
            "jumlah": sum(r["jumlah"] for r in penduduk),
            "kk": sum(kk.values()),
        },
        "province": derived.get(result["province"], {}),
        "rows": result["rows"],
        "quality": quality,
        "age_groups": _province_age_groups(result),
    }


def _province_age_groups(result):
    groups = {}
    for row in result["tables"]["kelompok_umur"]:
        group = groups.setdefault(row["kategori"], {"kategori": row["kategori"], "laki_laki": 0, "perempuan": 0, "jumlah": 0})
        for key in ("laki_laki", "perempuan", "jumlah"):
            group[key] += row[key]
    return list(groups.values())
