"""The bad-file corpus in tests/data/dkb (made by make_corpus.py from the generator) and what each gives."""

import filecmp
import importlib.util
from datetime import date
from pathlib import Path

import pytest

from workflows.dkb.aggregate import aggregate_file
from workflows.dkb.ingest import DkbFileError, check_file

CORPUS = Path(__file__).parent / "data" / "dkb"
CUTOFF = date(2025, 6, 30)


def refused(name, **kwargs):
    with pytest.raises(DkbFileError) as error:
        check_file(CORPUS / name, **kwargs)
    return error.value


def tables_of(name):
    return aggregate_file(CORPUS / name, cutoff=CUTOFF, province="17").as_dict()["tables"]


def test_empty_file_is_refused_as_empty():
    assert str(refused("empty.csv")) == "Berkas kosong: tidak ada isi sama sekali."


def test_header_only_file_is_refused_for_having_no_people():
    assert "hanya berisi baris judul" in str(refused("header_only.csv"))


def test_unknown_delimiter_is_refused_and_the_accepted_ones_are_named():
    message = str(refused("wrong_delimiter.csv"))
    assert message.startswith('Pemisah kolom tidak dikenali: baris judul dipisah dengan ":".')
    assert "koma, titik koma, garis tegak (|) atau tab" in message


def test_missing_required_column_is_named_in_a_translatable_message():
    error = refused("missing_column.csv")
    assert str(error) == "Kolom wajib tidak ditemukan: AGAMA."
    assert error.template == "Kolom wajib tidak ditemukan: %(columns)s."
    assert error.params == {"columns": "AGAMA"}


def test_binary_garbage_is_refused_as_not_text():
    assert str(refused("binary_garbage.csv")) == "Berkas bukan teks CSV (berisi data biner)."


def test_excel_workbook_renamed_to_csv_is_refused_as_excel():
    assert "berkas Excel atau ZIP" in str(refused("xlsx_renamed.csv"))


def test_truncated_gzip_is_refused_at_upload_and_by_the_engine():
    assert "gzip rusak atau terpotong" in str(refused("truncated.csv.gz"))
    with pytest.raises(DkbFileError, match="gzip rusak atau terpotong"):
        aggregate_file(CORPUS / "truncated.csv.gz", cutoff=CUTOFF, province="17")


def test_file_of_another_province_is_refused_at_upload_and_by_the_engine():
    assert check_file(CORPUS / "other_province.csv").format == "csv"  # without a province it is a fine file
    assert (
        str(refused("other_province.csv", province="17"))
        == "Berkas berisi data provinsi 13, bukan provinsi 17."
    )
    with pytest.raises(DkbFileError, match="bukan provinsi 17"):
        aggregate_file(CORPUS / "other_province.csv", cutoff=CUTOFF, province="17")


def test_parquet_of_another_province_is_refused_at_upload(tmp_path):
    from workflows.dkb.generator import write_dkb

    path = write_dkb(tmp_path / "sumbar.parquet", province="13", rows=50, seed=1)
    with pytest.raises(DkbFileError, match="bukan provinsi 17"):
        check_file(path, province="17")
    assert check_file(path, province="13").format == "parquet"


def test_latin1_export_is_read_with_latin1_and_gives_the_same_tables():
    info = check_file(CORPUS / "latin1.csv")
    assert (info.encoding, info.delimiter, info.format) == ("latin-1", ";", "csv")
    assert tables_of("latin1.csv") == tables_of("valid.csv")


def test_letters_in_nik_reject_only_those_rows():
    result = aggregate_file(CORPUS / "nik_letters.csv", cutoff=CUTOFF, province="17")
    assert result.rows == {"read": 20, "used": 18, "rejected": 2}
    assert result.quality == {"nik_not_16_digits": {"count": 2, "examples": [4, 8]}}


def test_ddmmyyyy_and_iso_dates_give_identical_tables():
    assert check_file(CORPUS / "dates_ddmmyyyy.csv").date_format == "%d-%m-%Y"
    assert check_file(CORPUS / "dates_iso.csv").date_format == "%Y-%m-%d"
    result = aggregate_file(CORPUS / "dates_ddmmyyyy.csv", cutoff=CUTOFF, province="17")
    assert result.rows["used"] == 20 and result.quality == {}
    assert tables_of("dates_iso.csv") == result.as_dict()["tables"]


@pytest.mark.parametrize(
    "name, fmt, delimiter",
    [
        ("semicolon.csv", "csv", ";"),
        ("pipe.csv", "csv", "|"),
        ("tab.csv", "csv", "\t"),
        ("valid.csv.gz", "csv.gz", ","),
        ("valid.parquet", "parquet", None),
    ],
)
def test_every_accepted_format_gives_the_same_tables_as_plain_csv(name, fmt, delimiter):
    info = check_file(CORPUS / name)
    assert (info.format, info.delimiter) == (fmt, delimiter)
    assert "NIK" in info.columns and "NO_KEL" in info.columns
    assert tables_of(name) == tables_of("valid.csv")


def test_wrong_delimiter_sniff_case_names_both_delimiters_and_the_line():
    """The header alone says semicolon; the rows say comma. Both are named, with the first line."""
    message = str(refused("mixed_delimiter.csv"))
    assert message == (
        "Baris judul dipisah dengan titik koma, tetapi baris data (mulai baris 2) dipisah dengan koma. "
        "Simpan ulang berkas dengan satu pemisah kolom yang sama."
    )


def test_truncated_multibyte_file_is_refused_as_cut_off_not_read_as_latin1():
    error = refused("truncated_multibyte.csv")
    assert str(error).startswith(
        "Berkas terpotong: baris terakhir (baris 21) berhenti di tengah sebuah karakter UTF-8."
    )
    with pytest.raises(DkbFileError, match="baris 21"):
        aggregate_file(CORPUS / "truncated_multibyte.csv", cutoff=CUTOFF, province="17")


def test_gzip_bomb_made_at_test_time_is_refused_as_a_bomb(tmp_path):
    spec = importlib.util.spec_from_file_location("make_corpus", CORPUS / "make_corpus.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    bomb = module.write_gzip_bomb(tmp_path / "bomb.csv.gz", 2 * 1024**3)
    assert check_file(bomb).format == "csv.gz"  # its head is a valid extract
    with pytest.raises(DkbFileError) as error:
        aggregate_file(bomb, cutoff=CUTOFF, province="17")
    assert str(error.value).startswith("Berkas gzip mengembang tidak wajar: sekitar baris ")
    assert "kali lebih besar daripada bentuk terkompresinya" in str(error.value)


def test_stray_quote_and_duplicate_column_are_refused_with_line_and_column():
    assert str(refused("stray_quote.csv")).startswith("Baris 7, kolom 3 (NAMA_LGKP): tanda kutip")
    assert "NIK (kolom ke-1 dan ke-18)" in str(refused("duplicate_column.csv"))
    assert "ada di baris 2, bukan di baris 1" in str(refused("title_line.csv"))


def test_mixed_line_ends_are_read_without_losing_a_row():
    result = aggregate_file(CORPUS / "mixed_line_ends.csv", cutoff=CUTOFF, province="17")
    assert result.rows == {"read": 20, "used": 20, "rejected": 0}
    assert result.tables == tables_of("valid.csv")


def test_corpus_on_disk_is_what_make_corpus_generates(tmp_path):
    spec = importlib.util.spec_from_file_location("make_corpus", CORPUS / "make_corpus.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    out = tmp_path / "corpus"
    work = tmp_path / "work"
    work.mkdir()
    module.make(out, work)
    names = sorted(path.name for path in out.iterdir())
    assert names == sorted(
        path.name
        for path in CORPUS.iterdir()
        if path.name != "make_corpus.py" and not path.name.startswith("__")
    )
    stable = [name for name in names if name != "xlsx_renamed.csv"]  # zip entries carry a timestamp
    _match, mismatch, errors = filecmp.cmpfiles(CORPUS, out, stable, shallow=False)
    assert mismatch == [] and errors == []
    assert all((CORPUS / name).stat().st_size < 10_000 for name in names)
