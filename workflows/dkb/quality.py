"""Data-quality problems the engine looks for, and which of them keep a row out of the tables.

A row is **rejected** (read, reported, not counted in any table) when the aggregate cannot place
or count it honestly:

- ``malformed_line``: the CSV line has the wrong number of fields (a quote left open at the end
  of its line refuses the whole file instead, with its line: see ``structure.py``);
- ``nik_not_16_digits``: NIK empty, not 16 digits, or mangled (e.g. ``1.77101E+15`` from Excel);
- ``nik_duplicate``: the same NIK again; the first occurrence in file order is kept, every later
  one is rejected so nobody is counted twice;
- ``sex_code_invalid``: JENIS_KLMIN not 1 or 2 (every table is split by sex);
- ``birth_date_invalid``: TGL_LHR empty or not a date in ``yyyy-mm-dd``, ``dd-mm-yyyy`` or
  ``dd/mm/yyyy`` form (age groups need it);
- ``birth_date_in_future``: born after the cut-off date (not yet born on the reference date);
- ``birth_date_before_1900``;
- ``region_outside_province``: NO_PROP is not the organisation's province;
- ``region_code_invalid``: NO_KAB or NO_KEC empty, not a number, or out of range;
- ``kabupaten_unknown``: a kab/kota code missing from the Kepmendagri table (no pemekaran of a
  kab/kota is expected, so this is a wrong code);
- ``record_not_active``: FLAG_STATUS present and not 0 (dead, moved away, or deleted in SIAK).

These are **only counted** and the row stays in every table:

- ``nik_birth_date_mismatch``: digits 7-12 of the NIK (DDMMYY, day + 40 for women) disagree
  with TGL_LHR and JENIS_KLMIN; a NIK is never reissued when a birth date is corrected, so this
  is common and the TGL_LHR wins;
- ``no_kk_not_16_digits``: the row counts as a person but not towards any household;
- ``kecamatan_unknown``: a kecamatan code missing from the shipped table (a newer kecamatan);
  it is kept under its code, without a name;
- ``desa_code_invalid``: NO_KEL empty or not a number (desa tables are not produced);
- ``code_out_of_range_<field>``: AGAMA, PDDK_AKH, JENIS_PKRJN, STAT_KWN, STAT_HBKEL, GOL_DRH or
  AKTA_LHR empty or not in the SIAK code list; the person is left out of *that one* table only,
  so that table sums to the population minus this count. For wajib KTP an empty STAT_KWN
  counts as never married, while any code other than 1 counts as ever married (the rule is
  STAT_KWN != 1, which also covers newer codes such as "Kawin Tercatat").

Examples are row numbers as a spreadsheet shows them: the header is row 1, the first person
row 2 (Parquet files are numbered the same way). Empty lines in the middle of a CSV, and line
breaks inside quoted values, are not counted, so after one of those the numbers run one short.
NIKs are never reported.
"""

from dataclasses import dataclass

from .errors import _
from .schema import CODED_FIELDS

MAX_EXAMPLES = 5


@dataclass(frozen=True)
class Problem:
    key: str
    label: str
    rejects: bool


PROBLEMS = {
    problem.key: problem
    for problem in (
        Problem(
            "malformed_line", _("Baris CSV rusak (jumlah kolom salah atau tanda kutip tidak ditutup)"), True
        ),
        Problem("nik_not_16_digits", _("NIK tidak terdiri dari 16 angka"), True),
        Problem("nik_duplicate", _("NIK ganda (baris pertama dipakai, berikutnya ditolak)"), True),
        Problem("sex_code_invalid", _("Kode jenis kelamin di luar rentang (harus 1 atau 2)"), True),
        Problem("birth_date_invalid", _("Tanggal lahir kosong atau tidak terbaca"), True),
        Problem("birth_date_in_future", _("Tanggal lahir sesudah tanggal batas (cut-off)"), True),
        Problem("birth_date_before_1900", _("Tanggal lahir sebelum tahun 1900"), True),
        Problem("region_outside_province", _("Wilayah di luar provinsi organisasi"), True),
        Problem("region_code_invalid", _("Kode kabupaten/kota atau kecamatan kosong atau tidak valid"), True),
        Problem("kabupaten_unknown", _("Kode kabupaten/kota tidak ada dalam tabel Kemendagri"), True),
        Problem("record_not_active", _("Data tidak aktif (FLAG_STATUS bukan 0)"), True),
        Problem(
            "nik_birth_date_mismatch",
            _("Segmen tanggal lahir/jenis kelamin NIK tidak cocok dengan TGL_LHR"),
            False,
        ),
        Problem("no_kk_not_16_digits", _("Nomor KK tidak terdiri dari 16 angka"), False),
        Problem("kecamatan_unknown", _("Kode kecamatan tidak ada dalam tabel Kemendagri"), False),
        Problem("desa_code_invalid", _("Kode desa/kelurahan kosong atau tidak valid"), False),
        # One per coded field of the table specification (schema.CODED_FIELDS).
        *(Problem(f"code_out_of_range_{field.problem}", field.problem_label, False) for field in CODED_FIELDS),
    )
}

REJECTING = tuple(key for key, problem in PROBLEMS.items() if problem.rejects)
