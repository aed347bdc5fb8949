"""Running the DKB engine for SOP A step 3, and exporting its tables.

Uploads are aggregated by the background worker (`manage.py run_jobs`), never inside a web
request: a 2-million-row extract takes seconds to minutes, and the page polls the run's
progress instead of hanging.
"""

import csv
import io
import logging
from datetime import timedelta

from django.db import close_old_connections
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .dkb.aggregate import aggregate_file
from .dkb.errors import DkbFileError
from .dkb.tables import CODED_TABLES, TABLE_ORDER
from .models import AggregationRun

logger = logging.getLogger(__name__)

# A run whose worker has not reported for this long is taken to be dead (killed worker).
STALE_AFTER = timedelta(minutes=10)

TABLE_TITLES = {
    "penduduk": gettext_lazy("Jumlah penduduk"),
    "kk": gettext_lazy("Jumlah kepala keluarga"),
    "kelompok_umur": gettext_lazy("Penduduk menurut kelompok umur"),
    "agama": gettext_lazy("Penduduk menurut agama"),
    "pendidikan": gettext_lazy("Penduduk menurut pendidikan"),
    "pekerjaan": gettext_lazy("Penduduk menurut pekerjaan"),
    "status_kawin": gettext_lazy("Penduduk menurut status perkawinan"),
    "golongan_darah": gettext_lazy("Penduduk menurut golongan darah"),
    "shdk": gettext_lazy("Penduduk menurut hubungan dalam keluarga"),
    "akta_lahir": gettext_lazy("Kepemilikan akta kelahiran"),
    "wajib_ktp": gettext_lazy("Penduduk wajib KTP"),
}


def enqueue(upload):
    return AggregationRun.objects.create(upload=upload, message=_("Menunggu giliran pengolahan"))


def requeue_stale_runs():
    limit = timezone.now() - STALE_AFTER
    return AggregationRun.objects.filter(status=AggregationRun.RUNNING, heartbeat__lt=limit).update(
        status=AggregationRun.QUEUED, message=_("Pengolahan diulang setelah pekerja terhenti")
    )


def claim_next_run():
    """Take the oldest queued run; the conditional UPDATE makes two workers never share one."""
    for run in AggregationRun.objects.filter(status=AggregationRun.QUEUED).order_by("created", "pk")[:5]:
        now = timezone.now()
        taken = AggregationRun.objects.filter(pk=run.pk, status=AggregationRun.QUEUED).update(
            status=AggregationRun.RUNNING, started=now, heartbeat=now, progress=0.0
        )
        if taken:
            run.refresh_from_db()
            return run
    return None


def execute(run):
    """Aggregate one run's upload; store the tables or the engine's message."""
    upload = run.upload
    province = upload.process.organisation.province_code

    def progress(fraction, message):
        AggregationRun.objects.filter(pk=run.pk).update(
            progress=min(max(fraction, 0.0), 0.99), message=str(message)[:500], heartbeat=timezone.now()
        )

    try:
        result = aggregate_file(upload.file.path, cutoff=upload.cutoff_date, province=province, progress=progress)
    except DkbFileError as error:
        run.status, run.message = AggregationRun.FAILED, (_(error.template) % error.params)[:500]
    except FileNotFoundError:
        run.status, run.message = AggregationRun.FAILED, _("Berkas unggahan tidak ditemukan lagi; unggah ulang.")
    except Exception:  # noqa: BLE001 - the team must see a message, the log keeps the trace
        logger.exception("Aggregation run %s failed", run.pk)
        run.status, run.message = AggregationRun.FAILED, _("Pengolahan gagal karena kesalahan sistem; hubungi admin.")
    else:
        run.status, run.result, run.progress = AggregationRun.DONE, result.as_dict(), 1.0
        run.message = _("Tabel agregat siap: %(used)s dari %(read)s baris dipakai.") % {
            "used": f"{result.rows['used']:,}".replace(",", "."),
            "read": f"{result.rows['read']:,}".replace(",", "."),
        }
    run.finished = timezone.now()
    run.save(update_fields=["status", "message", "result", "progress", "finished"])
    return run


def run_pending(limit=None, long_running=False):
    """Process queued runs until none is left (or ``limit`` runs); returns how many ran.

    ``long_running``: called from the worker loop, so drop connections the database may have
    closed meanwhile (never in a one-shot call, which may share a test's connection).
    """
    done = 0
    requeue_stale_runs()
    while limit is None or done < limit:
        if long_running:
            close_old_connections()
        run = claim_next_run()
        if run is None:
            break
        execute(run)
        done += 1
    return done


# Exports ---------------------------------------------------------------------------------

def category_label(table, code):
    if table in CODED_TABLES:
        return str(CODED_TABLES[table][1].get(code, code))
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
