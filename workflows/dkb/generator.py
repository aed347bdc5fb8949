"""Synthetic DKB extracts: the project's only source of test and demo population data.

Everything is drawn with numpy from one seeded generator, whole columns at a time, so the same
seed gives the same bytes and 2.1 million rows take seconds. Nothing here is real: names read
"WARGA SINTETIS 0000001", NIKs are built from the synthetic birth date, sex and region. Desa
codes are the real Kemendagri codes of the household's kecamatan where the project ships them
(``regions.villages``: provinces 13 and 17), otherwise plausible numbers.

Shape (tuned by eye against Indonesian census pyramids, not fitted to any real file):
- kab/kota sizes follow the Kepmendagri 2025 populations; kecamatan sizes vary by a fixed weight
  per code (independent of the seed);
- households of 1-8 people (mean about 3.5) share one NO_KK with exactly one Kepala Keluarga,
  usually a spouse, then children; older heads may have grandchildren or a menantu, younger
  ones a parent;
- sex ratio about 104 men per 100 women; codes drawn with plausible frequencies by age and role;
- region codes unpadded and TGL_LHR as ``dd-mm-yyyy`` in CSV, as SIAK exports them.
"""

import zlib
from datetime import date
from pathlib import Path

import numpy as np

from . import regions

AS_OF = date(2025, 6, 30)
PART_ROWS = 2_500_000

HOUSEHOLD_SIZE = {1: 0.12, 2: 0.19, 3: 0.22, 4: 0.21, 5: 0.13, 6: 0.07, 7: 0.04, 8: 0.02}

RELIGION_P = {1: 0.975, 2: 0.015, 3: 0.006, 4: 0.002, 5: 0.0015, 6: 0.0003, 7: 0.0002}

BLOOD_P = {
    13: 0.55,
    1: 0.09,
    2: 0.11,
    3: 0.03,
    4: 0.15,
    5: 0.012,
    6: 0.001,
    7: 0.014,
    8: 0.001,
    9: 0.005,
    10: 0.0005,
    11: 0.03,
    12: 0.001,
}

EDUCATION_BY_AGE = (
    # (lowest age, highest age, {code: weight})
    (0, 4, {1: 1.0}),
    (5, 6, {1: 0.7, 2: 0.3}),
    (7, 12, {2: 0.97, 1: 0.03}),
    (13, 15, {3: 0.8, 2: 0.2}),
    (16, 18, {4: 0.85, 3: 0.15}),
    (19, 24, {3: 0.08, 4: 0.15, 5: 0.55, 6: 0.02, 7: 0.04, 8: 0.15, 9: 0.01}),
    (25, 59, {1: 0.03, 2: 0.08, 3: 0.25, 4: 0.18, 5: 0.3, 6: 0.01, 7: 0.03, 8: 0.1, 9: 0.015, 10: 0.001}),
    (60, 200, {1: 0.15, 2: 0.2, 3: 0.35, 4: 0.12, 5: 0.12, 7: 0.02, 8: 0.04}),
)

ADULT_OCCUPATION = {
    9: 0.3,
    88: 0.14,
    15: 0.09,
    19: 0.08,
    1: 0.07,
    20: 0.05,
    5: 0.04,
    8: 0.04,
    2: 0.04,
    84: 0.02,
    18: 0.02,
    65: 0.015,
    11: 0.01,
    6: 0.004,
    7: 0.004,
    89: 0.02,
    81: 0.01,
    10: 0.006,
    13: 0.005,
    14: 0.004,
    12: 0.004,
    16: 0.003,
    17: 0.002,
    21: 0.003,
    22: 0.002,
    23: 0.002,
    26: 0.004,
    27: 0.004,
    30: 0.002,
    35: 0.003,
    64: 0.001,
    72: 0.0005,
    73: 0.001,
    74: 0.002,
    85: 0.002,
    86: 0.0003,
    45: 0.001,
    41: 0.0005,
    24: 0.0005,
    25: 0.001,
    29: 0.0005,
    32: 0.0005,
    34: 0.0005,
    36: 0.0003,
    44: 0.0002,
    46: 0.0005,
    67: 0.0001,
    68: 0.00005,
    70: 0.0001,
    71: 0.0001,
    75: 0.0001,
    79: 0.0003,
    42: 0.0001,
    43: 0.00003,
    87: 0.00002,
    63: 0.00003,
    62: 0.00001,
    28: 0.0001,
    31: 0.00005,
    33: 0.0001,
    37: 0.00005,
    38: 0.0001,
    39: 0.00005,
    40: 0.00002,
    47: 0.00005,
    69: 0.00005,
    76: 0.00002,
    77: 0.00001,
    78: 0.00003,
    80: 0.00003,
    82: 0.00001,
    83: 0.00001,
    66: 0.00001,
    3: 0.0,
}

# PNYDNG_CCT types among persons with a disability.
DISABILITY_P = {1: 0.35, 2: 0.15, 3: 0.15, 4: 0.15, 5: 0.08, 6: 0.12}

COLUMNS = (
    "NIK",
    "NO_KK",
    "NAMA_LGKP",
    "JENIS_KLMIN",
    "TGL_LHR",
    "AKTA_LHR",
    "GOL_DRH",
    "PNYDNG_CCT",
    "AGAMA",
    "STAT_KWN",
    "STAT_HBKEL",
    "PDDK_AKH",
    "JENIS_PKRJN",
    "NO_PROP",
    "NO_KAB",
    "NO_KEC",
    "NO_KEL",
)


def _choice(rng, table, size):
    codes = np.fromiter(table.keys(), dtype=np.int16)
    weights = np.fromiter(table.values(), dtype=float)
    return rng.choice(codes, size=size, p=weights / weights.sum())


def _head_age_weights():
    ages = np.arange(18, 96)
    weights = np.interp(ages, [18, 25, 35, 50, 60, 70, 80, 95], [0.3, 2.2, 3.0, 2.7, 1.9, 1.0, 0.35, 0.02])
    return ages, weights / weights.sum()


def _fixed_weight(code):
    # Seed-independent, so a kecamatan is "big" or "small" in every generated file.
    return 0.4 + (zlib.crc32(code.encode()) % 1000) / 1000 * 1.6


def _real_villages(province, kab, kec, position, kel):
    """Overwrite ``kel`` with real desa numbers: ``position`` (uniform in [0, 1)) picks one of the
    kecamatan's desa/kelurahan, sized by a fixed weight per code (as kecamatan are)."""
    key = kab.astype(np.int64) * 100 + kec
    order = np.argsort(key, kind="stable")
    keys, starts = np.unique(key[order], return_index=True)
    for district_key, start, end in zip(keys.tolist(), starts, [*starts[1:], len(order)]):
        villages = regions.villages_of(regions.district_code(province, district_key // 100, district_key % 100))
        if not villages:
            continue
        rows = order[start:end]
        weights = np.cumsum([_fixed_weight(village.code) for village in villages])
        numbers = np.array([int(village.code[9:]) for village in villages], dtype=np.int16)
        index = np.searchsorted(weights / weights[-1], position[rows], side="right")
        kel[rows] = numbers[np.minimum(index, len(numbers) - 1)]


def _rank_within(keys):
    """0 for the first row of each key, 1 for the second, ... (in row order)."""
    order = np.argsort(keys, kind="stable")
    sorted_keys = keys[order]
    starts = np.ones(len(keys), dtype=bool)
    starts[1:] = sorted_keys[1:] != sorted_keys[:-1]
    first = np.maximum.accumulate(np.where(starts, np.arange(len(keys)), 0))
    rank = np.empty(len(keys), dtype=np.int64)
    rank[order] = np.arange(len(keys)) - first
    return rank


def _split_date(days):
    dates = days.astype("datetime64[D]")
    years = dates.astype("datetime64[Y]").astype(np.int64) + 1970
    months_since = dates.astype("datetime64[M]")
    months = months_since.astype(np.int64) % 12 + 1
    day = (dates - months_since.astype("datetime64[D]")).astype(np.int64) + 1
    return years, months, day


def generate_columns(province="17", rows=1000, seed=0, as_of=AS_OF, part=0, parts=1):
    """The synthetic population as a dict of numpy columns (codes as integers, dates as days).

    Large files are made in ``parts`` independent pieces; ``part`` keeps NIK and NO_KK serials
    unique across them (serial = rank within its key * parts + part + 1).
    """
    if rows < 1:
        raise ValueError("rows must be at least 1")
    regencies = regions.regencies(province)
    if not regencies:
        raise ValueError(f"no region table for province {province!r}")
    rng = np.random.default_rng([seed, part])

    # Households, then people as contiguous runs of their household.
    sizes_table = np.fromiter(HOUSEHOLD_SIZE.keys(), dtype=np.int64)
    sizes_p = np.fromiter(HOUSEHOLD_SIZE.values(), dtype=float)
    sizes = rng.choice(sizes_table, size=int(rows / 3.0) + 16, p=sizes_p / sizes_p.sum())
    cumulative = np.cumsum(sizes)
    households = int(np.searchsorted(cumulative, rows)) + 1
    sizes = sizes[:households]
    sizes[-1] -= cumulative[households - 1] - rows
    starts = np.concatenate(([0], np.cumsum(sizes)[:-1]))
    person_household = np.repeat(np.arange(households), sizes)
    position = np.arange(rows) - starts[person_household]

    # Where each household lives.
    shares = np.array([region.total for region in regencies], dtype=float)
    household_regency = rng.choice(len(regencies), size=households, p=shares / shares.sum())
    household_kab = np.array([int(r.code[3:]) for r in regencies], dtype=np.int16)[household_regency]
    household_kec = np.zeros(households, dtype=np.int16)
    all_districts = []
    for index, regency in enumerate(regencies):
        districts = regions.districts(regency.code)
        all_districts += [(int(regency.code[3:]), int(d.code[6:])) for d in districts]
        mask = household_regency == index
        weights = np.array([_fixed_weight(d.code) for d in districts])
        numbers = np.array([int(d.code[6:]) for d in districts], dtype=np.int16)
        household_kec[mask] = rng.choice(numbers, size=int(mask.sum()), p=weights / weights.sum())
    is_city = household_kab >= 71
    # The same three draws as when the codes were made up, so every other column keeps its values.
    town_draw = rng.random(households)
    town_number, village_number = rng.integers(0, 10, households), rng.integers(0, 15, households)
    household_kel = np.where(is_city | (town_draw < 0.08), 1001 + town_number, 2001 + village_number).astype(np.int16)
    # Where the desa table is shipped, the draws pick a real desa/kelurahan of the kecamatan instead.
    _real_villages(province, household_kab, household_kec, (town_number * 15 + village_number + town_draw) / 150,
                   household_kel)

    # The head of the household decides most of the others.
    ages, age_p = _head_age_weights()
    head_age = rng.choice(ages, size=households, p=age_p)
    head_male = rng.random(households) < np.where(head_age < 60, 0.9, 0.7)
    has_spouse = (sizes >= 2) & (rng.random(households) < np.where(head_male, 0.92, 0.12))

    h = person_household
    is_head = position == 0
    is_spouse = (position == 1) & has_spouse[h]
    dependant_index = position - 1 - has_spouse[h].astype(np.int64)
    draw = rng.random(rows)
    old_head = head_age[h] >= 55
    young_head = head_age[h] < 50
    role = np.full(rows, 4, dtype=np.int16)  # Anak
    role[old_head & (draw < 0.25)] = 6  # Cucu
    role[old_head & (draw >= 0.25) & (draw < 0.33)] = 5  # Menantu
    role[young_head & (draw < 0.03)] = 7  # Orangtua
    role[young_head & (draw >= 0.03) & (draw < 0.045)] = 8  # Mertua
    role[(draw >= 0.955) & (draw < 0.985)] = 9  # Famili Lain
    role[(draw >= 0.985) & (draw < 0.988)] = 10  # Pembantu
    role[(draw >= 0.988) & (draw < 0.991)] = 11  # Lainnya
    role[is_spouse] = np.where(head_male[h[is_spouse]], 3, 2)
    role[is_head] = 1

    uniform = rng.random(rows)
    age = np.zeros(rows, dtype=np.int64)
    age[is_head] = head_age
    spouse_gap = np.clip(rng.normal(4, 4, rows), -3, 15).round().astype(np.int64)
    age = np.where(role == 3, head_age[h] - spouse_gap, age)
    age = np.where(role == 2, head_age[h] + np.abs(spouse_gap), age)
    child_gap = (
        22
        + (uniform * 10).astype(np.int64)
        + (np.maximum(dependant_index, 0) * (1.5 + 2 * draw)).astype(np.int64)
    )
    child_age = head_age[h] - child_gap
    child_age = np.where(child_age < 0, rng.integers(0, 12, rows), np.minimum(child_age, 45))
    age = np.where(role == 4, child_age, age)
    age = np.where(role == 6, np.minimum((uniform * 16).astype(np.int64), head_age[h] - 40), age)
    age = np.where(role == 5, np.maximum(head_age[h] - 20 - (uniform * 10).astype(np.int64), 18), age)
    age = np.where(
        (role == 7) | (role == 8), np.minimum(head_age[h] + 20 + (uniform * 12).astype(np.int64), 100), age
    )
    age = np.where(role == 9, (uniform * 70).astype(np.int64), age)
    age = np.where(role == 10, 17 + (uniform * 38).astype(np.int64), age)
    age = np.where(role == 11, 5 + (uniform * 55).astype(np.int64), age)
    age = np.where(role == 3, np.maximum(age, 17), age)
    age = np.maximum(age, 0)

    male = rng.random(rows) < 0.509
    male[is_head] = head_male
    male[role == 3] = False
    male[role == 2] = True
    sex = np.where(male, 1, 2).astype(np.int16)

    as_of_days = (np.datetime64(as_of, "D") - np.datetime64("1970-01-01", "D")).astype(np.int64)
    birth_days = as_of_days - (age * 365.2425).astype(np.int64) - rng.integers(0, 365, rows)
    birth_days = np.minimum(birth_days, as_of_days)
    age = ((as_of_days - birth_days) / 365.2425).astype(np.int64)

    marital = _marital_status(rng, rows, role, age, male, head_male[h])
    religion = _choice(rng, RELIGION_P, households)[h]
    outsiders = (role == 10) | (role == 11)
    religion[outsiders] = _choice(rng, RELIGION_P, int(outsiders.sum()))
    education = np.zeros(rows, dtype=np.int16)
    for low, high, table in EDUCATION_BY_AGE:
        mask = (age >= low) & (age <= high)
        education[mask] = _choice(rng, table, int(mask.sum()))
    occupation = _occupation(rng, rows, role, age, male)
    blood = _choice(rng, BLOOD_P, rows)
    has_certificate_p = np.where(age < 18, 0.92, np.where(age < 40, 0.55, 0.25))
    birth_certificate = np.where(rng.random(rows) < has_certificate_p, 2, 1).astype(np.int16)

    kab, kec, kel = household_kab[h], household_kec[h], household_kel[h]
    prov = int(province)
    # Most NIKs were issued where people live now; some moved within the province since.
    moved = rng.random(rows) < 0.1
    district_pairs = np.array(all_districts, dtype=np.int64)
    picked = district_pairs[rng.integers(0, len(district_pairs), rows)]
    nik_kab = np.where(moved, picked[:, 0], kab).astype(np.int64)
    nik_kec = np.where(moved, picked[:, 1], kec).astype(np.int64)
    years, months, days = _split_date(birth_days)
    nik_day = days + np.where(male, 0, 40)
    nik_key = (
        (prov * 10000 + nik_kab * 100 + nik_kec) * 1_000_000 + nik_day * 10000 + months * 100 + years % 100
    )
    nik = nik_key * 10000 + _rank_within(nik_key) * parts + part + 1

    issued = as_of_days - rng.integers(30, 15 * 365, households)
    issue_years, issue_months, issue_days = _split_date(issued)
    kk_key = (prov * 10000 + household_kab.astype(np.int64) * 100 + household_kec) * 1_000_000 + (
        issue_days * 10000 + issue_months * 100 + issue_years % 100
    )
    no_kk = (kk_key * 10000 + _rank_within(kk_key) * parts + part + 1)[h]

    # Drawn last, so that every other column stays what the same seed gave before it existed.
    # Registered disability rises with age (about 0.6% overall); 0 = none (written as empty).
    disabled = rng.random(rows) < 0.002 + 0.00012 * age
    disability = np.where(disabled, _choice(rng, DISABILITY_P, rows), 0).astype(np.int16)

    return {
        "NIK": nik,
        "NO_KK": no_kk,
        "PNYDNG_CCT": disability,
        "JENIS_KLMIN": sex,
        "TGL_LHR": birth_days.astype("datetime64[D]"),
        "AKTA_LHR": birth_certificate,
        "GOL_DRH": blood,
        "AGAMA": religion,
        "STAT_KWN": marital,
        "STAT_HBKEL": role,
        "PDDK_AKH": education,
        "JENIS_PKRJN": occupation,
        "NO_PROP": np.full(rows, prov, dtype=np.int16),
        "NO_KAB": kab,
        "NO_KEC": kec,
        "NO_KEL": kel,
    }


def _marital_status(rng, rows, role, age, male, head_is_male):
    draw = rng.random(rows)
    marital = np.ones(rows, dtype=np.int16)
    adult_child = (age >= 19) & np.isin(role, (4, 6, 9))
    marital[adult_child & (draw < np.clip((age - 19) / 25, 0, 0.45))] = 2
    # A few girls of 15-16 are already married: they must count as wajib KTP.
    marital[(role == 4) & ~male & (age >= 15) & (age <= 16) & (draw < 0.02)] = 2
    marital[(role == 2) | (role == 3) | (role == 5)] = 2
    heads = role == 1
    male_head = heads & male
    female_head = heads & ~male
    marital[male_head] = np.where(draw[male_head] < 0.94, 2, np.where(draw[male_head] < 0.98, 4, 3))
    marital[female_head] = np.select(
        [draw[female_head] < 0.6, draw[female_head] < 0.85, draw[female_head] < 0.95], [4, 3, 2], 1
    )
    parents = (role == 7) | (role == 8)
    marital[parents] = np.where(draw[parents] < 0.7, 4, 2)
    marital[(role == 10) & (age >= 25) & (draw < 0.4)] = 2
    return marital


def _occupation(rng, rows, role, age, male):
    occupation = _choice(rng, ADULT_OCCUPATION, rows)
    draw = rng.random(rows)
    occupation[(role == 3) & (draw < 0.55)] = 2
    occupation[~male & (age >= 19) & (draw >= 0.55) & (draw < 0.7)] = 2
    young = (age >= 19) & (age <= 22)
    occupation[young & (draw < 0.4)] = 3
    occupation[young & (draw >= 0.4) & (draw < 0.65)] = 1
    old = age >= 60
    occupation[old & (draw < 0.15)] = 4
    occupation[old & (draw >= 0.15) & (draw < 0.4)] = 1
    school = (age >= 5) & (age <= 18)
    occupation[school] = np.where(draw[school] < 0.9, 3, 1)
    occupation[age < 5] = 1
    occupation[role == 10] = 23
    return occupation


def write_dkb(path, province="17", rows=1000, seed=0, as_of=AS_OF):
    """Write a synthetic extract; the format follows the name: .csv, .csv.gz or .parquet.

    Rows are made and written in pieces of ``PART_ROWS`` so that 50 million rows fit in memory.
    """
    import gzip

    import pyarrow.csv as pa_csv
    import pyarrow.parquet as pq

    path = Path(path)
    name = path.name.lower()
    if not name.endswith((".parquet", ".csv.gz", ".csv")):
        raise ValueError("the output name must end in .csv, .csv.gz or .parquet")
    parts = max(1, -(-rows // PART_ROWS))
    sizes = [rows // parts + (1 if index < rows % parts else 0) for index in range(parts)]

    if name.endswith(".parquet"):
        writer = None
        first_id = 1
        for part, size in enumerate(sizes):
            table = _arrow_part(province, size, seed, as_of, part, parts, first_id, text_dates=False)
            if writer is None:
                writer = pq.ParquetWriter(path, table.schema, compression="zstd")
            writer.write_table(table, row_group_size=1_000_000)
            first_id += size
        writer.close()
        return path

    # mtime=0 and no file name in the gzip header: same seed, same bytes.
    with open(path, "wb") as raw:
        handle = (
            gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=6)
            if name.endswith(".gz")
            else raw
        )
        handle.write((",".join(COLUMNS) + "\n").encode())
        options = pa_csv.WriteOptions(include_header=False, quoting_style="none")
        first_id = 1
        for part, size in enumerate(sizes):
            table = _arrow_part(province, size, seed, as_of, part, parts, first_id, text_dates=True)
            pa_csv.write_csv(table, handle, write_options=options)
            first_id += size
        if handle is not raw:
            handle.close()
    return path


def _arrow_part(province, rows, seed, as_of, part, parts, first_id, text_dates):
    import pyarrow as pa
    import pyarrow.compute as pc

    columns = generate_columns(province, rows, seed, as_of, part, parts)
    ids = pa.array(np.arange(first_id, first_id + rows))
    names = pc.binary_join_element_wise("WARGA SINTETIS ", pc.utf8_lpad(ids.cast(pa.string()), 7, "0"), "")
    birth = pa.array(columns["TGL_LHR"])
    if text_dates:
        birth = pc.strftime(birth.cast(pa.timestamp("s")), format="%d-%m-%Y")
    arrays = {
        "NIK": pa.array(columns["NIK"]).cast(pa.string()),
        "NO_KK": pa.array(columns["NO_KK"]).cast(pa.string()),
        "NAMA_LGKP": names,
        "TGL_LHR": birth,
        # SIAK leaves PNYDNG_CCT empty for a person without a disability.
        "PNYDNG_CCT": pa.array(columns["PNYDNG_CCT"], mask=columns["PNYDNG_CCT"] == 0),
    }
    return pa.table({key: arrays.get(key, columns.get(key)) for key in COLUMNS})
