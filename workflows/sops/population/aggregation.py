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


def export_xlsx(result):
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook(write_only=True)
    summary = book.create_sheet("Ringkasan")
    summary.append(["Posisi data", result["cutoff"]])
    summary.append(["Provinsi", result["province"]])
    for key in ("read", "used", "rejected"):
        summary.append([{"read": "Baris dibaca", "used": "Baris dipakai", "rejected": "Baris ditolak"}[key],
                        result["rows"][key]])
    summary.append([])
    summary.append(["Masalah kualitas data", "Jumlah"])
    labels = result.get("quality_problems", {})
    for key, value in result.get("quality", {}).items():
        summary.append([labels.get(key, {}).get("label", key), value["count"]])
    for level, suffix in (("kabupaten", "Kab"), ("kecamatan", "Kec")):
        rows = list(table_rows(result, level))
        for table in TABLE_ORDER:
            selected = [row[1:] for row in rows if row[0] == table]
            if not selected:
                continue
            sheet = book.create_sheet(f"{table[:24]} {suffix}")
            sheet.append([str(TABLE_TITLES[table])])
            sheet.append(HEADER[1:])
            for row in selected:
                sheet.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


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
