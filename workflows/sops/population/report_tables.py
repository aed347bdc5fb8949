"""The semester report's tables, built from an aggregation run's ``as_dict()``.

Every cell leaves here as a display string (Indonesian digits), so the template only lays them
out. The body has one table per topic with the kab/kota as columns (the layout of the published
books); the annex has the kecamatan tables, one row per kecamatan grouped under its kab/kota.
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from workflows.dkb.occupations import SECTORS
from workflows.dkb.schema import AGE_GROUPS, CODED

from workflows.reports.formatting import DASH, number, percent, share

# A crosstab shows at most this many kab/kota columns side by side on a landscape page; more
# (Sumatera Barat has 19) continue in a second table with the same rows.
MAX_REGION_COLUMNS = 10


@dataclass
class Table:
    """One printed table. ``header`` cells are strings; ``rows`` are lists of strings."""

    key: str
    title: str
    header: list
    rows: list
    total: list | None = None
    label_columns: int = 1  # leading text columns (left-aligned); the rest are numbers
    note: str = ""
    groups: list = field(default_factory=list)  # annex: [(kab/kota name, rows), ...]
    number: str = ""
    grid: object = None  # set by textgrid.build when the report is assembled

    @property
    def landscape(self):
        return bool(self.grid and self.grid.landscape)


def short_region_name(name):
    """'Kabupaten Bengkulu Selatan' -> 'Bengkulu Selatan'; a Kota keeps its word."""
    for prefix in ("Kabupaten ", "Kab. "):
        if name.startswith(prefix):
            return name[len(prefix):]
    return name


def categories(table):
    """(key, label) pairs in book order for a topic table."""
    if table == "kelompok_umur":
        return [(group, group.replace("-", "–")) for group in AGE_GROUPS]
    if table == "pekerjaan_sektor":
        return [(key, str(label)) for key, label in SECTORS.items()]
    return [(code, str(label)) for code, label in CODED[table].codes.items()]


def _category_key(value):
    # JSON keeps SIAK codes as numbers, but a result that went through a text column may not.
    return int(value) if isinstance(value, str) and value.isdigit() else value


def _index(rows):
    """{(kode, kategori): row} for a category table."""
    return {(row["kode"], _category_key(row.get("kategori"))): row for row in rows}


def _topic_rows(result, table, level):
    source = result["tables"] if level == "kab" else result.get("kecamatan_tables", {})
    if table == "pekerjaan_sektor":
        source = result.get("extra_tables", {}) if level == "kab" else result.get("kecamatan_tables", {})
    return source.get(table, [])


def kab_codes(result):
    return [row["kode"] for row in result["tables"]["penduduk"]]


def summary_table(result):
    """Population, households and the derived ratios per kab/kota with the province total."""
    names, derived = result.get("regions", {}), result.get("derived", {})
    kk = {row["kode"]: row["jumlah_kk"] for row in result["tables"]["kk"]}
    total = sum(row["jumlah"] for row in result["tables"]["penduduk"])
    rows = []
    for row in result["tables"]["penduduk"]:
        ratios = derived.get(row["kode"], {})
        rows.append([
            row["kode"], names.get(row["kode"], row["kode"]),
            number(row["laki_laki"]), number(row["perempuan"]), number(row["jumlah"]),
            share(row["jumlah"], total), number(kk.get(row["kode"], 0)),
            number(ratios.get("rasio_jenis_kelamin"), 2), number(ratios.get("rasio_ketergantungan"), 2),
            number(ratios.get("umur_median"), 1),
        ])
    province = derived.get(result["province"], {})
    penduduk = result["tables"]["penduduk"]
    total_row = [
        result["province"], _("Provinsi"),
        number(sum(r["laki_laki"] for r in penduduk)), number(sum(r["perempuan"] for r in penduduk)),
        number(total), percent(100 if total else None), number(sum(kk.values())),
        number(province.get("rasio_jenis_kelamin"), 2), number(province.get("rasio_ketergantungan"), 2),
        number(province.get("umur_median"), 1),
    ]
    header = [_("Kode"), _("Kabupaten/Kota"), _("Laki-laki"), _("Perempuan"), _("Jumlah"), _("Persentase"),
              _("Jumlah KK"), _("Rasio jenis kelamin"), _("Rasio ketergantungan"), _("Umur median")]
    return Table("penduduk", _("Jumlah penduduk, kepala keluarga dan rasio menurut kabupaten/kota"),
                 header, rows, total_row, label_columns=2)


def crosstab_tables(result, table, title, note=""):
    """Categories as rows, kab/kota totals as columns, then the province by sex.

    Returns one table, or several with the same rows when there are more kab/kota than fit a page.
    """
    names = result.get("regions", {})
    codes = kab_codes(result)
    cells = _index(_topic_rows(result, table, "kab"))
    chunks = [codes[i:i + MAX_REGION_COLUMNS] for i in range(0, len(codes), MAX_REGION_COLUMNS)] or [[]]
    tables = []
    for position, chunk in enumerate(chunks):
        last = position == len(chunks) - 1
        header = [_("Kategori")] + [short_region_name(names.get(code, code)) for code in chunk]
        if last:
            header += [_("Provinsi L"), _("Provinsi P"), _("Provinsi jumlah")]
        rows, column_totals = [], [0] * (len(chunk) + (3 if last else 0))
        for key, label in categories(table):
            values = [cells.get((code, key), {}).get("jumlah", 0) for code in chunk]
            if last:
                male = sum(cells.get((code, key), {}).get("laki_laki", 0) for code in codes)
                female = sum(cells.get((code, key), {}).get("perempuan", 0) for code in codes)
                values += [male, female, male + female]
            column_totals = [a + b for a, b in zip(column_totals, values)]
            rows.append([label] + [number(value) for value in values])
        suffix = "" if len(chunks) == 1 else f" ({position + 1}/{len(chunks)})"
        tables.append(Table(f"{table}-{position}", title + suffix, header, rows,
                            [_("Jumlah")] + [number(value) for value in column_totals],
                            note=note if last else ""))
    return tables


def province_category_table(result, table, title):
    """Province-level L/P/total per category (used for the 89 occupation codes)."""
    cells = _index(_topic_rows(result, table, "kab"))
    codes = kab_codes(result)
    rows, totals = [], [0, 0]
    grand = sum(row["jumlah"] for row in result["tables"]["penduduk"])
    for key, label in categories(table):
        male = sum(cells.get((code, key), {}).get("laki_laki", 0) for code in codes)
        female = sum(cells.get((code, key), {}).get("perempuan", 0) for code in codes)
        totals = [totals[0] + male, totals[1] + female]
        rows.append([str(key), label, number(male), number(female), number(male + female),
                     share(male + female, grand)])
    header = [_("Kode"), _("Kategori"), _("Laki-laki"), _("Perempuan"), _("Jumlah"), _("Persentase")]
    total_row = ["", _("Jumlah"), number(totals[0]), number(totals[1]), number(sum(totals)),
                 share(sum(totals), grand)]
    return Table(f"{table}-provinsi", title, header, rows, total_row, label_columns=2)


def per_region_table(result, table, title, percent_title):
    """A one-value-per-kab/kota table (wajib KTP) with its share of the population."""
    names = result.get("regions", {})
    population = {row["kode"]: row["jumlah"] for row in result["tables"]["penduduk"]}
    rows, totals = [], [0, 0]
    for row in result["tables"].get(table, []):
        totals = [totals[0] + row["laki_laki"], totals[1] + row["perempuan"]]
        rows.append([row["kode"], names.get(row["kode"], row["kode"]), number(row["laki_laki"]),
                     number(row["perempuan"]), number(row["jumlah"]), share(row["jumlah"], population.get(row["kode"]))])
    header = [_("Kode"), _("Kabupaten/Kota"), _("Laki-laki"), _("Perempuan"), _("Jumlah"), percent_title]
    total_row = [result["province"], _("Provinsi"), number(totals[0]), number(totals[1]), number(sum(totals)),
                 share(sum(totals), sum(population.values()))]
    return Table(table, title, header, rows, total_row, label_columns=2)


def _kecamatan_by_kab(result):
    """[(kab code, [kecamatan codes])] in code order, only kecamatan that have residents."""
    grouped = {}
    for row in result.get("kecamatan_tables", {}).get("penduduk", []):
        grouped.setdefault(row["kode"][:5], []).append(row["kode"])
    return [(kab, sorted(grouped[kab])) for kab in kab_codes(result) if kab in grouped]


def kecamatan_summary_table(result, title):
    """Annex: population, households, wajib KTP, sex ratio and birth certificates per kecamatan."""
    names, derived = result.get("regions", {}), result.get("derived", {})
    kec = result.get("kecamatan_tables", {})
    population = {row["kode"]: row for row in kec.get("penduduk", [])}
    kk = {row["kode"]: row["jumlah_kk"] for row in kec.get("kk", [])}
    wajib = {row["kode"]: row["jumlah"] for row in kec.get("wajib_ktp", [])}
    has_certificate = bool(result["tables"].get("akta_lahir"))
    certificates = {row["kode"]: row["jumlah"] for row in kec.get("akta_lahir", [])
                    if _category_key(row.get("kategori")) == 2}
    groups = []
    for kab, codes in _kecamatan_by_kab(result):
        rows = []
        for code in codes:
            row = population[code]
            rows.append([
                code, names.get(code, code), number(row["laki_laki"]), number(row["perempuan"]),
                number(row["jumlah"]), number(kk.get(code, 0)), number(wajib.get(code, 0)),
                number(derived.get(code, {}).get("rasio_jenis_kelamin"), 2),
                share(certificates.get(code, 0), row["jumlah"]) if has_certificate else DASH,
            ])
        groups.append((names.get(kab, kab), rows))
    header = [_("Kode"), _("Kecamatan"), _("Laki-laki"), _("Perempuan"), _("Jumlah"), _("Jumlah KK"),
              _("Wajib KTP"), _("Rasio jenis kelamin"), _("Memiliki akta kelahiran")]
    return Table("kecamatan-penduduk", title, header, [], label_columns=2, groups=groups)


def kecamatan_crosstab(result, table, title):
    """Annex: one row per kecamatan, one column per category (totals of both sexes)."""
    names = result.get("regions", {})
    cells = _index(_topic_rows(result, table, "kec"))
    columns = categories(table)
    groups = []
    for kab, codes in _kecamatan_by_kab(result):
        rows = [[code, names.get(code, code)] + [number(cells.get((code, key), {}).get("jumlah", 0))
                                                for key, _label in columns] for code in codes]
        groups.append((names.get(kab, kab), rows))
    header = [_("Kode"), _("Kecamatan")] + [label for _key, label in columns]
    return Table(f"kecamatan-{table}", title, header, [], label_columns=2, groups=groups)
