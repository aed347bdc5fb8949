"""The semester report's tables, built from an aggregation run's ``as_dict()``.

Every cell leaves here as a display string (Indonesian digits), so the template only lays them
out. The body has one table per topic with the kab/kota as columns (the layout of the published
books); the annex has the kecamatan tables, one row per kecamatan grouped under its kab/kota.
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from workflows.dkb import regions
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
    source: str = ""  # the "Sumber: ..." line printed under the table
    continuation: str = ""  # the running heading of its continuation pages ("... (lanjutan)")
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
    kab_kk = {row["kode"]: row["jumlah_kk"] for row in result["tables"]["kk"]}
    groups, grand = [], [0] * 6
    for kab, codes in _kecamatan_by_kab(result):
        rows, sums = [], [0] * 6
        for code in codes:
            row = population[code]
            values = [row["laki_laki"], row["perempuan"], row["jumlah"], kk.get(code, 0), wajib.get(code, 0),
                      certificates.get(code, 0)]
            sums = [a + b for a, b in zip(sums, values)]
            rows.append(_kecamatan_row(code, names.get(code, code), values, has_certificate))
        grand = [a + b for a, b in zip(grand, sums)]
        # The kab/kota subtotal closes its kecamatan (its households counted once in the kab/kota).
        sums[3] = kab_kk.get(kab, sums[3])
        groups.append((names.get(kab, kab), rows,
                       _kecamatan_row(kab, _("Jumlah %(name)s") % {"name": names.get(kab, kab)}, sums, has_certificate)))
    grand[3] = sum(kab_kk.values())
    header = [_("Kode"), _("Kecamatan"), _("Laki-laki"), _("Perempuan"), _("Jumlah"), _("Jumlah KK"),
              _("Wajib KTP"), _("Rasio jenis kelamin"), _("Memiliki akta kelahiran")]
    total = _kecamatan_row(result["province"], _("Provinsi %(name)s") % {"name": names.get(result["province"], "")},
                           grand, has_certificate)
    return Table("kecamatan-penduduk", title, header, [], total, label_columns=2, groups=groups)


def _kecamatan_row(code, name, values, has_certificate):
    male, female, total, households, adults, certificates = values
    return [code, name, number(male), number(female), number(total), number(households), number(adults),
            number(male * 100 / female, 2) if female else DASH,
            share(certificates, total) if has_certificate else DASH]


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


def village_table(result, title):
    """Annex: population per desa/kelurahan (L, P, total), one group per kecamatan under its
    kab/kota with the kecamatan subtotal; names from the shipped Kemendagri table, a code that is not
    in it is printed with "(kode tidak dikenal)"."""
    names = result.get("regions", {})
    by_district = {}
    for row in result.get("extra_tables", {}).get("penduduk_desa", []):
        by_district.setdefault(row["kode"][:8], []).append(row)
    groups, grand = [], [0, 0]
    for kab, districts in _kecamatan_by_kab(result):
        for district in districts:
            villages = by_district.get(district)
            if not villages:
                continue
            lines, sums = [], [0, 0]
            for row in villages:
                name = regions.village_name(row["kode"]) or _("(kode tidak dikenal)")
                lines.append([row["kode"], name, number(row["laki_laki"]), number(row["perempuan"]),
                              number(row["jumlah"])])
                sums = [sums[0] + row["laki_laki"], sums[1] + row["perempuan"]]
            grand = [grand[0] + sums[0], grand[1] + sums[1]]
            district_name = names.get(district, district)
            heading = _("%(regency)s — Kecamatan %(district)s") % {"regency": names.get(kab, kab),
                                                                   "district": district_name}
            subtotal = [district, _("Jumlah Kecamatan %(name)s") % {"name": district_name},
                        number(sums[0]), number(sums[1]), number(sum(sums))]
            groups.append((heading, lines, subtotal))
    total = [result["province"], _("Provinsi %(name)s") % {"name": names.get(result["province"], "")},
             number(grand[0]), number(grand[1]), number(sum(grand))]
    header = [_("Kode"), _("Desa/Kelurahan"), _("Laki-laki"), _("Perempuan"), _("Jumlah")]
    return Table("desa-penduduk", title, header, [], total, label_columns=2, groups=groups,
                 note=_("Nama desa/kelurahan menurut Kepmendagri Nomor 300.2.2-2138 Tahun 2025; penduduk "
                        "yang kode desanya kosong atau tidak valid tidak termasuk dalam tabel ini."))


# Tables of the semester book beyond the one-topic crosstabs --------------------------------

def region_category_table(result, rows_source, codes_labels, key, title, *, with_share=True):
    """kab/kota as rows, the categories (both sexes) as columns, Jumlah (and its share of the
    population) last, the province total at the foot. ``rows_source``: kab/kota rows with
    ``kategori``."""
    names = result.get("regions", {})
    population = {row["kode"]: row["jumlah"] for row in result["tables"]["penduduk"]}
    cells = _index(rows_source)
    rows, totals = [], [0] * (len(codes_labels) + 1)
    for code in kab_codes(result):
        values = [cells.get((code, category), {}).get("jumlah", 0) for category, _label in codes_labels]
        values.append(sum(values))
        totals = [a + b for a, b in zip(totals, values)]
        row = [code, names.get(code, code)] + [number(value) for value in values]
        if with_share:
            row.append(share(values[-1], population.get(code)))
        rows.append(row)
    header = [_("Kode"), _("Kabupaten/Kota")] + [label for _category, label in codes_labels] + [_("Jumlah")]
    total_row = [result["province"], _("Provinsi")] + [number(value) for value in totals]
    if with_share:
        header.append(_("Persentase dari penduduk"))
        total_row.append(share(totals[-1], sum(population.values())))
    return Table(key, title, header, rows, total_row, label_columns=2)


def disability_table(result):
    from workflows.dkb.schema import DISABILITY

    labels = [(code, str(label)) for code, label in DISABILITY.items()]
    return region_category_table(result, result.get("extra_tables", {}).get("disabilitas", []), labels,
                                 "disabilitas", _("Penyandang disabilitas menurut jenis dan kabupaten/kota"))


def certificate_table(result, rows_source, key, title, population_label):
    """Birth-certificate ownership per kab/kota: has one (L, P, Jumlah), has none, share owning."""
    names = result.get("regions", {})
    cells = _index(rows_source)
    rows, totals = [], [0, 0, 0]
    for code in kab_codes(result):
        has = cells.get((code, 2), {})
        male, female = has.get("laki_laki", 0), has.get("perempuan", 0)
        none = cells.get((code, 1), {}).get("jumlah", 0)
        totals = [totals[0] + male, totals[1] + female, totals[2] + none]
        rows.append([code, names.get(code, code), number(male + female + none), number(male), number(female),
                     number(male + female), number(none), share(male + female, male + female + none)])
    owners = totals[0] + totals[1]
    header = [_("Kode"), _("Kabupaten/Kota"), population_label, _("Memiliki L"), _("Memiliki P"),
              _("Memiliki jumlah"), _("Belum memiliki"), _("Persentase memiliki")]
    total_row = [result["province"], _("Provinsi"), number(owners + totals[2]), number(totals[0]),
                 number(totals[1]), number(owners), number(totals[2]), share(owners, owners + totals[2])]
    return Table(key, title, header, rows, total_row, label_columns=2)


def single_year_table(result):
    """The province by single year of age 0..74 and 75+, by sex."""
    rows, totals = [], [0, 0]
    years = result.get("extra_tables", {}).get("umur_tunggal", [])
    grand = sum(row["jumlah"] for row in years)
    for row in years:
        totals = [totals[0] + row["laki_laki"], totals[1] + row["perempuan"]]
        rows.append([str(row["kategori"]), number(row["laki_laki"]), number(row["perempuan"]),
                     number(row["jumlah"]), share(row["jumlah"], grand)])
    header = [_("Umur (tahun)"), _("Laki-laki"), _("Perempuan"), _("Jumlah"), _("Persentase")]
    total_row = [_("Jumlah"), number(totals[0]), number(totals[1]), number(sum(totals)), share(sum(totals), grand)]
    return Table("umur-tunggal", _("Penduduk provinsi menurut umur tunggal"), header, rows, total_row)


def _change(now, before):
    """(absolute change, change in % with one decimal) as display strings."""
    if before is None:
        return DASH, DASH
    difference = now - before
    sign = "+" if difference > 0 else ""
    return f"{sign}{number(difference)}", (f"{sign}{number(difference * 100 / before, 1)}%" if before else DASH)


def growth_table(result, previous, now_label, before_label):
    """Population and households per kab/kota against the previous semester's tables."""
    names = result.get("regions", {})
    now_people = {row["kode"]: row["jumlah"] for row in result["tables"]["penduduk"]}
    now_kk = {row["kode"]: row["jumlah_kk"] for row in result["tables"]["kk"]}
    before_people = {row["kode"]: row["jumlah"] for row in previous["tables"]["penduduk"]}
    before_kk = {row["kode"]: row["jumlah_kk"] for row in previous["tables"]["kk"]}
    rows = []
    for code in kab_codes(result):
        people, kk = now_people.get(code, 0), now_kk.get(code, 0)
        old_people, old_kk = before_people.get(code), before_kk.get(code)
        rows.append([code, names.get(code, code), number(old_people), number(people), *_change(people, old_people),
                     number(old_kk), number(kk), *_change(kk, old_kk)])
    people, kk = sum(now_people.values()), sum(now_kk.values())
    old_people, old_kk = sum(before_people.values()), sum(before_kk.values())
    total_row = [result["province"], _("Provinsi"), number(old_people), number(people), *_change(people, old_people),
                 number(old_kk), number(kk), *_change(kk, old_kk)]
    header = [_("Kode"), _("Kabupaten/Kota"),
              _("Penduduk %(period)s") % {"period": before_label}, _("Penduduk %(period)s") % {"period": now_label},
              _("Pertambahan penduduk"), _("Pertambahan penduduk (%)"),
              _("KK %(period)s") % {"period": before_label}, _("KK %(period)s") % {"period": now_label},
              _("Pertambahan KK"), _("Pertambahan KK (%)")]
    return Table("pertumbuhan", _("Pertambahan penduduk dan kepala keluarga dibanding semester sebelumnya"),
                 header, rows, total_row, label_columns=2)
