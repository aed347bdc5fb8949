"""Columns of a DKB/DWH extract and the SIAK code lists the engine checks against.

Code lists are data (domain.md section 2) so that newer SIAK codes can be added here without
touching the SQL. Occupation labels and sectors live in ``occupations.py``.
"""

from .errors import _

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

# Five-year groups of the published books; the last one is open.
AGE_GROUPS = tuple(f"{low}-{low + 4}" for low in range(0, 75, 5)) + ("75+",)
OLDEST_GROUP_START = 75

# The dependency ratio uses the international convention: 0-14 and 65+ per 100 aged 15-64.
WORKING_AGE = (15, 64)
ADULT_AGE = 17
