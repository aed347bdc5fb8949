"""The aggregate tables as a publishable workbook: opened with openpyxl, as a reader's Excel would."""

from datetime import datetime
from io import BytesIO

import openpyxl
import pytest

from workflows.dkb.aggregate import aggregate_file
from workflows.dkb.generator import write_dkb
from workflows.dkb.schema import TABLES
from workflows.sops.population.aggregation import export_xlsx

SOURCE = "Sumber: DKB Ditjen Dukcapil Kemendagri, posisi 30 Juni 2025"
CATEGORY_HEADER = ["Kode", "Kabupaten/Kota", "Kode kategori", "Kategori", "Laki-laki", "Perempuan", "Jumlah",
                   "Persentase", "Rasio jenis kelamin"]


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    path = tmp_path_factory.mktemp("dkb") / "dkb.csv"
    write_dkb(path, province="17", rows=3000, seed=11)
    return aggregate_file(path, cutoff="2025-06-30", province="17").as_dict()


@pytest.fixture(scope="module")
def book(result):
    return openpyxl.load_workbook(BytesIO(export_xlsx(result)))


def rows_of(sheet):
    """The table part: header row (row 4) and the rows under it up to the blank before Sumber."""
    rows = list(sheet.iter_rows(min_row=4))
    body = []
    for row in rows:
        if all(cell.value is None for cell in row):
            break
        body.append(row)
    return body[0], body[1:]


def values(row):
    return [cell.value for cell in row]


def test_every_table_has_a_sheet_with_its_title_position_date_and_source_line(book):
    expected = ["Ringkasan"] + [f"{table.name} {level}" for level in ("kab-kota", "kecamatan") for table in TABLES]
    assert book.sheetnames == expected
    titles = {table.name: table.title for table in TABLES}
    for sheet in book.worksheets:
        name = sheet.title.split(" ")[0]
        if name != "Ringkasan":
            assert sheet["A1"].value.startswith(titles[name]) and sheet["A1"].value.endswith("Provinsi Bengkulu")
            assert ("per kecamatan" if "kecamatan" in sheet.title else "per kabupaten/kota") in sheet["A1"].value
        assert sheet["A2"].value == "Posisi data"
        assert sheet["B2"].is_date and sheet["B2"].value == datetime(2025, 6, 30)
        assert "mmmm" in sheet["B2"].number_format  # shown as 30 Juni 2025
        last = max(row for row in range(1, sheet.max_row + 1) if sheet.cell(row, 1).value is not None)
        assert sheet.cell(last, 1).value == SOURCE
        assert sheet.freeze_panes == "A5"


def test_population_sheet_has_names_beside_codes_totals_shares_and_sex_ratio(book, result):
    header, rows = rows_of(book["penduduk kab-kota"])
    assert values(header) == ["Kode", "Kabupaten/Kota", "Laki-laki", "Perempuan", "Jumlah", "Persentase",
                              "Rasio jenis kelamin"]
    *regencies, total = rows
    assert [row[0].value for row in regencies] == [row["kode"] for row in result["tables"]["penduduk"]]
    for row in regencies:
        assert row[1].value == result["regions"][row[0].value] and row[1].value.startswith(("Kabupaten ", "Kota "))
        male, female, both = row[2].value, row[3].value, row[4].value
        assert male + female == both
        assert row[6].value == pytest.approx(male * 100 / female, abs=0.005)
        assert [row[i].number_format for i in (2, 3, 4, 5, 6)] == ["#,##0", "#,##0", "#,##0", "0.00%", "0.00"]
    assert values(total)[:2] == ["17", "Provinsi Bengkulu"] and total[2].font.b
    for column in (2, 3, 4):
        assert total[column].value == sum(row[column].value for row in regencies)
    assert total[4].value == result["rows"]["used"]
    assert sum(row[5].value for row in regencies) == pytest.approx(1.0)
    assert total[5].value == 1 and total[6].value == pytest.approx(result["derived"]["17"]["rasio_jenis_kelamin"],
                                                                    abs=0.01)


def test_category_sheets_sum_their_rows_per_region_and_for_the_province(book, result):
    grand = result["rows"]["used"]
    for table in TABLES:
        if table.field is None and table.name != "kelompok_umur":
            continue
        header, rows = rows_of(book[f"{table.name} kab-kota"])
        assert values(header) == CATEGORY_HEADER, table.name
        province_rows = [row for row in rows if row[0].value == "17"]
        region_rows = [row for row in rows if row[0].value != "17"]
        blocks = {}
        for row in region_rows:
            assert row[1].value == result["regions"][row[0].value]
            blocks.setdefault(row[0].value, []).append(row)
        for code, block in blocks.items():
            *categories, subtotal = block
            assert subtotal[3].value == "Jumlah" and subtotal[3].font.b
            for column in (4, 5, 6):
                assert subtotal[column].value == sum(row[column].value for row in categories), (table.name, code)
            assert sum(row[7].value for row in categories) == pytest.approx(1.0)
            assert all(row[4].number_format == "#,##0" and row[7].number_format == "0.00%" for row in categories)
            assert all(isinstance(row[3].value, str) and row[3].value for row in categories)
        *by_category, province_total = province_rows
        assert province_total[3].value == "Jumlah" and province_total[6].value == grand, table.name
        for row in by_category:
            same = [other for other in region_rows if other[2].value == row[2].value and other[3].value != "Jumlah"]
            assert row[6].value == sum(other[6].value for other in same), (table.name, row[2].value)
        assert sum(row[6].value for row in by_category) == grand


def test_kecamatan_sheets_name_each_kecamatan_and_add_up_to_the_province(book, result):
    header, rows = rows_of(book["penduduk kecamatan"])
    assert values(header)[:2] == ["Kode", "Kecamatan"]
    *kecamatan, total = rows
    assert all(row[1].value == result["regions"][row[0].value] for row in kecamatan)
    assert total[4].value == sum(row[4].value for row in kecamatan) == result["rows"]["used"]

    header, rows = rows_of(book["agama kecamatan"])
    assert values(header) == ["Kode", "Kecamatan", "Kode kategori", "Kategori", "Laki-laki", "Perempuan", "Jumlah"]
    subtotals = [row for row in rows if row[3].value == "Jumlah"]
    assert sum(row[6].value for row in subtotals) == result["rows"]["used"]
    assert sum(row[6].value for row in rows if row[3].value != "Jumlah") == result["rows"]["used"]


def test_summary_sheet_holds_the_province_figures_as_numbers(book, result):
    sheet = book["Ringkasan"]
    figures = {row[0].value: row[1] for row in sheet.iter_rows(min_row=5) if row[0].value}
    assert figures["Jumlah penduduk"].value == result["rows"]["used"]
    assert figures["Jumlah penduduk"].number_format == "#,##0"
    assert figures["Laki-laki"].value + figures["Perempuan"].value == figures["Jumlah penduduk"].value
    assert figures["Rasio jenis kelamin"].number_format == "0.00"
    assert figures["Baris dibaca"].value == result["rows"]["read"]
