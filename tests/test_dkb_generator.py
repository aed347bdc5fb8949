"""The synthetic DKB generator: deterministic, realistic enough, and clean for the engine."""

import csv
import hashlib
from collections import Counter, defaultdict
from datetime import date

import pytest

from workflows.dkb import regions
from workflows.dkb.aggregate import aggregate_file
from workflows.dkb.generator import generate_columns, write_dkb


def digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def people(tmp_path_factory):
    path = tmp_path_factory.mktemp("generator") / "people.csv"
    write_dkb(path, province="17", rows=20_000, seed=11)
    with open(path, newline="", encoding="utf-8") as handle:
        return path, list(csv.DictReader(handle))


@pytest.mark.parametrize("suffix", [".csv", ".csv.gz", ".parquet"])
def test_same_seed_gives_the_same_bytes_and_another_seed_other_bytes(tmp_path, suffix):
    first, again, other = (tmp_path / f"{name}{suffix}" for name in ("first", "again", "other"))
    write_dkb(first, rows=500, seed=3)
    write_dkb(again, rows=500, seed=3)
    write_dkb(other, rows=500, seed=4)
    assert digest(first) == digest(again)
    assert digest(first) != digest(other)


def test_unknown_extension_is_refused(tmp_path):
    with pytest.raises(ValueError):
        write_dkb(tmp_path / "people.xlsx", rows=10)


def test_every_household_has_exactly_one_kepala_keluarga(people):
    _path, rows = people
    heads = Counter(row["NO_KK"] for row in rows if row["STAT_HBKEL"] == "1")
    members = Counter(row["NO_KK"] for row in rows)
    assert set(heads) == set(members)
    assert set(heads.values()) == {1}
    assert 3.0 <= len(rows) / len(members) <= 4.0


def test_nik_follows_region_birth_date_and_sex_and_is_unique(people):
    _path, rows = people
    assert len({row["NIK"] for row in rows}) == len(rows)
    for row in rows[:2000]:
        day, month, year = row["TGL_LHR"].split("-")
        expected_day = int(day) + (40 if row["JENIS_KLMIN"] == "2" else 0)
        assert row["NIK"][:2] == "17" and len(row["NIK"]) == 16 and len(row["NO_KK"]) == 16
        assert row["NIK"][6:12] == f"{expected_day:02d}{month}{year[2:]}"


def test_region_codes_are_unpadded_like_siak_exports_and_exist_in_the_code_table(people):
    _path, rows = people
    known = {d.code for k in regions.regencies("17") for d in regions.districts(k.code)}
    assert {row["NO_PROP"] for row in rows} == {"17"}
    assert "1" in {row["NO_KAB"] for row in rows}  # not "01"
    assert {f"17.{int(row['NO_KAB']):02d}.{int(row['NO_KEC']):02d}" for row in rows} <= known


def test_kabupaten_kota_sizes_follow_the_kepmendagri_populations(people):
    _path, rows = people
    counts = Counter(int(row["NO_KAB"]) for row in rows)
    total = sum(region.total for region in regions.regencies("17"))
    for region in regions.regencies("17"):
        share = region.total / total
        assert abs(counts[int(region.code[3:])] / len(rows) - share) < 0.02, region.name


def test_sex_ratio_is_near_104_and_the_age_pyramid_narrows_with_age(people):
    path, rows = people
    sexes = Counter(row["JENIS_KLMIN"] for row in rows)
    assert 100 <= sexes["1"] * 100 / sexes["2"] <= 108
    result = aggregate_file(path, cutoff=date(2025, 6, 30), province="17")
    groups = defaultdict(int)
    for row in result.tables["kelompok_umur"]:
        groups[row["kategori"]] += row["jumlah"]
    assert groups["0-4"] > groups["50-54"] > groups["70-74"]
    assert 25 <= result.derived["17"]["umur_median"] <= 35


def test_names_are_obviously_synthetic(people):
    _path, rows = people
    assert all(row["NAMA_LGKP"].startswith("WARGA SINTETIS ") for row in rows)


def test_generated_file_is_clean_for_the_engine(people):
    path, rows = people
    result = aggregate_file(path, cutoff=date(2025, 6, 30), province="17")
    assert result.rows == {"read": len(rows), "used": len(rows), "rejected": 0}
    assert result.quality == {}


def test_sumatera_barat_can_be_generated_too():
    columns = generate_columns(province="13", rows=2000, seed=1)
    assert set(columns["NO_PROP"].tolist()) == {13}
    assert {int(k) for k in columns["NO_KAB"]} <= {int(region.code[3:]) for region in regions.regencies("13")}


def test_parquet_keeps_dates_and_codes_typed(tmp_path):
    import pyarrow.parquet as pq

    path = write_dkb(tmp_path / "people.parquet", rows=100, seed=2)
    schema = pq.read_schema(path)
    assert str(schema.field("TGL_LHR").type) == "date32[day]"
    assert str(schema.field("NIK").type) == "string"
    assert str(schema.field("AGAMA").type) == "int16"
