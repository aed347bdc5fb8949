"""SOP A step 3: one DKB extract in, the semester's aggregate tables out.

DuckDB reads the file once into a typed table (``loader``); then scans of that table, run side
by side, give the quality report, the duplicate NIKs, the per-kecamatan counts (one GROUPING
SETS query) and the households. Everything after that works on a few thousand numbers
(``tables``). Memory is
bounded by DuckDB's ``memory_limit`` and spills to a private temporary directory, so a
50-million-row file works out of core; there is no Python loop over rows.

Rows with an unusable NIK, sex, birth date or region, repeated NIKs and inactive records are
rejected; NIK/birth-date mismatches, bad NO_KK, unknown kecamatan or desa and out-of-range
category codes are only counted. The full list and the reasons are in ``quality.py``.
"""

import os
import shutil
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date

import duckdb
import numpy as np

from . import regions
from .errors import DkbFileError, _
from .ingest import check_file
from .loader import file_row_number, load
from .quality import MAX_EXAMPLES, PROBLEMS
from .structure import find_open_quote, thousands
from .schema import ADULT_AGE, CHILD_AGE_LIMIT, CODED_FIELDS, NEVER_MARRIED
from .tables import Counts, build_tables, derived_indicators, region_names

__all__ = ["AggregateResult", "DkbFileError", "aggregate_file", "default_cutoff"]

# Up to this many rows duplicate NIKs are found by sorting in numpy (see _find_repeated_niks).
NUMPY_DUPLICATE_LIMIT = 10_000_000

DEFAULT_MEMORY_LIMIT = os.environ.get("SOPFLOW_DKB_MEMORY_LIMIT", "2500MB")

# Grouping sets counted per (kab, kec, sex). Fields with few codes share a set (at most 70 value
# pairs per kecamatan and sex), and wajib KTP and the birth certificates ride on the age set (age +
# ever married + certificate, so the certificates of ages 0-17 come out of it too): every set is a
# hash table over the whole file, so fewer sets is the main saving here.
GROUPING_SETS = (
    ("age", "ever_married", "akta_lahir"),
    ("agama", "pendidikan"),
    ("pekerjaan",),
    ("status_kawin", "shdk"),
    ("golongan_darah", "disabilitas"),
)
DIMENSIONS = tuple(column for grouping_set in GROUPING_SETS for column in grouping_set)


def default_cutoff(year, semester):
    """30 June for semester I, 31 December for semester II."""
    return date(year, 6, 30) if int(semester) == 1 else date(year, 12, 31)


@dataclass
class AggregateResult:
    cutoff: date
    province: str
    rows: dict
    quality: dict
    tables: dict
    kecamatan_tables: dict = field(default_factory=dict)
    extra_tables: dict = field(default_factory=dict)
    derived: dict = field(default_factory=dict)
    regions: dict = field(default_factory=dict)
    source: dict = field(default_factory=dict)

    def as_contract_dict(self):
        """Exactly the JSON contract of ``manage.py aggregate_dkb --json``.

        ``quality`` lists only the problems that occur (``quality_problems`` in ``as_dict`` has
        the label of every key and whether it rejects rows).
        """
        return {
            "cutoff": self.cutoff.isoformat(),
            "province": self.province,
            "rows": dict(self.rows),
            "quality": {key: dict(value) for key, value in self.quality.items()},
            "tables": self.tables,
        }

    def as_dict(self):
        """The contract plus kecamatan tables, derived indicators, region names and labels."""
        result = self.as_contract_dict()
        result.update(
            {
                "kecamatan_tables": self.kecamatan_tables,
                "extra_tables": self.extra_tables,
                "derived": self.derived,
                "regions": self.regions,
                "quality_problems": {
                    key: {"label": problem.label, "rejects": problem.rejects}
                    for key, problem in PROBLEMS.items()
                },
                "source": self.source,
            }
        )
        return result


def _no_progress(fraction, message):
    pass


def aggregate_file(
    path,
    cutoff,
    province,
    progress=None,
    *,
    memory_limit=None,
    threads=None,
    temp_dir=None,
    max_inflated_bytes=None,
):
    """Aggregate a DKB/DWH extract as of ``cutoff`` for ``province`` ("17", "13").

    Raises ``DkbFileError`` (Indonesian message) when the file cannot be used at all.
    ``progress(fraction, message)`` is called from this thread between stages.
    ``max_inflated_bytes``: the most a gzip extract may inflate to (default
    ``structure.DEFAULT_MAX_INFLATED_BYTES``); the scan stops as soon as it is passed.
    """
    progress = progress or _no_progress
    if isinstance(cutoff, str):
        cutoff = date.fromisoformat(cutoff)
    province = f"{int(province):02d}"
    if not regions.regencies(province):
        raise DkbFileError(_("Provinsi %(province)s tidak dikenal oleh tabel wilayah."), province=province)

    progress(0.0, _("Memeriksa berkas"))
    info = check_file(
        path,
        province=province,
        scan=True,
        max_inflated_bytes=max_inflated_bytes,
        progress=lambda fraction: progress(0.05 * fraction, _("Memeriksa berkas")),
    )
    work_dir = tempfile.mkdtemp(prefix="sopflow-dkb-", dir=temp_dir or os.environ.get("SOPFLOW_DKB_TEMP_DIR"))
    config = {
        "memory_limit": memory_limit or DEFAULT_MEMORY_LIMIT,
        "temp_directory": work_dir,
        "preserve_insertion_order": True,
    }
    if threads:
        config["threads"] = threads
    con = None
    cursors = []
    try:
        con = duckdb.connect(":memory:", config=config)
        # DuckDB draws a progress bar on stderr for long queries; the caller gets ``progress``.
        con.execute("SET enable_progress_bar = false")
        progress(0.05, _("Membaca data penduduk"))
        bad_lines = load(con, info)
        _account_for_every_line(con, info, bad_lines)

        progress(0.6, _("Memeriksa kualitas data dan menghitung tabel agregat"))
        has_certificate = info.has("AKTA_LHR")
        quality, stored, found_provinces = _quality(con, province, cutoff, has_certificate, bad_lines)
        _refuse_other_province(stored, found_provinces, province)
        where = _rejection_sql(cutoff, has_certificate, province)
        rejects_rows = any(
            quality[key]["count"]
            for key, problem in PROBLEMS.items()
            if problem.rejects and key not in ("malformed_line", "nik_duplicate")
        )
        # A clean extract (the usual case for DKB) is counted straight from the table, unfiltered.
        con.execute(f"CREATE VIEW used AS SELECT * FROM people {f'WHERE {where}' if rejects_rows else ''}")
        cursors = [con.cursor() for _index in range(2)]
        # Independent scans: DuckDB runs them side by side on one database (one connection each),
        # so the cores that one query's single-threaded phases leave idle get used.
        with ThreadPoolExecutor(max_workers=2) as pool:
            counts_job = pool.submit(_counts, cursors[0], cutoff, province, "used")
            households_job = pool.submit(_households_and_villages, cursors[1], province, "used")
            dup_rows = _duplicates(con, quality, bad_lines, stored)
            counts, (households, villages) = counts_job.result(), households_job.result()
        if dup_rows:
            # Rare in DKB: count again without the repeated NIKs.
            con.execute(
                f"CREATE TEMP VIEW used_once AS SELECT p.* FROM people p "
                f"ANTI JOIN dup_rows d ON p.rowid = d.row_id WHERE {where}"
            )
            counts, (households, villages) = (
                _counts(con, cutoff, province, "used_once"),
                _households_and_villages(con, province, "used_once"),
            )
        used = counts.total()
        read = stored + len(bad_lines)
        if used == 0:
            raise _nothing_usable(quality, read)
    except duckdb.OutOfMemoryException:
        raise DkbFileError(
            _(
                "Memori tidak cukup untuk mengolah berkas ini; "
                "naikkan batas memori (SOPFLOW_DKB_MEMORY_LIMIT)."
            )
        ) from None
    except duckdb.Error as error:
        raise DkbFileError(_("Pengolahan data gagal: %(detail)s"), detail=type(error).__name__) from None
    finally:
        for cursor in cursors:
            cursor.close()
        if con is not None:
            con.close()
        shutil.rmtree(work_dir, ignore_errors=True)

    kab_tables, kec_tables, extra = build_tables(counts, households, province, info.has("AKTA_LHR"),
                                                 villages=villages)
    kecamatan_codes = {row["kode"] for row in kec_tables["penduduk"]}
    result = AggregateResult(
        cutoff=cutoff,
        province=province,
        rows={"read": read, "used": used, "rejected": read - used},
        quality={key: value for key, value in quality.items() if value["count"]},
        tables=kab_tables,
        kecamatan_tables=kec_tables,
        extra_tables=extra,
        derived=derived_indicators(counts, province),
        regions=region_names(province, kecamatan_codes),
        source={
            "format": info.format,
            "encoding": info.encoding,
            "delimiter": info.delimiter,
            "columns": info.columns,
        },
    )
    progress(1.0, _("Selesai"))
    return result


def _account_for_every_line(con, info, bad_lines):
    """Rows stored plus lines set aside must be the file's data lines: nobody vanishes silently.

    A quoted field that swallows line breaks is the usual cause, found here with its line.
    """
    expected = info.data_lines
    read = con.execute("SELECT count(*) FROM people").fetchone()[0] + len(bad_lines)
    if expected is None or read == expected:
        return
    if info.format != "parquet":
        error = find_open_quote(info.path, info.format, info.delimiter, info.header)
        if error is not None:
            raise error
    raise DkbFileError(
        _(
            "Berkas memiliki %(lines)s baris data, tetapi hanya %(read)s yang terbaca sebagai baris "
            "penduduk; selisih %(missing)s baris tidak dapat dijelaskan. Berkas tidak diolah agar tidak ada "
            "penduduk yang hilang dari tabel; periksa tanda kutip dan akhir baris berkas."
        ),
        lines=thousands(expected),
        read=thousands(read),
        missing=thousands(abs(expected - read)),
    )


REGION_PROBLEMS = ("region_outside_province", "region_code_invalid", "kabupaten_unknown", "kecamatan_unknown")


def _row_conditions(cutoff, has_birth_certificate):
    """Problem key -> SQL condition on ``people``, TRUE (never NULL) when the row has the problem.

    Region problems are judged from the small (prop, kab, kec) distribution instead, see
    ``_region_problems``.
    """
    nik_segment = (
        "(day(birth) + CASE WHEN sex = 2 THEN 40 ELSE 0 END) * 10000 + month(birth) * 100 + year(birth) % 100"
    )
    conditions = {
        "nik_not_16_digits": "nik IS NULL",
        "sex_code_invalid": "coalesce(sex NOT IN (1, 2), TRUE)",
        "birth_date_invalid": "birth IS NULL",
        "birth_date_in_future": f"coalesce(birth > DATE '{cutoff.isoformat()}', FALSE)",
        "birth_date_before_1900": "coalesce(birth < DATE '1900-01-01', FALSE)",
        "record_not_active": "NOT active",
        "nik_birth_date_mismatch": (
            f"coalesce(sex IN (1, 2) AND (nik // 10000) % 1000000 <> {nik_segment}, FALSE)"
        ),
        "no_kk_not_16_digits": "kk IS NULL",
        "desa_code_invalid": "coalesce(kel NOT BETWEEN 1 AND 9999, TRUE)",
    }
    for field in CODED_FIELDS:
        if field.name == "akta_lahir" and not has_birth_certificate:
            continue
        conditions[f"code_out_of_range_{field.problem}"] = f"coalesce(NOT ({_membership(field.name, field.codes)}), TRUE)"
    return conditions


def _code_list(codes):
    return ", ".join(str(code) for code in sorted(codes))


def _membership(column, codes):
    """``column`` is one of ``codes``, as a range test when the codes are 1..N (they all are today)."""
    codes = sorted(codes)
    if codes == list(range(codes[0], codes[-1] + 1)):
        return f"{column} BETWEEN {codes[0]} AND {codes[-1]}"
    return f"{column} IN ({_code_list(codes)})"


def _region_sql(province):
    """SQL conditions for the region problems and for a usable region."""
    prov = int(province)
    known_kab = _code_list(int(region.code[3:]) for region in regions.regencies(province))
    kab_ok = "coalesce(kab BETWEEN 1 AND 99, FALSE)"
    kec_ok = "coalesce(kec BETWEEN 1 AND 99, FALSE)"
    return {
        "region_outside_province": f"coalesce(prop <> {prov}, FALSE)",
        "region_code_invalid": f"prop IS NULL OR NOT {kab_ok} OR NOT {kec_ok}",
        "kabupaten_unknown": f"coalesce(prop = {prov}, FALSE) AND {kab_ok} AND kab NOT IN ({known_kab})",
        "usable": f"coalesce(prop = {prov} AND kab IN ({known_kab}) AND kec BETWEEN 1 AND 99, FALSE)",
    }


def _region_problems(distribution, province):
    """Counts per region problem from the (prop, kab, kec, rows) distribution, plus unknown kecamatan."""
    prov = int(province)
    known_kab = {int(region.code[3:]) for region in regions.regencies(province)}
    known_kec = {
        (int(d.code[3:5]), int(d.code[6:]))
        for k in regions.regencies(province)
        for d in regions.districts(k.code)
    }
    counts = dict.fromkeys(REGION_PROBLEMS, 0)
    unknown_kec = []
    found_provinces = {}
    for prop, kab, kec, number in distribution:
        if prop is not None:
            found_provinces[prop] = found_provinces.get(prop, 0) + number
        kab_ok = kab is not None and 1 <= kab <= 99
        kec_ok = kec is not None and 1 <= kec <= 99
        if prop is not None and prop != prov:
            counts["region_outside_province"] += number
        if prop is None or not kab_ok or not kec_ok:
            counts["region_code_invalid"] += number
        if prop == prov and kab_ok and kab not in known_kab:
            counts["kabupaten_unknown"] += number
        if prop == prov and kab in known_kab and kec_ok and (kab, kec) not in known_kec:
            counts["kecamatan_unknown"] += number
            unknown_kec.append(kab * 100 + kec)
    return counts, unknown_kec, found_provinces


def _quality(con, province, cutoff, has_birth_certificate, bad_lines):
    """Count every problem; fetch example rows only for the problems that occur."""
    conditions = _row_conditions(cutoff, has_birth_certificate)
    sums = ", ".join(f"count_if({condition})" for condition in conditions.values())
    # One scan: the row problems per region, so the region problems come out of the same pass.
    groups = con.execute(f"SELECT prop, kab, kec, count(*), {sums} FROM people GROUP BY ALL").fetchall()
    stored = sum(group[3] for group in groups)
    counts = {key: sum(group[4 + index] for group in groups) for index, key in enumerate(conditions)}
    region_counts, unknown_kec, found_provinces = _region_problems([group[:4] for group in groups], province)
    counts.update(region_counts)
    conditions.update({key: value for key, value in _region_sql(province).items() if key in REGION_PROBLEMS})
    if unknown_kec:
        conditions["kecamatan_unknown"] = f"kab * 100 + kec IN ({_code_list(set(unknown_kec))})"

    quality = {key: {"count": 0, "examples": []} for key in PROBLEMS}
    quality["malformed_line"] = {"count": len(bad_lines), "examples": bad_lines[:MAX_EXAMPLES]}
    present = [key for key in conditions if counts.get(key)]
    if present:
        lists = ", ".join(f"min(rowid, {MAX_EXAMPLES}) FILTER (WHERE {conditions[key]})" for key in present)
        examples = con.execute(f"SELECT {lists} FROM people").fetchone()
        for key, positions in zip(present, examples):
            quality[key] = {
                "count": int(counts[key]),
                "examples": [file_row_number(position, bad_lines) for position in (positions or [])],
            }
    return quality, stored, found_provinces


def _rejection_sql(cutoff, has_birth_certificate, province):
    conditions = _row_conditions(cutoff, has_birth_certificate)
    rejecting = [f"({conditions[key]})" for key in conditions if PROBLEMS[key].rejects]
    return f"NOT ({' OR '.join(rejecting)}) AND {_region_sql(province)['usable']}"


def _refuse_other_province(stored, found_provinces, province):
    if stored == 0:
        raise DkbFileError(_("Berkas tidak berisi satu pun baris data penduduk yang terbaca."))
    if found_provinces and int(province) not in found_provinces:
        biggest = sorted(found_provinces, key=found_provinces.get, reverse=True)[:5]
        raise DkbFileError(
            _("Berkas berisi data provinsi %(found)s, bukan provinsi %(province)s."),
            found=", ".join(f"{code:02d}" for code in biggest),
            province=province,
        )


def _duplicates(con, quality, bad_lines, stored):
    """Mark every repeat of a NIK after its first row; return how many rows that is."""
    if not _find_repeated_niks(con, stored):
        quality["nik_duplicate"] = {"count": 0, "examples": []}
        return 0
    con.execute(
        "CREATE TEMP TABLE dup_rows AS SELECT row_id FROM ("
        " SELECT p.rowid AS row_id, min(p.rowid) OVER (PARTITION BY p.nik) AS first_row"
        " FROM people p SEMI JOIN dup_nik d ON p.nik = d.nik"
        ") WHERE row_id > first_row"
    )
    count, positions = con.execute(f"SELECT count(*), min(row_id, {MAX_EXAMPLES}) FROM dup_rows").fetchone()
    quality["nik_duplicate"] = {
        "count": int(count),
        "examples": [file_row_number(position, bad_lines) for position in (positions or [])],
    }
    return count


def _find_repeated_niks(con, stored):
    """Fill table ``dup_nik`` with every NIK that occurs more than once; False when there is none."""
    if stored > NUMPY_DUPLICATE_LIMIT:
        con.execute(
            "CREATE TEMP TABLE dup_nik AS SELECT nik FROM people WHERE nik IS NOT NULL "
            "GROUP BY nik HAVING count(*) > 1"
        )
        return con.execute("SELECT count(*) FROM dup_nik").fetchone()[0] > 0
    # Sorting one int64 column in numpy costs half of DuckDB's hash aggregate over unique keys;
    # above the limit the column would strain the memory budget, and DuckDB's version spills.
    niks = np.sort(con.execute("SELECT nik FROM people WHERE nik IS NOT NULL").fetchnumpy()["nik"])
    repeated = np.unique(niks[1:][niks[1:] == niks[:-1]])
    if not len(repeated):
        return False
    import pyarrow as pa  # only when there are duplicates: importing it costs a quarter second

    con.register("repeated_niks", pa.table({"nik": repeated}))
    con.execute("CREATE TEMP TABLE dup_nik AS SELECT nik FROM repeated_niks")
    return True


def _nothing_usable(quality, read):
    worst = max((key for key in quality if PROBLEMS[key].rejects), key=lambda key: quality[key]["count"])
    return DkbFileError(
        _(
            "Tidak ada baris yang dapat dipakai: semua %(rows)s baris ditolak "
            "(masalah terbanyak: %(problem)s)."
        ),
        rows=read,
        problem=PROBLEMS[worst].label,
    )


def _counts(con, cutoff, province, source):
    cutoff_mmdd = cutoff.month * 100 + cutoff.day
    # A birthday ON the cut-off date counts: that person has already reached the new age.
    age = (
        f"{cutoff.year} - year(birth) "
        f"- CASE WHEN month(birth) * 100 + day(birth) > {cutoff_mmdd} THEN 1 ELSE 0 END"
    )
    sets = ", ".join("(kab, kec, sex, " + ", ".join(grouping_set) + ")" for grouping_set in GROUPING_SETS)
    rows = con.execute(
        f"""
        SELECT kab, kec, sex, {", ".join(DIMENSIONS)}, GROUPING({", ".join(DIMENSIONS)}) AS grouping_id,
               count(*) AS n
        FROM (
            SELECT kab, kec, sex, agama, pendidikan, pekerjaan, status_kawin, golongan_darah, shdk,
                   akta_lahir, disabilitas,
                   {age} AS age, coalesce(status_kawin <> {NEVER_MARRIED}, FALSE) AS ever_married
            FROM {source}
        )
        GROUP BY GROUPING SETS ({sets})
        """
    ).fetchall()
    width = len(DIMENSIONS)
    plans = {}  # GROUPING() mask -> [(dimension, column index)], age set also feeding wajib KTP
    for grouping_set in GROUPING_SETS:
        mask = (1 << width) - 1
        for column in grouping_set:
            mask &= ~(1 << (width - 1 - DIMENSIONS.index(column)))
        plans[mask] = [
            (column, 3 + DIMENSIONS.index(column)) for column in grouping_set if column != "ever_married"
        ]
    age_index, married_index = 3 + DIMENSIONS.index("age"), 3 + DIMENSIONS.index("ever_married")
    certificate_index = 3 + DIMENSIONS.index("akta_lahir")
    counts = Counts()
    cells, wajib, children = counts.cells, counts.cells["wajib_ktp"], counts.cells["akta_lahir_anak"]
    region_codes = {}
    for row in rows:
        kab, kec, sex = row[0], row[1], row[2] - 1
        codes = region_codes.get((kab, kec))
        if codes is None:
            codes = region_codes[(kab, kec)] = (f"{province}.{kab:02d}", f"{province}.{kab:02d}.{kec:02d}")
        number = row[4 + width]
        plan = plans[row[3 + width]]
        for dimension, index in plan:
            cells[dimension][(*codes, row[index])][sex] += number
        if plan[0][0] == "age":
            wajib[(*codes, row[age_index] >= ADULT_AGE or row[married_index])][sex] += number
            if row[age_index] < CHILD_AGE_LIMIT:
                children[(*codes, row[certificate_index])][sex] += number
    return counts


def _households(con, province, source):
    """Distinct NO_KK per kecamatan and per kab/kota (a KK counted once in each area it appears in),
    and the number of desa/kelurahan with residents per kab/kota (key ``"<kab code>/desa"``).

    The distinct (kab, kec, kk) triples are few (one per household), so the second count is cheap.
    """
    rows = con.execute(
        f"""
        WITH household_areas AS (SELECT kab, kec, kk FROM {source} WHERE kk IS NOT NULL GROUP BY ALL)
        SELECT kab, kec, count(*), FALSE FROM household_areas GROUP BY kab, kec
        UNION ALL SELECT kab, NULL, count(DISTINCT kk), FALSE FROM household_areas GROUP BY kab
        UNION ALL SELECT kab, NULL, count(DISTINCT kec * 10000 + kel), TRUE FROM {source}
            WHERE kel BETWEEN 1 AND 9999 GROUP BY kab
        """
    ).fetchall()
    result = {}
    for kab, kec, number, villages in rows:
        code = f"{province}.{kab:02d}" if kec is None else f"{province}.{kab:02d}.{kec:02d}"
        result[f"{code}/desa" if villages else code] = number
    return result


def _villages(con, province, source):
    """Population per desa/kelurahan: ``[{"kode": "17.01.01.2001", laki_laki, perempuan, jumlah}]``
    in code order, for the rows with a usable NO_KEL (empty when the extract has none)."""
    rows = con.execute(
        f"""
        SELECT kab, kec, kel, count(*) FILTER (WHERE sex = 1), count(*) FILTER (WHERE sex = 2)
        FROM {source} WHERE kel BETWEEN 1 AND 9999 GROUP BY kab, kec, kel ORDER BY kab, kec, kel
        """
    ).fetchall()
    return [
        {"kode": regions.village_code(province, kab, kec, kel), "laki_laki": male, "perempuan": female,
         "jumlah": male + female}
        for kab, kec, kel, male, female in rows
    ]


def _households_and_villages(con, province, source):
    return _households(con, province, source), _villages(con, province, source)
