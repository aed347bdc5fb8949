"""Edge cases of reading real-world exports, built from the generator's synthetic rows."""

from datetime import date
from pathlib import Path

import pytest

from workflows.dkb.aggregate import aggregate_file
from workflows.dkb.errors import DkbFileError
from workflows.dkb.generator import write_dkb
from workflows.dkb.ingest import check_file

CORPUS = Path(__file__).parent / "data" / "dkb"
CUTOFF = date(2025, 6, 30)
LINES = (CORPUS / "valid.csv").read_text(encoding="utf-8").splitlines()
HEADER = LINES[0].split(",")


def column(name):
    return HEADER.index(name)


def with_value(line, name, value):
    fields = line.split(",")
    fields[column(name)] = value
    return ",".join(fields)


def aggregate_lines(tmp_path, lines, name="file.csv"):
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return aggregate_file(path, cutoff=CUTOFF, province="17")


def test_broken_line_is_rejected_and_later_row_numbers_still_match_the_spreadsheet(tmp_path):
    broken = LINES[3] + ",EXTRA"
    bad_nik = with_value(LINES[4], "NIK", "17X1")
    result = aggregate_lines(tmp_path, [LINES[0], LINES[1], LINES[2], broken, LINES[5], bad_nik])
    assert result.rows == {"read": 5, "used": 3, "rejected": 2}
    assert result.quality["malformed_line"] == {"count": 1, "examples": [4]}
    assert result.quality["nik_not_16_digits"] == {"count": 1, "examples": [6]}


def test_a_late_row_in_another_date_layout_is_still_read(tmp_path):
    path = tmp_path / "big.csv"
    write_dkb(path, rows=1000, seed=5)  # longer than the 200-line sample check_file looks at
    lines = path.read_text(encoding="utf-8").splitlines()
    day, month, year = lines[-1].split(",")[column("TGL_LHR")].split("-")
    lines[-1] = with_value(lines[-1], "TGL_LHR", f"{year}-{month}-{day}")
    result = aggregate_lines(tmp_path, lines)
    assert result.rows == {"read": 1000, "used": 1000, "rejected": 0}
    assert result.quality == {}


def test_a_latin1_byte_far_beyond_the_utf8_looking_sample_loses_no_row(tmp_path):
    path = tmp_path / "latin.csv"
    write_dkb(path, rows=3000, seed=6)  # about 300 KB, more than the 256 KB sample
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[-1] = with_value(lines[-1], "NAMA_LGKP", "WARGA SINTETIS ÑAÑA")
    path.write_bytes(("\n".join(lines) + "\n").encode("latin-1"))
    assert check_file(path).encoding == "utf-8"  # the sample alone cannot tell
    result = aggregate_file(path, cutoff=CUTOFF, province="17")
    assert result.rows == {"read": 3000, "used": 3000, "rejected": 0}
    assert result.quality == {}


def test_inactive_records_are_rejected_when_flag_status_is_present(tmp_path):
    lines = [LINES[0] + ",FLAG_STATUS"] + [line + ",0" for line in LINES[1:]]
    lines[5] = lines[5][:-1] + "1"
    result = aggregate_lines(tmp_path, lines)
    assert result.quality == {"record_not_active": {"count": 1, "examples": [6]}}
    assert result.rows["used"] == 19


def test_unknown_kecamatan_is_kept_under_its_code_without_a_name(tmp_path):
    moved = with_value(with_value(LINES[1], "NO_KAB", "71"), "NO_KEC", "99")
    result = aggregate_lines(tmp_path, [LINES[0], moved, *LINES[2:]])
    assert result.quality == {"kecamatan_unknown": {"count": 1, "examples": [2]}}
    assert result.rows["used"] == 20
    assert {"kode": "17.71.99", "jumlah_kk": 1} in result.kecamatan_tables["kk"]
    assert result.regions["17.71.99"] is None


def test_unknown_kabupaten_kota_is_rejected(tmp_path):
    lines = [LINES[0], with_value(LINES[1], "NO_KAB", "55"), *LINES[2:]]
    result = aggregate_lines(tmp_path, lines)
    assert result.quality == {"kabupaten_unknown": {"count": 1, "examples": [2]}}
    assert result.rows == {"read": 20, "used": 19, "rejected": 1}


def test_nik_of_a_woman_must_carry_day_plus_40(tmp_path):
    woman = next(line for line in LINES[1:] if line.split(",")[column("JENIS_KLMIN")] == "2")
    nik = woman.split(",")[column("NIK")]
    as_if_man = nik[:6] + f"{int(nik[6:8]) - 40:02d}" + nik[8:]
    lines = [LINES[0]] + [with_value(line, "NIK", as_if_man) if line == woman else line for line in LINES[1:]]
    result = aggregate_lines(tmp_path, lines)
    assert result.quality == {
        "nik_birth_date_mismatch": {"count": 1, "examples": [lines.index(woman.replace(nik, as_if_man)) + 1]}
    }
    assert result.rows["used"] == 20


def test_extract_without_akta_lhr_has_an_empty_birth_certificate_table(tmp_path):
    skip = column("AKTA_LHR")
    lines = [",".join(v for i, v in enumerate(line.split(",")) if i != skip) for line in LINES]
    result = aggregate_lines(tmp_path, lines)
    assert result.tables["akta_lahir"] == []
    assert result.quality == {}


def test_padded_and_unpadded_region_codes_and_lower_case_headers_give_the_same_tables(tmp_path):
    padded = [LINES[0].lower()]
    for line in LINES[1:]:
        for name, width in (("NO_KAB", 2), ("NO_KEC", 2), ("NO_KEL", 4)):
            line = with_value(line, name, line.split(",")[column(name)].zfill(width))
        padded.append(line)
    assert "NIK" in check_file(_write(tmp_path / "padded.csv", padded)).columns
    assert aggregate_lines(tmp_path, padded, "padded.csv").tables == aggregate_lines(tmp_path, LINES).tables


def test_parquet_with_every_column_as_text_is_read_like_csv(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    rows = [line.split(",") for line in LINES[1:]]
    table = pa.table({name: [row[index] for row in rows] for index, name in enumerate(HEADER)})
    pq.write_table(table, tmp_path / "text.parquet")
    result = aggregate_file(tmp_path / "text.parquet", cutoff=CUTOFF, province="17")
    assert result.tables == aggregate_lines(tmp_path, LINES).tables


def test_windows_line_ends_quoted_fields_and_a_byte_order_mark_are_read(tmp_path):
    import csv
    import io

    rows = [line.split(",") for line in LINES]
    rows[2][column("NAMA_LGKP")] = "WARGA, SINTETIS"  # a delimiter inside a quoted value
    buffer = io.StringIO()
    csv.writer(buffer, quoting=csv.QUOTE_ALL, lineterminator="\r\n").writerows(rows)
    path = tmp_path / "windows.csv"
    path.write_bytes(b"\xef\xbb\xbf" + buffer.getvalue().encode("utf-8"))
    assert check_file(path).columns[0] == "NIK"
    result = aggregate_file(path, cutoff=CUTOFF, province="17")
    assert result.rows == {"read": 20, "used": 20, "rejected": 0}
    assert result.tables == aggregate_lines(tmp_path, LINES).tables


def test_utf16_text_from_excel_is_refused_with_a_way_out(tmp_path):
    path = tmp_path / "unicode.csv"
    path.write_bytes("\n".join(LINES).encode("utf-16"))
    with pytest.raises(DkbFileError, match="UTF-16"):
        check_file(path)


def test_any_marital_code_but_1_makes_a_child_wajib_ktp_while_an_empty_one_does_not(tmp_path):
    children = [line for line in LINES[1:] if int(line.split(",")[column("TGL_LHR")][-4:]) >= 2012]
    assert len(children) >= 2
    newer_code, empty = children[0], children[1]
    lines = [LINES[0]] + [
        with_value(line, "STAT_KWN", "5")
        if line == newer_code
        else with_value(line, "STAT_KWN", "")
        if line == empty
        else line
        for line in LINES[1:]
    ]
    before = sum(row["jumlah"] for row in aggregate_lines(tmp_path, LINES, "before.csv").tables["wajib_ktp"])
    result = aggregate_lines(tmp_path, lines)
    assert sum(row["jumlah"] for row in result.tables["wajib_ktp"]) == before + 1
    assert result.quality["code_out_of_range_stat_kwn"]["count"] == 2


def test_spill_directory_is_removed_after_success_and_after_failure(tmp_path):
    spill = tmp_path / "spill"
    spill.mkdir()
    aggregate_file(CORPUS / "valid.csv", cutoff=CUTOFF, province="17", temp_dir=spill, memory_limit="200MB")
    with pytest.raises(DkbFileError):
        aggregate_file(
            CORPUS / "nik_letters.csv", cutoff=CUTOFF, province="17", temp_dir=spill, memory_limit="x"
        )
    assert list(spill.iterdir()) == []


def test_error_text_is_the_template_filled_with_its_params():
    error = DkbFileError(
        "Berkas berisi data provinsi %(found)s, bukan provinsi %(province)s.", found="13", province="17"
    )
    assert str(error) == "Berkas berisi data provinsi 13, bukan provinsi 17."
    assert error.params == {"found": "13", "province": "17"}


def test_unknown_province_of_the_organisation_is_refused():
    with pytest.raises(DkbFileError, match="Provinsi 99 tidak dikenal"):
        aggregate_file(CORPUS / "valid.csv", cutoff=CUTOFF, province="99")


def _write(path, lines):
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
