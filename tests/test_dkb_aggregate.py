"""Exact numbers on a small hand-checked extract (synthetic people, cut-off 30 June 2025).

The file, row by row (spreadsheet row numbers; row 1 is the header):

 2  KK A (17.71.01)  man,   15-03-1980, age 45, head, married
 3  KK A             woman, 30-06-1985, turns 40 ON the cut-off date -> 40-44, wife
 4  KK A             boy,   01-07-2008, still 16 (17 tomorrow), single -> not wajib KTP
 5  KK A             girl,  30-06-2008, turns 17 on the cut-off date -> wajib KTP
 6  KK B (17.71.02)  woman, 10-01-1950, age 75, widowed head, Kristen, no birth certificate
 7  KK B             boy,   31-12-2020, age 4, grandchild
 8  KK B             girl,  15-02-2009, age 16 but married (menantu) -> wajib KTP
 9  KK C (17.01.01)  man,   1990-12-31 (ISO date), age 34, single head; codes unpadded (NO_KAB 1)
10  rejected: letters in NIK
11  rejected: duplicate of row 2's NIK
12  rejected: NO_PROP 16
13  rejected: born 01-01-2026, after the cut-off
14  used, but: NIK says born 1996 (TGL_LHR 1995), AGAMA 8, NO_KK "123"
"""

import json
from datetime import date

import pytest

from workflows.dkb.aggregate import aggregate_file, default_cutoff
from workflows.dkb.errors import DkbFileError

HEADER = (
    "NIK,NO_KK,NAMA_LGKP,JENIS_KLMIN,TGL_LHR,AGAMA,STAT_KWN,STAT_HBKEL,PDDK_AKH,JENIS_PKRJN,GOL_DRH,AKTA_LHR,"
    "NO_PROP,NO_KAB,NO_KEC,NO_KEL"
)
ROWS = [
    "1771011503800001,1771010101200001,WARGA SINTETIS A1,1,15-03-1980,1,2,1,5,15,4,2,17,71,1,1001",
    "1771017006850001,1771010101200001,WARGA SINTETIS A2,2,30-06-1985,1,2,3,5,2,1,2,17,71,1,1001",
    "1771010107080001,1771010101200001,WARGA SINTETIS A3,1,01-07-2008,1,1,4,4,3,13,2,17,71,1,1001",
    "1771017006080001,1771010101200001,WARGA SINTETIS A4,2,30-06-2008,1,1,4,4,3,13,2,17,71,1,1001",
    "1771025001500001,1771020202190001,WARGA SINTETIS B1,2,10-01-1950,2,4,1,3,4,13,1,17,71,2,1002",
    "1771023112200001,1771020202190001,WARGA SINTETIS B2,1,31-12-2020,1,1,6,1,1,13,2,17,71,2,1002",
    "1771025502090001,1771020202190001,WARGA SINTETIS B3,2,15-02-2009,1,2,5,4,2,13,2,17,71,2,1002",
    "1701013112900001,1701010303150001,WARGA SINTETIS C1,1,1990-12-31,1,1,1,8,9,2,1,17,1,1,2001",
    "17010A0101900001,1701010303150001,WARGA SINTETIS C2,1,01-01-1990,1,1,4,5,9,13,2,17,1,1,2001",
    "1771011503800001,1771010101200001,WARGA SINTETIS A1,1,15-03-1980,1,2,1,5,15,4,2,17,71,1,1001",
    "1671010101010001,1671010101190001,WARGA SINTETIS X1,1,01-01-2001,1,1,1,5,3,13,2,16,71,1,1001",
    "1771010101260001,1771010101200001,WARGA SINTETIS A5,1,01-01-2026,1,1,4,1,1,13,1,17,71,1,1001",
    "1771010505960001,123,WARGA SINTETIS D1,1,05-05-1995,8,1,11,5,88,11,2,17,71,1,1001",
]
CUTOFF = date(2025, 6, 30)


@pytest.fixture
def result(tmp_path):
    path = tmp_path / "hand_checked.csv"
    path.write_text("\n".join([HEADER, *ROWS]) + "\n", encoding="utf-8")
    return aggregate_file(path, cutoff=CUTOFF, province="17")


def row(table, kode, kategori=None):
    matches = [r for r in table if r["kode"] == kode and r.get("kategori") == kategori]
    assert len(matches) == 1, (kode, kategori, matches)
    return (matches[0]["laki_laki"], matches[0]["perempuan"], matches[0]["jumlah"])


def test_rows_read_used_and_rejected_are_counted(result):
    assert result.rows == {"read": 13, "used": 9, "rejected": 4}


def test_each_problem_reports_its_count_and_spreadsheet_row_numbers(result):
    assert result.quality == {
        "nik_not_16_digits": {"count": 1, "examples": [10]},
        "nik_duplicate": {"count": 1, "examples": [11]},
        "region_outside_province": {"count": 1, "examples": [12]},
        "birth_date_in_future": {"count": 1, "examples": [13]},
        "nik_birth_date_mismatch": {"count": 1, "examples": [14]},
        "no_kk_not_16_digits": {"count": 1, "examples": [14]},
        "code_out_of_range_agama": {"count": 1, "examples": [14]},
    }


def test_duplicates_are_found_the_same_way_above_the_numpy_size_limit(tmp_path, monkeypatch):
    from workflows.dkb import aggregate

    monkeypatch.setattr(aggregate, "NUMPY_DUPLICATE_LIMIT", 0)  # force DuckDB's spilling path
    path = tmp_path / "hand_checked.csv"
    path.write_text("\n".join([HEADER, *ROWS]) + "\n", encoding="utf-8")
    result = aggregate_file(path, cutoff=CUTOFF, province="17")
    assert result.quality["nik_duplicate"] == {"count": 1, "examples": [11]}
    assert result.rows == {"read": 13, "used": 9, "rejected": 4}


def test_population_is_split_by_sex_per_kabupaten_kota(result):
    penduduk = result.tables["penduduk"]
    assert row(penduduk, "17.71") == (4, 4, 8)
    assert row(penduduk, "17.01") == (1, 0, 1)
    assert row(penduduk, "17.02") == (0, 0, 0)
    assert len(penduduk) == 10  # every kab/kota of Bengkulu, zeros included


def test_households_count_distinct_valid_no_kk(result):
    kk = {r["kode"]: r["jumlah_kk"] for r in result.tables["kk"]}
    assert kk["17.71"] == 2  # KK A and KK B; "123" is not a household number
    assert kk["17.01"] == 1
    assert result.kecamatan_tables["kk"] == [
        {"kode": "17.01.01", "jumlah_kk": 1},
        {"kode": "17.71.01", "jumlah_kk": 1},
        {"kode": "17.71.02", "jumlah_kk": 1},
    ]


def test_person_born_on_cutoff_date_counts_in_the_older_age_group(result):
    umur = result.tables["kelompok_umur"]
    assert row(umur, "17.71", "40-44") == (0, 1, 1)
    assert row(umur, "17.71", "35-39") == (0, 0, 0)


def test_age_groups_use_completed_years_on_the_cutoff_date(result):
    umur = result.tables["kelompok_umur"]
    assert row(umur, "17.71", "0-4") == (1, 0, 1)
    assert row(umur, "17.71", "15-19") == (1, 2, 3)
    assert row(umur, "17.71", "30-34") == (1, 0, 1)
    assert row(umur, "17.71", "45-49") == (1, 0, 1)
    assert row(umur, "17.71", "75+") == (0, 1, 1)
    assert row(umur, "17.01", "30-34") == (1, 0, 1)
    assert sum(r["jumlah"] for r in umur) == 9
    assert [r["kategori"] for r in umur if r["kode"] == "17.71"][-1] == "75+"


def test_wajib_ktp_counts_seventeen_year_olds_and_married_minors_only(result):
    wajib = result.tables["wajib_ktp"]
    assert row(wajib, "17.71") == (2, 4, 6)
    assert row(wajib, "17.01") == (1, 0, 1)


def test_coded_tables_carry_the_siak_code_and_leave_out_invalid_codes(result):
    tables = result.tables
    assert row(tables["agama"], "17.71", 1) == (3, 3, 6)
    assert row(tables["agama"], "17.71", 2) == (0, 1, 1)
    assert not [r for r in tables["agama"] if r["kategori"] == 8]
    assert row(tables["status_kawin"], "17.71", 1) == (3, 1, 4)
    assert row(tables["status_kawin"], "17.71", 2) == (1, 2, 3)
    assert row(tables["status_kawin"], "17.71", 4) == (0, 1, 1)
    assert row(tables["shdk"], "17.71", 1) == (1, 1, 2)
    assert row(tables["shdk"], "17.71", 11) == (1, 0, 1)
    assert row(tables["pendidikan"], "17.71", 4) == (1, 2, 3)
    assert row(tables["pekerjaan"], "17.71", 2) == (0, 2, 2)
    assert row(tables["pekerjaan"], "17.01", 9) == (1, 0, 1)
    assert row(tables["golongan_darah"], "17.71", 13) == (2, 3, 5)
    assert row(tables["akta_lahir"], "17.71", 2) == (4, 3, 7)
    assert row(tables["akta_lahir"], "17.71", 1) == (0, 1, 1)
    assert len([r for r in tables["pekerjaan"] if r["kode"] == "17.71"]) == 89


def test_occupation_sectors_group_the_codes(result):
    sectors = result.extra_tables["pekerjaan_sektor"]
    assert row(sectors, "17.71", "tidak_bekerja") == (2, 4, 6)  # codes 1-4
    assert row(sectors, "17.71", "karyawan") == (1, 0, 1)  # 15
    assert row(sectors, "17.71", "wiraswasta") == (1, 0, 1)  # 88
    assert row(sectors, "17.01", "pertanian") == (1, 0, 1)  # 9


def test_kecamatan_tables_use_the_full_region_code_and_shipped_names(result):
    assert row(result.kecamatan_tables["penduduk"], "17.71.01") == (3, 2, 5)
    assert row(result.kecamatan_tables["penduduk"], "17.71.02") == (1, 2, 3)
    assert result.regions["17.71.01"] == "Selebar"
    assert result.regions["17.71"] == "Kota Bengkulu"
    assert result.regions["17.01.01"] == "Kedurang"


def test_derived_indicators_for_the_province(result):
    # Ages used: 4, 16, 16, 17, 30, 34, 40, 45, 75 (5 men, 4 women).
    derived = result.derived["17"]
    assert derived["rasio_jenis_kelamin"] == 125.0
    assert derived["rasio_ketergantungan"] == round(2 * 100 / 7, 2)
    assert derived["umur_median"] == 30.5  # 4.5th person falls in the 30th year, alone in it


def test_result_is_json_serialisable_and_keeps_the_contract_keys(result):
    data = json.loads(json.dumps(result.as_dict()))
    assert {"cutoff", "province", "rows", "quality", "tables"} <= set(data)
    assert {"kecamatan_tables", "derived", "regions"} <= set(data)
    assert data["cutoff"] == "2025-06-30" and data["province"] == "17"
    contract = result.as_contract_dict()
    assert set(contract) == {"cutoff", "province", "rows", "quality", "tables"}
    assert list(contract["tables"]) == [
        "penduduk",
        "kk",
        "kelompok_umur",
        "agama",
        "pendidikan",
        "pekerjaan",
        "status_kawin",
        "golongan_darah",
        "shdk",
        "akta_lahir",
        "wajib_ktp",
    ]
    for name, rows in contract["tables"].items():
        for item in rows:
            assert isinstance(item["kode"], str) and len(item["kode"]) == 5
            if name == "kk":
                assert set(item) == {"kode", "jumlah_kk"} and isinstance(item["jumlah_kk"], int)
                continue
            expected = {"kode", "laki_laki", "perempuan", "jumlah"}
            if name not in ("penduduk", "wajib_ktp"):
                expected.add("kategori")
                assert isinstance(item["kategori"], str if name == "kelompok_umur" else int)
            assert set(item) == expected
            assert item["jumlah"] == item["laki_laki"] + item["perempuan"]


def test_progress_is_reported_from_zero_to_one(tmp_path):
    path = tmp_path / "hand_checked.csv"
    path.write_text("\n".join([HEADER, *ROWS]) + "\n", encoding="utf-8")
    seen = []
    aggregate_file(
        path, cutoff=CUTOFF, province="17", progress=lambda fraction, message: seen.append(fraction)
    )
    assert seen[0] == 0.0 and seen[-1] == 1.0 and seen == sorted(seen)


def test_file_where_every_row_is_rejected_is_refused_with_the_main_reason(tmp_path):
    path = tmp_path / "all_bad.csv"
    path.write_text("\n".join([HEADER, ROWS[8], ROWS[8].replace("C2", "C3")]) + "\n", encoding="utf-8")
    with pytest.raises(DkbFileError) as error:
        aggregate_file(path, cutoff=CUTOFF, province="17")
    assert "semua 2 baris ditolak" in str(error.value)
    assert "NIK tidak terdiri dari 16 angka" in str(error.value)


def test_default_cutoff_is_30_june_or_31_december():
    assert default_cutoff(2025, 1) == date(2025, 6, 30)
    assert default_cutoff(2025, 2) == date(2025, 12, 31)
