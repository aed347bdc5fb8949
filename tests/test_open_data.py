"""Open aggregate data (issue 13, point 2): the signed semester tables of SOP A at public URLs,
as CSV and JSON with Satu Data metadata, 404 before step 6 is signed, small cells suppressed,
no personal data, and one organisation's URLs never serve another's figures."""

import csv
import io
import json

import pytest
from django.test import Client

from workflows.models import SignedDocument
from workflows.sops.population.aggregation import table_rows
from workflows.sops.population.open_data import suppress

from .conftest import do_step
from .test_population_flow import SIGN, advance_to_approval

CSV_URL = "/berkas/data-terbuka/{org}/2025/semester-1.csv"
JSON_URL = "/berkas/data-terbuka/{org}/2025/semester-1.json"


def anonymous():
    return Client()


def urls(org):
    pk = org.organisation.pk
    return CSV_URL.format(org=pk), JSON_URL.format(org=pk)


def published_result(process):
    return process.draft_submissions.order_by("-created").first().run.result


def original_cells(result):
    cells = {}
    for level in ("kabupaten", "kecamatan"):
        for table, kode, _wilayah, kategori, _label, male, female, total in table_rows(result, level):
            for column, value in (("laki_laki", male), ("perempuan", female), ("jumlah", total)):
                if value != "":
                    cells[(level, table, kode, str(kategori), column)] = value
    return cells


def published_cells(rows):
    cells, flags = {}, {}
    for row in rows:
        for column in ("jumlah",) if row["tabel"] == "kk" else ("laki_laki", "perempuan", "jumlah"):
            key = (row["tingkat"], row["tabel"], row["kode"], str(row["kategori"]), column)
            cells[key] = row[column]
            flags[key] = column in row["disamarkan"]
    return cells, flags


@pytest.fixture
def signed(bengkulu, dkb_file):
    process = advance_to_approval(bengkulu, dkb_file)
    do_step(bengkulu["kadis"], process, "approve", SIGN)
    return process


def test_an_unsigned_semester_is_404_and_not_listed(bengkulu, dkb_file):
    process = advance_to_approval(bengkulu, dkb_file)  # step 5 validated, step 6 not signed
    assert process.signed_documents.count() == 0
    for url in urls(bengkulu):
        assert anonymous().get(url).status_code == 404, url
    index = anonymous().get("/berkas/data-terbuka/")
    assert index.status_code == 200
    assert "Belum ada data yang diterbitkan." in index.content.decode()
    assert urls(bengkulu)[0] not in index.content.decode()


def test_after_signing_csv_and_json_are_public_with_satu_data_metadata(bengkulu, signed, settings):
    settings.SOPFLOW_BASE_URL = "https://sopflow.bengkuluprov.go.id"
    csv_url, json_url = urls(bengkulu)
    response = anonymous().get(json_url)
    assert response.status_code == 200 and response["Content-Type"].startswith("application/json")
    meta = json.loads(response.content)["metadata"]
    document = SignedDocument.objects.get(process=signed)
    assert meta["judul"] == "Data Agregat Kependudukan Provinsi Bengkulu Semester I 2025"
    assert meta["produsen_data"] == bengkulu.organisation.name
    assert meta["periode"] == "Semester I 2025"
    assert meta["tanggal_posisi_data"] == "2025-06-30" and meta["tanggal_posisi_data_teks"] == "30 Juni 2025"
    assert meta["satuan"] == {"kk": "kartu keluarga", "lainnya": "jiwa"}
    assert meta["sumber_data"].startswith("DKB (Data Konsolidasi Bersih) Ditjen Dukcapil Kemendagri")
    assert meta["lisensi"] == "CC BY 4.0"
    assert meta["ambang_sel_kecil"] == 5
    assert meta["laporan_ditandatangani"]["tautan_verifikasi"] == (
        f"https://sopflow.bengkuluprov.go.id/verifikasi/{document.token}/")
    assert meta["laporan_ditandatangani"]["sha256"] == document.sha256
    assert meta["distribusi"]["csv"] == "https://sopflow.bengkuluprov.go.id" + csv_url

    sheet = anonymous().get(csv_url)
    assert sheet.status_code == 200 and sheet["Content-Type"].startswith("text/csv")
    assert json_url in sheet["Link"]
    rows = list(csv.reader(io.StringIO(sheet.content.decode("utf-8-sig"))))
    assert rows[0] == ["tingkat", "tabel", "kode", "wilayah", "kategori", "keterangan", "laki_laki", "perempuan",
                       "jumlah", "disamarkan"]
    assert {row[0] for row in rows[1:]} == {"kabupaten", "kecamatan"}  # nothing below kecamatan

    index = anonymous().get("/berkas/data-terbuka/").content.decode()
    assert csv_url in index and json_url in index and "Semester I 2025" in index


def test_the_figures_equal_the_aggregate_tables_and_small_cells_are_suppressed(bengkulu, signed):
    original = original_cells(published_result(signed))
    data = json.loads(anonymous().get(urls(bengkulu)[1]).content)["data"]
    cells, flags = published_cells(data)
    assert cells.keys() == original.keys()
    small = [key for key, value in original.items() if 0 < value < 5]
    assert small, "the synthetic extract must have small cells for this test to mean anything"
    for key, value in original.items():
        if flags[key]:
            assert cells[key] is None
        else:
            assert cells[key] == value, key
    assert all(flags[key] and cells[key] is None for key in small)
    # Secondary suppression: no row shows a total beside exactly one hidden sex.
    for row in data:
        if row["jumlah"] is not None and row["tabel"] != "kk":
            assert (row["laki_laki"] is None) == (row["perempuan"] is None), row

    # The CSV says the same: an empty cell and the flag naming its column.
    rows = list(csv.DictReader(io.StringIO(anonymous().get(urls(bengkulu)[0]).content.decode("utf-8-sig"))))
    level, table, kode, kategori, column = small[0]
    row = next(row for row in rows if (row["tingkat"], row["tabel"], row["kode"], row["kategori"]) ==
               (level, table, kode, kategori))
    assert row[column] == "" and column in row["disamarkan"].split(";")


def test_the_threshold_is_configurable_and_one_publishes_every_figure(bengkulu, signed, settings):
    settings.SOPFLOW_OPEN_DATA_MIN_COUNT = 1
    settings.SOPFLOW_OPEN_DATA_LICENCE = "CC BY-SA 4.0"
    body = json.loads(anonymous().get(urls(bengkulu)[1]).content)
    cells, flags = published_cells(body["data"])
    assert cells == original_cells(published_result(signed)) and not any(flags.values())
    assert body["metadata"]["lisensi"] == "CC BY-SA 4.0" and body["metadata"]["ambang_sel_kecil"] == 1


def test_no_personal_data_is_published(bengkulu, signed, dkb_file):
    with open(dkb_file, newline="", encoding="utf-8") as handle:
        people = list(csv.DictReader(handle))
    published = anonymous().get(urls(bengkulu)[0]).content.decode("utf-8-sig") + anonymous().get(
        urls(bengkulu)[1]).content.decode()
    for person in people[:100]:
        assert person["NIK"] not in published and person["NO_KK"] not in published
        assert person["NAMA_LGKP"] not in published


def test_another_organisations_paths_do_not_leak(bengkulu, sumbar, signed):
    for url in urls(sumbar):
        assert anonymous().get(url).status_code == 404, url
    # Bengkulu's other semester and a year it has no data for.
    pk = bengkulu.organisation.pk
    for url in (f"/berkas/data-terbuka/{pk}/2025/semester-2.json", f"/berkas/data-terbuka/{pk}/2024/semester-1.csv",
                f"/berkas/data-terbuka/{pk}/2025/semester-3.csv", "/berkas/data-terbuka/999999/2025/semester-1.json"):
        assert anonymous().get(url).status_code == 404, url
    index = anonymous().get("/berkas/data-terbuka/").content.decode()
    assert sumbar.organisation.name not in index and bengkulu.organisation.name in index


def test_a_cancelled_semester_is_withdrawn(bengkulu, signed):
    signed.status = "CANCELED"
    signed.save()
    assert anonymous().get(urls(bengkulu)[1]).status_code == 404


def test_secondary_suppression_hides_a_companion_wherever_one_hidden_cell_could_be_worked_back():
    def key(kode, kategori, column):
        return ("kecamatan", "agama", kode, kategori, column)

    cells = {
        # Men 3 (small): women must go too, or 13 - 10 gives the men away.
        key("17.01.01", "1", "laki_laki"): 3, key("17.01.01", "1", "perempuan"): 10,
        key("17.01.01", "1", "jumlah"): 13,
        key("17.01.01", "2", "laki_laki"): 20, key("17.01.01", "2", "perempuan"): 22,
        key("17.01.01", "2", "jumlah"): 42,
    }
    hidden = suppress(cells, 5)
    assert key("17.01.01", "1", "laki_laki") in hidden and key("17.01.01", "1", "perempuan") in hidden
    # Across categories: the region's men add up, so a second category's men go too.
    assert key("17.01.01", "2", "laki_laki") in hidden
    assert key("17.01.01", "1", "jumlah") not in hidden
    # Nothing small, nothing hidden; zeros are published.
    assert suppress({key("17.01.01", "1", "jumlah"): 0, key("17.01.01", "2", "jumlah"): 7}, 5) == set()
