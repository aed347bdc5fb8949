"""Turn the per-kecamatan counts from DuckDB into the book tables and derived indicators.

Input is small (one count per kecamatan, sex and value), so this is plain Python. Kab/kota tables
list every kab/kota of the province and every category of the code list, zeros included, so the
book always has the same shape; kecamatan tables list only non-zero rows to stay small.
"""

from collections import defaultdict

from . import regions
from .occupations import SECTOR_OF_OCCUPATION, SECTORS
from .schema import AGE_GROUPS, BIRTH_CERTIFICATE, DISABILITY, OLDEST_GROUP_START, TABLES, WORKING_AGE

# Derived from the one specification (schema.TABLES): contract table name -> (dimension in the
# counts, code list), and the tables in book order.
CODED_TABLES = {table.name: (table.field.name, table.field.codes) for table in TABLES if table.field}

TABLE_ORDER = tuple(table.name for table in TABLES)


def age_group(age):
    if age >= OLDEST_GROUP_START:
        return AGE_GROUPS[-1]
    return AGE_GROUPS[age // 5]


class Counts:
    """counts[dimension][(kab_code, kec_code, value)] = [male, female]."""

    def __init__(self):
        self.cells = defaultdict(lambda: defaultdict(lambda: [0, 0]))
        self._rollups = {}

    def total(self):
        return sum(male + female for male, female in self.cells["age"].values())

    def by(self, dimension, level):
        """{region code: {value: [male, female]}} at level "kab" or "kec" (computed once)."""
        if (dimension, level) not in self._rollups:
            self._rollups[(dimension, level)] = self._roll_up(dimension, level)
        return self._rollups[(dimension, level)]

    def _roll_up(self, dimension, level):
        result = defaultdict(lambda: defaultdict(lambda: [0, 0]))
        for (kab_code, kec_code, value), (male, female) in self.cells[dimension].items():
            key = kab_code if level == "kab" else kec_code
            cell = result[key][value]
            cell[0] += male
            cell[1] += female
        return result


def _row(code, male, female, category=None, with_category=False):
    row = {"kode": code}
    if with_category:
        row["kategori"] = category
    row.update({"laki_laki": male, "perempuan": female, "jumlah": male + female})
    return row


def build_tables(counts, households, province, include_birth_certificate, villages=()):
    """Return (kab/kota tables, kecamatan tables, extra kab/kota tables).

    ``villages``: population rows per desa/kelurahan (``aggregate._villages``), kept as
    ``extra["penduduk_desa"]`` for the kab/kota and kecamatan of the region table."""
    kab_codes = [region.code for region in regions.regencies(province)]
    ages_kab, ages_kec = counts.by("age", "kab"), counts.by("age", "kec")
    known_kab = set(kab_codes)
    # Unknown kab/kota are rejected upstream; keep only known ones for a stable book.
    kec_codes = sorted(code for code in ages_kec if code[:5] in known_kab)

    def population(ages, codes, dense):
        rows = []
        for code in codes:
            male = sum(cell[0] for cell in ages.get(code, {}).values())
            female = sum(cell[1] for cell in ages.get(code, {}).values())
            if dense or male + female:
                rows.append(_row(code, male, female))
        return rows

    def grouped(by_code, codes, categories, dense, key=lambda value: value):
        rows = []
        for code in codes:
            merged = defaultdict(lambda: [0, 0])
            for value, (male, female) in by_code.get(code, {}).items():
                category = key(value)
                if category is None:
                    continue
                merged[category][0] += male
                merged[category][1] += female
            for category in categories:
                male, female = merged.get(category, (0, 0))
                if dense or male + female:
                    rows.append(_row(code, male, female, category, with_category=True))
        return rows

    def level_tables(level, codes, dense):
        ages = ages_kab if level == "kab" else ages_kec
        tables = {
            "penduduk": population(ages, codes, dense),
            "kk": [
                {"kode": code, "jumlah_kk": households.get(code, 0)}
                for code in codes
                if dense or households.get(code, 0)
            ],
            "kelompok_umur": grouped(ages, codes, AGE_GROUPS, dense, key=age_group),
        }
        for name, (dimension, code_list) in CODED_TABLES.items():
            if name == "akta_lahir" and not include_birth_certificate:
                tables[name] = []
                continue
            tables[name] = grouped(
                counts.by(dimension, level),
                codes,
                list(code_list),
                dense,
                key=lambda value, code_list=code_list: value if value in code_list else None,
            )
        wajib = counts.by("wajib_ktp", level)
        tables["wajib_ktp"] = [
            _row(code, *wajib.get(code, {}).get(True, (0, 0)))
            for code in codes
            if dense or sum(wajib.get(code, {}).get(True, (0, 0)))
        ]
        sectors = grouped(
            counts.by("pekerjaan", level),
            codes,
            list(SECTORS),
            dense,
            key=lambda value: SECTOR_OF_OCCUPATION.get(value),
        )
        return {name: tables[name] for name in TABLE_ORDER}, sectors

    kab_tables, kab_sectors = level_tables("kab", kab_codes, dense=True)
    kec_tables, kec_sectors = level_tables("kec", kec_codes, dense=False)
    known_kec = set(kec_codes)
    kec_tables["pekerjaan_sektor"] = kec_sectors
    extra = {
        "pekerjaan_sektor": kab_sectors,
        # Persons with a disability by type (PNYDNG_CCT 1..6), per kab/kota.
        "disabilitas": grouped(counts.by("disabilitas", "kab"), kab_codes, list(DISABILITY), dense=True,
                               key=lambda value: value if value in DISABILITY else None),
        # Desa/kelurahan with residents in the extract, per kab/kota (the Gambaran Umum chapter).
        "desa": [{"kode": code, "jumlah_desa": households.get(f"{code}/desa", 0)} for code in kab_codes],
        # Single years 0..74 and 75+ for the province (the book's age table of the province).
        "umur_tunggal": single_years(counts, province),
        # Population per desa/kelurahan (L, P, total) of the known kecamatan: the book's desa annex.
        "penduduk_desa": [row for row in villages if row["kode"][:8] in known_kec],
    }
    if include_birth_certificate:
        # Birth-certificate ownership of children aged 0-17, per kab/kota.
        extra["akta_lahir_anak"] = grouped(
            counts.by("akta_lahir_anak", "kab"), kab_codes, list(BIRTH_CERTIFICATE), dense=True,
            key=lambda value: value if value in BIRTH_CERTIFICATE else None,
        )
    return kab_tables, kec_tables, extra


def single_years(counts, province):
    """Province rows ``{"kode", "kategori": "0".."74" | "75+", laki_laki, perempuan, jumlah}``."""
    years = defaultdict(lambda: [0, 0])
    for (_kab, _kec, age), (male, female) in counts.cells["age"].items():
        key = str(age) if age < OLDEST_GROUP_START else AGE_GROUPS[-1]
        years[key][0] += male
        years[key][1] += female
    order = [str(age) for age in range(OLDEST_GROUP_START)] + [AGE_GROUPS[-1]]
    return [_row(province, *years.get(key, (0, 0)), key, with_category=True) for key in order]


def median_age(single_years):
    """Median of completed ages, interpolated inside the median year (ages [a, a+1))."""
    total = sum(single_years.values())
    if not total:
        return None
    half, below = total / 2, 0
    for age in sorted(single_years):
        count = single_years[age]
        if below + count >= half and count:
            return round(age + (half - below) / count, 1)
        below += count
    return None


def derived_indicators(counts, province):
    """Sex ratio, dependency ratio and median age for the province, each kab/kota and kecamatan."""
    per_region = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    for (kab_code, kec_code, age), (male, female) in counts.cells["age"].items():
        for code in (province, kab_code, kec_code):
            per_region[code][age][0] += male
            per_region[code][age][1] += female
    low, high = WORKING_AGE
    result = {}
    for code in sorted(per_region, key=lambda code: (len(code), code)):
        ages = per_region[code]
        male = sum(cell[0] for cell in ages.values())
        female = sum(cell[1] for cell in ages.values())
        young = sum(sum(cell) for age, cell in ages.items() if age < low)
        old = sum(sum(cell) for age, cell in ages.items() if age > high)
        working = sum(sum(cell) for age, cell in ages.items() if low <= age <= high)
        result[code] = {
            "jumlah": male + female,
            "rasio_jenis_kelamin": round(male * 100 / female, 2) if female else None,
            "rasio_ketergantungan": round((young + old) * 100 / working, 2) if working else None,
            "rasio_ketergantungan_muda": round(young * 100 / working, 2) if working else None,
            "rasio_ketergantungan_tua": round(old * 100 / working, 2) if working else None,
            "umur_median": median_age({age: sum(cell) for age, cell in ages.items()}),
            "umur_median_laki_laki": median_age({age: cell[0] for age, cell in ages.items()}),
            "umur_median_perempuan": median_age({age: cell[1] for age, cell in ages.items()}),
        }
    return result


def region_names(province, kecamatan_codes):
    names = {province: regions.name_of(province)}
    for regency in regions.regencies(province):
        names[regency.code] = regency.name
    for code in sorted(kecamatan_codes):
        names[code] = regions.name_of(code)
    return names
