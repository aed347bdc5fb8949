"""Columns of a DKB/DWH extract and the SIAK code lists the engine checks against.

Code lists are data (domain.md section 2) so that newer SIAK codes can be added here without
touching the SQL. Occupation labels and sectors live in ``occupations.py``. ``TABLES`` at the end
is the one specification of the aggregate tables.
"""

from dataclasses import dataclass

from .errors import _
from .occupations import OCCUPATION

REQUIRED_COLUMNS = (
    "NIK",
    "NO_KK",
    "JENIS_KLMIN",
    "TGL_LHR",
    "AGAMA",
    "STAT_KWN",
    "STAT_HBKEL",
    "PDDK_AKH",
    "JENIS_PKRJN",
    "GOL_DRH",
    "NO_PROP",
    "NO_KAB",
    "NO_KEC",
    "NO_KEL",
)

# Read when present; every other column (names, addresses, *_KET labels) is never loaded.
OPTIONAL_COLUMNS = ("AKTA_LHR", "PNYDNG_CCT", "FLAG_STATUS")

# Some SIAK exports spell a few columns differently; these are accepted as the canonical name.
COLUMN_ALIASES = {
    "JENIS_KELAMIN": "JENIS_KLMIN",
    "TANGGAL_LAHIR": "TGL_LHR",
    "STATUS_KAWIN": "STAT_KWN",
    "STAT_HBKEL_KEL": "STAT_HBKEL",
    "SHDK": "STAT_HBKEL",
    "PENDIDIKAN": "PDDK_AKH",
    "PEKERJAAN": "JENIS_PKRJN",
    "GOL_DARAH": "GOL_DRH",
    "AKTA_LAHIR": "AKTA_LHR",
}

SEX = {1: _("Laki-laki"), 2: _("Perempuan")}

RELIGION = {
    1: _("Islam"),
    2: _("Kristen"),
    3: _("Katholik"),
    4: _("Hindu"),
    5: _("Budha"),
    6: _("Khonghucu"),
    7: _("Kepercayaan terhadap Tuhan YME/Lainnya"),
}

EDUCATION = {
    1: _("Tidak/Belum Sekolah"),
    2: _("Belum Tamat SD/Sederajat"),
    3: _("Tamat SD/Sederajat"),
    4: _("SLTP/Sederajat"),
    5: _("SLTA/Sederajat"),
    6: _("Diploma I/II"),
    7: _("Akademi/Diploma III/Sarjana Muda"),
    8: _("Diploma IV/Strata I"),
    9: _("Strata II"),
    10: _("Strata III"),
}

MARITAL_STATUS = {
    1: _("Belum Kawin"),
    2: _("Kawin"),
    3: _("Cerai Hidup"),
    4: _("Cerai Mati"),
}
NEVER_MARRIED = 1

FAMILY_RELATIONSHIP = {
    1: _("Kepala Keluarga"),
    2: _("Suami"),
    3: _("Istri"),
    4: _("Anak"),
    5: _("Menantu"),
    6: _("Cucu"),
    7: _("Orangtua"),
    8: _("Mertua"),
    9: _("Famili Lain"),
    10: _("Pembantu"),
    11: _("Lainnya"),
}
HEAD_OF_FAMILY = 1

BLOOD_TYPE = {
    1: "A",
    2: "B",
    3: "AB",
    4: "O",
    5: "A+",
    6: "A-",
    7: "B+",
    8: "B-",
    9: "AB+",
    10: "AB-",
    11: "O+",
    12: "O-",
    13: _("Tidak Tahu"),
}

# SIAK stores birth-certificate ownership as 1 = none, 2 = has one.
BIRTH_CERTIFICATE = {1: _("Tidak Ada"), 2: _("Ada")}

# PNYDNG_CCT (penyandang cacat), optional: 1..6 are the SIAK types; empty, 0 or 7 (Tidak Cacat)
# mean none. Aggregate counts only (UU 24/2013 Pasal 84 protects the personal value).
DISABILITY = {
    1: _("Cacat Fisik"),
    2: _("Cacat Netra/Buta"),
    3: _("Cacat Rungu/Wicara"),
    4: _("Cacat Mental/Jiwa"),
    5: _("Cacat Fisik dan Mental"),
    6: _("Cacat Lainnya"),
}

# Children for the birth-certificate table of ages 0-17 (the KIA/akta indicator of the books).
CHILD_AGE_LIMIT = 18

# Five-year groups of the published books; the last one is open.
AGE_GROUPS = tuple(f"{low}-{low + 4}" for low in range(0, 75, 5)) + ("75+",)
OLDEST_GROUP_START = 75

# The dependency ratio uses the international convention: 0-14 and 65+ per 100 aged 15-64.
WORKING_AGE = (15, 64)
ADULT_AGE = 17


# -- the aggregate tables: the one specification ----------------------------------------------
# The loader reads each coded field's SIAK column, the quality checks test it against its code
# list, the aggregation counts it, and the exports and the report lay the tables out in TABLES
# order with their titles. Adding a coded field (or a table) is one entry here.


@dataclass(frozen=True)
class CodedField:
    name: str  # internal column, count dimension and contract table name
    siak: str  # the SIAK column it is read from
    codes: dict  # the SIAK code list
    problem: str  # the quality problem key is "code_out_of_range_<problem>"
    problem_label: str  # marked with _, translated by the Django layer


@dataclass(frozen=True)
class AggregateTable:
    name: str
    title: str  # marked with _, translated by the Django layer
    field: CodedField | None = None  # None for the tables counted without a code list


# In the order the SIAK extract lists the columns (the quality report lists problems so).
CODED_FIELDS = (
    CodedField("agama", "AGAMA", RELIGION, "agama", _("Kode agama kosong atau di luar rentang SIAK")),
    CodedField("pendidikan", "PDDK_AKH", EDUCATION, "pddk_akh", _("Kode pendidikan kosong atau di luar rentang SIAK")),
    CodedField("pekerjaan", "JENIS_PKRJN", OCCUPATION, "jenis_pkrjn", _("Kode pekerjaan kosong atau di luar rentang SIAK")),
    CodedField("status_kawin", "STAT_KWN", MARITAL_STATUS, "stat_kwn", _("Kode status kawin kosong atau di luar rentang SIAK")),
    CodedField("shdk", "STAT_HBKEL", FAMILY_RELATIONSHIP, "stat_hbkel", _("Kode SHDK kosong atau di luar rentang SIAK")),
    CodedField("golongan_darah", "GOL_DRH", BLOOD_TYPE, "gol_drh", _("Kode golongan darah kosong atau di luar rentang SIAK")),
    CodedField("akta_lahir", "AKTA_LHR", BIRTH_CERTIFICATE, "akta_lhr", _("Kode akta kelahiran kosong atau di luar rentang SIAK")),
)
CODED = {field.name: field for field in CODED_FIELDS}

# The book's tables, in the order of the exports and the report.
TABLES = (
    AggregateTable("penduduk", _("Jumlah penduduk")),
    AggregateTable("kk", _("Jumlah kepala keluarga")),
    AggregateTable("kelompok_umur", _("Penduduk menurut kelompok umur")),
    AggregateTable("agama", _("Penduduk menurut agama"), CODED["agama"]),
    AggregateTable("pendidikan", _("Penduduk menurut pendidikan"), CODED["pendidikan"]),
    AggregateTable("pekerjaan", _("Penduduk menurut pekerjaan"), CODED["pekerjaan"]),
    AggregateTable("status_kawin", _("Penduduk menurut status perkawinan"), CODED["status_kawin"]),
    AggregateTable("golongan_darah", _("Penduduk menurut golongan darah"), CODED["golongan_darah"]),
    AggregateTable("shdk", _("Penduduk menurut hubungan dalam keluarga"), CODED["shdk"]),
    AggregateTable("akta_lahir", _("Kepemilikan akta kelahiran"), CODED["akta_lahir"]),
    AggregateTable("wajib_ktp", _("Penduduk wajib KTP")),
)
