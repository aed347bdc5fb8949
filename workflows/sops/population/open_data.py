"""Open aggregate data (Satu Data Indonesia): the signed semester tables of SOP A as CSV and JSON.

A semester is published once the Kadis has signed its report at step 6: the dataset is then the
aggregate tables of the draft that report was made from (step 3's run), at kabupaten/kota and
kecamatan level, never anything finer and never a personal row. Counts below
``SOPFLOW_OPEN_DATA_MIN_COUNT`` (default 5) are small cells: they are published empty with a
flag (primary suppression), and so is a second cell wherever one hidden cell could be worked
back from the published totals (secondary suppression, see ``suppress``).
"""

import csv
import io
from collections import defaultdict
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.cache import cache
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from workflows.dkb.schema import TABLES
from workflows.models import PeriodType, SignedDocument
from workflows.reports.formatting import long_date

from .aggregation import TABLE_TITLES, table_rows
from .models import DkbUpload, PopulationProcess

LEVELS = ("kabupaten", "kecamatan")
COUNT_COLUMNS = ("laki_laki", "perempuan", "jumlah")
CSV_HEADER = ["tingkat", "tabel", "kode", "wilayah", "kategori", "keterangan", *COUNT_COLUMNS, "disamarkan"]
ROMAN = {1: "I", 2: "II"}


def published_processes():
    """SOP A processes whose report is signed (step 6) and that were not cancelled."""
    signed = SignedDocument.objects.filter(process_id=OuterRef("pk"))
    return (
        PopulationProcess.objects.filter(sop=PopulationProcess.SOP_CODE, period_type=PeriodType.SEMESTER,
                                         cancelled=False)
        .filter(Exists(signed))
        .select_related("organisation")
    )


def published_process(organisation_pk, year, semester):
    return published_processes().filter(organisation_id=organisation_pk, year=year, period_number=semester).first()


def signed_result(process):
    """(the signed report, the aggregate result its draft carried, the upload) of a published
    process. Step 3 is the only step that submits a draft and it lies before step 6, so the
    latest draft of a signed process is the one the report was made from."""
    document = process.signed_documents.order_by("-signed_at", "-pk").first()
    submission = process.draft_submissions.select_related("run__upload").order_by("-created", "-pk").first()
    return document, submission.run.result, submission.run.upload


# -- small-cell suppression ------------------------------------------------------------------


def suppress(cells, threshold):
    """The keys of ``cells`` ({key: count}) to publish empty.

    Primary: every count from 1 to ``threshold - 1``. Secondary: a published total lets a reader
    work one hidden cell back (men + women = total; the categories of a region add up to its
    population; a kabupaten's kecamatan add up to the kabupaten; the kabupaten add up to the
    province), so wherever exactly one cell of such a sum is hidden, its smallest non-zero
    companion is hidden too, until no sum has a single hidden cell.
    """
    groups = defaultdict(list)
    for key in cells:
        level, table, kode, kategori, column = key
        groups[("row", level, table, kode, kategori)].append(key)
        groups[("region", level, table, kode, column)].append(key)
        groups[("area", level, table, kode.rsplit(".", 1)[0], kategori, column)].append(key)
    groups = [members for members in groups.values() if len(members) > 1]
    groups_of = defaultdict(list)
    for index, members in enumerate(groups):
        for key in members:
            groups_of[key].append(index)
    hidden, hidden_in = set(), [0] * len(groups)
    single = []  # groups that had exactly one hidden cell when last counted

    def hide(key):
        hidden.add(key)
        for index in groups_of[key]:
            hidden_in[index] += 1
            if hidden_in[index] == 1:
                single.append(index)

    for key, value in cells.items():
        if 0 < value < threshold:
            hide(key)
    while single:
        index = single.pop()
        if hidden_in[index] != 1:
            continue
        companions = [key for key in groups[index] if key not in hidden and cells[key] > 0]
        if companions:
            hide(min(companions, key=lambda key: (cells[key], key)))
    return hidden


def dataset_rows(result, threshold):
    """Every published row: the two levels of the aggregate tables, small cells suppressed."""
    rows, cells = [], {}
    for level in LEVELS:
        for table, kode, wilayah, kategori, label, male, female, total in table_rows(result, level):
            counts = {"laki_laki": male, "perempuan": female, "jumlah": total}
            row = {"tingkat": level, "tabel": table, "kode": kode, "wilayah": wilayah, "kategori": kategori,
                   "keterangan": label, **{column: counts[column] for column in COUNT_COLUMNS}}
            rows.append(row)
            for column in COUNT_COLUMNS:
                if counts[column] != "":
                    cells[(level, table, kode, str(kategori), column)] = int(counts[column])
    hidden = suppress(cells, threshold)
    for row in rows:
        flagged = [column for column in COUNT_COLUMNS
                   if (row["tingkat"], row["tabel"], row["kode"], str(row["kategori"]), column) in hidden]
        for column in flagged:
            row[column] = None
        for column in COUNT_COLUMNS:
            if row[column] == "":
                row[column] = None  # a table that counts families has no men and women
        row["disamarkan"] = flagged
    return rows


# -- metadata --------------------------------------------------------------------------------


def period_label(process):
    return _("Semester %(number)s %(year)s") % {"number": ROMAN[process.period_number], "year": process.year}


def base_url():
    return settings.SOPFLOW_BASE_URL.rstrip("/")


def dataset_url(process, fmt):
    return base_url() + reverse("open_data_file", kwargs={
        "organisation_pk": process.organisation_id, "year": process.year, "semester": process.period_number,
        "fmt": fmt})


def metadata(process, document, result, upload, threshold):
    """The dataset's description, in the fields of the Satu Data Indonesia metadata (Perpres
    39/2019, BPS metadata standard): what, who, when, which unit, where from, under which
    licence, and how to check the signed report it comes from."""
    organisation = process.organisation
    cutoff = upload.cutoff_date
    source = dict(DkbUpload.SOURCES).get(upload.source, upload.source)
    return {
        "judul": _("Data Agregat Kependudukan Provinsi %(province)s %(period)s") % {
            "province": organisation.province_name, "period": period_label(process)},
        "produsen_data": organisation.name,
        "wilayah": organisation.province_name,
        "kode_wilayah": organisation.province_code,
        "periode": period_label(process),
        "tahun": process.year,
        "semester": process.period_number,
        "tanggal_posisi_data": cutoff.isoformat(),
        "tanggal_posisi_data_teks": long_date(cutoff),
        "tanggal_terbit": timezone.localtime(document.signed_at, ZoneInfo(organisation.timezone)).date().isoformat(),
        "satuan": {"kk": _("kartu keluarga"), "lainnya": _("jiwa")},
        "sumber_data": _("%(source)s Ditjen Dukcapil Kemendagri, diolah %(producer)s") % {
            "source": source, "producer": organisation.name},
        "lisensi": settings.SOPFLOW_OPEN_DATA_LICENCE,
        "lisensi_url": settings.SOPFLOW_OPEN_DATA_LICENCE_URL,
        "tingkat_wilayah": list(LEVELS),
        "tabel": {table.name: str(TABLE_TITLES[table.name]) for table in TABLES},
        "ambang_sel_kecil": threshold,
        "catatan": _(
            "Angka di bawah %(threshold)s pada tingkat kabupaten/kota dan kecamatan tidak ditampilkan (sel kosong, "
            "kolom 'disamarkan' menyebut kolomnya); demikian pula satu sel pendamping bila sel yang disamarkan dapat "
            "dihitung dari jumlahnya. Tidak ada data di bawah tingkat kecamatan dan tidak ada data perseorangan."
        ) % {"threshold": threshold},
        "laporan_ditandatangani": {
            "judul": document.display_title,
            "penandatangan": document.signer_title,
            "waktu_tanda_tangan": document.signed_at.isoformat(),
            "sha256": document.sha256,
            "tautan_verifikasi": document.verification_url,
        },
        "distribusi": {"csv": dataset_url(process, "csv"), "json": dataset_url(process, "json")},
    }


def threshold():
    return settings.SOPFLOW_OPEN_DATA_MIN_COUNT


def dataset(process):
    """{"metadata": ..., "data": [rows]} of a published process."""
    document, result, upload = signed_result(process)
    limit = threshold()
    # The rows of a signed semester never change; suppressing a province's kecamatan tables takes
    # a second or two, so a public URL computes them once per report and threshold.
    key = f"open-data:{process.pk}:{document.sha256}:{limit}"
    rows = cache.get(key)
    if rows is None:
        rows = dataset_rows(result, limit)
        cache.set(key, rows, timeout=7 * 24 * 3600)
    return {"metadata": metadata(process, document, result, upload, limit), "data": rows}


def as_csv(rows):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_HEADER)
    for row in rows:
        writer.writerow([
            "" if row[column] is None else row[column] for column in CSV_HEADER if column != "disamarkan"
        ] + [";".join(row["disamarkan"])])
    return buffer.getvalue().encode("utf-8-sig")  # BOM: Excel opens UTF-8 correctly


def catalogue_entries():
    """The index page's list: every published semester, newest first."""
    entries = []
    for process in published_processes().order_by("organisation__name", "-year", "-period_number"):
        entries.append({
            "organisation": process.organisation,
            "period": period_label(process),
            "csv": reverse("open_data_file", kwargs={"organisation_pk": process.organisation_id, "year": process.year,
                                                     "semester": process.period_number, "fmt": "csv"}),
            "json": reverse("open_data_file", kwargs={"organisation_pk": process.organisation_id, "year": process.year,
                                                      "semester": process.period_number, "fmt": "json"}),
        })
    return entries
