"""Hostile files: every one gets its own Indonesian message (what is wrong, and where), or is read
with every data line accounted for. None raises anything but ``DkbFileError``.

Each case is built at test time from the project's generator (``write_dkb``) and the committed
corpus (``tests/data/dkb``, made by ``make_corpus.py``); large ones (gzip bombs, a 2 GiB line)
are multi-member gzip files of a few MB. ``check_file(scan=True)`` and ``aggregate_file`` must
agree: what the upload page refuses, the worker refuses with the same words.
"""

import codecs
import gzip
import importlib.util
import io
import time
import zipfile
from datetime import date
from pathlib import Path

import pytest

from workflows.dkb import structure
from workflows.dkb.aggregate import aggregate_file
from workflows.dkb.errors import DkbFileError
from workflows.dkb.generator import write_dkb
from workflows.dkb.ingest import SAMPLE_BYTES, check_file

CORPUS = Path(__file__).parent / "data" / "dkb"
CUTOFF = date(2025, 6, 30)
LINES = (CORPUS / "valid.csv").read_text(encoding="utf-8").splitlines()
HEADER = LINES[0].split(",")
NAME = HEADER.index("NAMA_LGKP")

spec = importlib.util.spec_from_file_location("make_corpus", CORPUS / "make_corpus.py")
make_corpus = importlib.util.module_from_spec(spec)
spec.loader.exec_module(make_corpus)


def with_field(line, index, value):
    fields = line.split(",")
    fields[index] = value
    return ",".join(fields)


def text(lines, end="\n"):
    return (end.join(lines) + end).encode("utf-8")


def generated_lines(tmp_path, rows, seed=11):
    path = write_dkb(tmp_path / f"gen-{rows}-{seed}.csv", province="17", rows=rows, seed=seed)
    return path.read_text(encoding="utf-8").splitlines()


def gz(data):
    return gzip.compress(data, mtime=0)


# Each builder returns the file's bytes (or writes ``path`` itself and returns None).
def stray_quote_in_400(tmp_path):
    lines = generated_lines(tmp_path, 400)
    lines[6] = with_field(lines[6], NAME, '"' + lines[6].split(",")[NAME])
    return text(lines)


def late_stray_quote(tmp_path):
    lines = generated_lines(tmp_path, 6000)  # about 600 KB: far beyond the upload sample
    lines[5000] = with_field(lines[5000], NAME, '"' + lines[5000].split(",")[NAME])
    return text(lines)


def quote_in_last_line(tmp_path):
    lines = list(LINES)
    lines[-1] = with_field(lines[-1], NAME, '"WARGA')
    return text(lines)


def quoted_newline(tmp_path):
    lines = list(LINES)
    lines[6] = with_field(lines[6], NAME, '"WARGA\nSINTETIS"')
    return text(lines)


def even_quotes_but_open(tmp_path):
    # A literal quote in one field and an opening quote in the next: an even count on the line.
    lines = generated_lines(tmp_path, 400)
    fields = lines[6].split(",")
    fields[NAME] = 'O"BRIEN'
    fields[NAME + 1] = '"' + fields[NAME + 1]
    lines[6] = ",".join(fields)
    return text(lines)


def long_line_late(tmp_path):
    lines = generated_lines(tmp_path, 5000)
    lines[4000] = with_field(lines[4000], NAME, "A" * (100 * 1024))
    return text(lines)


def nul_late(tmp_path):
    lines = generated_lines(tmp_path, 5000)
    lines[4500] = with_field(lines[4500], NAME, "WARGA\x00SINTETIS")
    return text(lines)


def truncated_multibyte_large(tmp_path):
    lines = generated_lines(tmp_path, 3000)  # about 300 KB: the cut is beyond the upload sample
    last = ",".join(lines[-1].split(",")[:NAME] + ["WARGA SINTETIS Ñ"])
    return text(lines[:-1]) + last.encode("utf-8")[:-1]


def header_line_of_1mb(tmp_path):
    return b"NIK" + b"X" * (1024 * 1024)


def header_of_1mb_then_rows(tmp_path):
    return LINES[0].encode() + b"," + b"X" * (1024 * 1024) + b"\n" + text(LINES[1:])


def header_of_20000_columns(tmp_path):
    filler = ",".join(f"KOLOM_TAMBAHAN_{index:05d}" for index in range(20000))
    return text([LINES[0] + "," + filler] + [line + "," * 20000 for line in LINES[1:]])


def header_of_20000_short_columns(tmp_path):
    return text([LINES[0] + ",X" * 20000] + LINES[1:])


def case_duplicate(tmp_path):
    return text([LINES[0] + ",nik"] + [line + "," + line.split(",")[0] for line in LINES[1:]])


def alias_duplicate(tmp_path):
    return text([LINES[0] + ",JENIS_KELAMIN"] + [line + ",1" for line in LINES[1:]])


def single_column(tmp_path):
    return b"DATA PENDUDUK\n" + b"\n".join(line.replace(",", " ").encode() for line in LINES[1:]) + b"\n"


def all_rows_ragged(tmp_path):
    return text([LINES[0]] + [",".join(line.split(",")[:10]) for line in LINES[1:]])


def leading_blank_lines(tmp_path):
    return b"\n\n" + text(LINES)


def utf16_without_bom(tmp_path):
    return "\n".join(LINES).encode("utf-16-le")


def gzip_of_gzip(tmp_path):
    return gz(gz(text(LINES)))


def gzip_of_nothing(tmp_path):
    return gz(b"")


def gzip_trailing_garbage(tmp_path):
    return gz(text(LINES)) + b"bukan gzip"


def gzip_trailing_zeros(tmp_path):
    return gz(text(LINES)) + b"\x00" * 64


def gzip_bad_crc(tmp_path):
    data = bytearray(gz(text(LINES)))
    data[-8] ^= 0xFF
    return bytes(data)


def gzip_damaged_body(tmp_path):
    data = bytearray(gz(text(LINES)))
    for index in range(40, 60):
        data[index] ^= 0x5A
    return bytes(data)


def gzip_long_line_after_rows(tmp_path):
    return gz(text(LINES[:11])) + gz(b"A" * (100 * 1024 * 1024)) + gz(b"\n" + text(LINES[11:]))


def gzip_one_2gib_line(tmp_path):
    make_corpus.write_one_line_gzip(tmp_path / "one-line.csv.gz", 2 * 1024**3)
    return None


def gzip_bomb_4gib(tmp_path):
    make_corpus.write_gzip_bomb(tmp_path / "bomb.csv.gz", 4 * 1024**3)
    return None


def gzip_bomb_one_member(tmp_path):
    # (cat valid.csv; yes "" | head -c 256M) | gzip: one single member.
    compressor = gzip.GzipFile(fileobj=(buffer := io.BytesIO()), mode="wb", mtime=0)
    compressor.write(text(LINES))
    block = b"\n" * (16 * 1024 * 1024)
    for _index in range(16):
        compressor.write(block)
    compressor.close()
    return buffer.getvalue()


def html_page(tmp_path):
    return b"<!DOCTYPE html>\n<html><head><title>Sesi berakhir</title></head><body>Masuk lagi</body></html>\n"


def pdf_document(tmp_path):
    return b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n"


def legacy_xls(tmp_path):
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512


def zip_archive(tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("dkb.csv", text(LINES))
    return buffer.getvalue()


def seven_zip(tmp_path):
    return b"7z\xbc\xaf\x27\x1c\x00\x04" + bytes(range(256)) * 4


def json_export(tmp_path):
    return b'[{"NIK": "1702221408790001", "NO_KK": "1702221306170001"}]\n'


def parquet_truncated(tmp_path):
    return (CORPUS / "valid.parquet").read_bytes()[:3000]


def parquet_without_rows(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    pq.write_table(pa.table({name: pa.array([], pa.string()) for name in HEADER}), tmp_path / "empty.parquet")


def parquet_duplicate_nik(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    rows = [line.split(",") for line in LINES[1:]]
    arrays = [pa.array([row[index] for row in rows]) for index in range(len(HEADER))]
    table = pa.Table.from_arrays(arrays + [arrays[0]], names=HEADER + ["NIK"])
    pq.write_table(table, tmp_path / "dup.parquet")


def parquet_missing_column(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    rows = [line.split(",") for line in LINES[1:]]
    keep = [index for index, name in enumerate(HEADER) if name != "NO_KK"]
    pq.write_table(
        pa.table({HEADER[index]: [row[index] for row in rows] for index in keep}),
        tmp_path / "missing.parquet",
    )


def every_nik_bad(tmp_path):
    return text([LINES[0]] + [with_field(line, 0, "BUKAN-NIK") for line in LINES[1:]])


def only_empty_values(tmp_path):
    return text([LINES[0]] + ["," * (len(HEADER) - 1)] * 10)


def corpus(name):
    return lambda tmp_path: (CORPUS / name).read_bytes()


REFUSED = [
    ("empty", corpus("empty.csv"), ["Berkas kosong"]),
    ("whitespace_only", lambda tmp_path: b"   \n\n \r\n\t\n", ["Berkas kosong"]),
    ("header_only", corpus("header_only.csv"), ["hanya berisi baris judul"]),
    ("header_then_blank_lines", lambda tmp_path: text([LINES[0], "", "", ""]), ["hanya berisi baris judul"]),
    ("header_line_of_1mb", header_line_of_1mb, ["Baris judul (baris 1) terlalu panjang", "64 KB"]),
    ("header_of_1mb_then_rows", header_of_1mb_then_rows, ["Baris judul (baris 1) terlalu panjang"]),
    ("header_of_20000_columns", header_of_20000_columns, ["Baris judul (baris 1) terlalu panjang"]),
    ("header_of_20000_short_columns", header_of_20000_short_columns, ["baris 1) berisi 20.017 kolom"]),
    ("duplicate_nik_column", corpus("duplicate_column.csv"), ["Kolom ganda", "NIK (kolom ke-1 dan ke-18)"]),
    ("duplicate_by_case", case_duplicate, ["Kolom ganda", "NIK (kolom ke-1 dan ke-18)"]),
    ("duplicate_by_alias", alias_duplicate, ["Kolom ganda", "JENIS_KLMIN (kolom ke-4 dan ke-18)"]),
    ("missing_column", corpus("missing_column.csv"), ["Kolom wajib tidak ditemukan: AGAMA"]),
    (
        "colon_delimiter",
        corpus("wrong_delimiter.csv"),
        ["Pemisah kolom tidak dikenali", 'dipisah dengan ":"'],
    ),
    ("no_delimiter", single_column, ["Pemisah kolom tidak dikenali"]),
    (
        "wrong_delimiter_sniff",
        corpus("mixed_delimiter.csv"),
        ["Baris judul dipisah dengan titik koma", "baris data (mulai baris 2) dipisah dengan koma"],
    ),
    ("all_rows_ragged", all_rows_ragged, ["Jumlah kolom", "mulai baris 2", "17 kolom, baris itu 10 kolom"]),
    ("title_line", corpus("title_line.csv"), ["ada di baris 2, bukan di baris 1"]),
    ("leading_blank_lines", leading_blank_lines, ["ada di baris 3, bukan di baris 1"]),
    ("stray_quote_committed", corpus("stray_quote.csv"), ["Baris 7, kolom 3 (NAMA_LGKP)", "tanda kutip"]),
    ("stray_quote_in_400", stray_quote_in_400, ["Baris 7, kolom 3 (NAMA_LGKP)", "tidak ditutup"]),
    ("late_stray_quote", late_stray_quote, ["Baris 5.001, kolom 3 (NAMA_LGKP)"]),
    ("quote_in_last_line", quote_in_last_line, ["Baris 21, kolom 3 (NAMA_LGKP)"]),
    ("quoted_newline", quoted_newline, ["Baris 7, kolom 3 (NAMA_LGKP)", "ganti baris"]),
    ("even_quotes_but_open", even_quotes_but_open, ["Baris 7, kolom 4 (JENIS_KLMIN)"]),
    ("long_line_late", long_line_late, ["Baris 4.001 terlalu panjang"]),
    ("nul_late", nul_late, ["Baris 4.501 berisi byte NUL"]),
    ("truncated_multibyte", corpus("truncated_multibyte.csv"), ["Berkas terpotong", "baris 21", "UTF-8"]),
    ("truncated_multibyte_large", truncated_multibyte_large, ["Berkas terpotong", "baris 3.001"]),
    ("utf16_with_bom", lambda tmp_path: "\n".join(LINES).encode("utf-16"), ["UTF-16"]),
    ("utf16_without_bom", utf16_without_bom, ["bukan teks CSV (berisi data biner)"]),
    ("binary_garbage", corpus("binary_garbage.csv"), ["bukan teks CSV (berisi data biner)"]),
    ("seven_zip", seven_zip, ["bukan teks CSV (berisi data biner)"]),
    ("xlsx_renamed", corpus("xlsx_renamed.csv"), ["berkas Excel atau ZIP"]),
    ("legacy_xls", legacy_xls, ["berkas Excel atau ZIP"]),
    ("zip_archive", zip_archive, ["berkas Excel atau ZIP"]),
    ("pdf_document", pdf_document, ["dokumen PDF"]),
    ("html_page", html_page, ["halaman web (HTML/XML)"]),
    ("json_export", json_export, ["Pemisah kolom tidak dikenali"]),
    ("gzip_truncated", corpus("truncated.csv.gz"), ["gzip rusak atau terpotong"]),
    ("gzip_bad_crc", gzip_bad_crc, ["gzip rusak atau terpotong"]),
    ("gzip_damaged_body", gzip_damaged_body, ["gzip rusak atau terpotong"]),
    ("gzip_trailing_garbage", gzip_trailing_garbage, ["data lain sesudah akhir isinya", "sesudah baris 21)"]),
    ("gzip_trailing_zeros", gzip_trailing_zeros, ["data lain sesudah akhir isinya"]),
    ("gzip_of_gzip", gzip_of_gzip, ["dikompres gzip dua kali"]),
    ("gzip_of_nothing", gzip_of_nothing, ["Berkas kosong"]),
    ("gzip_long_line_after_rows", gzip_long_line_after_rows, ["Baris 12 terlalu panjang"]),
    ("gzip_one_2gib_line", gzip_one_2gib_line, ["Baris judul (baris 1) terlalu panjang"]),
    ("gzip_bomb_4gib", gzip_bomb_4gib, ["Berkas gzip mengembang tidak wajar", "sekitar baris"]),
    ("gzip_bomb_one_member", gzip_bomb_one_member, ["Berkas gzip mengembang tidak wajar"]),
    ("other_province", corpus("other_province.csv"), ["bukan provinsi 17"]),
    ("parquet_truncated", parquet_truncated, ["Parquet rusak"]),
    ("parquet_without_rows", parquet_without_rows, ["hanya berisi baris judul"]),
    ("parquet_duplicate_nik", parquet_duplicate_nik, ["Kolom ganda", "NIK (kolom ke-1 dan ke-18)"]),
    ("parquet_missing_column", parquet_missing_column, ["Kolom wajib tidak ditemukan: NO_KK"]),
]


def windows_1252_apostrophe(tmp_path):
    # "MA’RUF" typed in a spreadsheet: the curly apostrophe is byte 0x92 in Windows-1252.
    lines = list(LINES)
    lines[5] = with_field(lines[5], NAME, "MA’RUF")
    return text(lines).decode().encode("cp1252")


# Refused only once the whole file is read (check_file passes them: their header is fine).
REFUSED_BY_ENGINE = [
    (
        "windows_1252_apostrophe",
        windows_1252_apostrophe,
        ["Baris 6 memuat karakter khusus Windows-1252", "UTF-8"],
    ),
    (
        "every_nik_bad",
        every_nik_bad,
        ["Tidak ada baris yang dapat dipakai", "NIK tidak terdiri dari 16 angka"],
    ),
    ("only_empty_values", only_empty_values, ["Tidak ada baris yang dapat dipakai"]),
]


def materialise(tmp_path, case_id, build):
    data = build(tmp_path)
    if data is None:  # the builder wrote its own file
        return next(path for path in tmp_path.iterdir() if not path.name.startswith("gen-"))
    suffix = ".csv.gz" if data[:2] == b"\x1f\x8b" else ".parquet" if data[:4] == b"PAR1" else ".csv"
    path = tmp_path / f"{case_id}{suffix}"
    path.write_bytes(data)
    return path


def refusal(call):
    with pytest.raises(DkbFileError) as raised:
        call()
    return str(raised.value)


@pytest.mark.parametrize("case_id, build, fragments", REFUSED, ids=[case[0] for case in REFUSED])
def test_hostile_file_is_refused_with_its_own_message(tmp_path, case_id, build, fragments):
    path = materialise(tmp_path, case_id, build)
    at_upload = refusal(lambda: check_file(path, province="17", scan=True))
    for fragment in fragments:
        assert fragment in at_upload
    assert refusal(lambda: aggregate_file(path, cutoff=CUTOFF, province="17")) == at_upload
    assert "1702" not in at_upload  # never a NIK (all synthetic NIKs here start with 17)


@pytest.mark.parametrize(
    "case_id, build, fragments", REFUSED_BY_ENGINE, ids=[c[0] for c in REFUSED_BY_ENGINE]
)
def test_file_without_a_usable_row_is_refused_by_the_engine(tmp_path, case_id, build, fragments):
    path = materialise(tmp_path, case_id, build)
    assert check_file(path, province="17", scan=True).format == "csv"
    message = refusal(lambda: aggregate_file(path, cutoff=CUTOFF, province="17"))
    for fragment in fragments:
        assert fragment in message


def test_upload_sample_finds_what_lies_inside_it_without_the_full_scan(tmp_path):
    """Without ``scan`` (what an upload page may afford for a huge file) the first 256 KB still
    give the stray quote, the long header and the cut character with their lines."""
    for case_id, build, fragment in [
        ("stray", stray_quote_in_400, "Baris 7, kolom 3"),
        ("header", header_of_1mb_then_rows, "Baris judul (baris 1) terlalu panjang"),
        ("cut", corpus("truncated_multibyte.csv"), "Berkas terpotong"),
        ("cut_large", truncated_multibyte_large, "Berkas terpotong"),
        ("bomb", gzip_bomb_4gib, None),
    ]:
        directory = tmp_path / case_id
        directory.mkdir()
        path = materialise(directory, case_id, build)
        if fragment is None:  # a bomb's head is a valid extract: only the scan can refuse it
            assert check_file(path, province="17").format == "csv.gz"
        else:
            with pytest.raises(DkbFileError) as raised:
                check_file(path, province="17")
            assert fragment in str(raised.value)


def test_gzip_bomb_is_refused_after_one_window_not_after_inflating_it(tmp_path):
    path = make_corpus.write_gzip_bomb(tmp_path / "bomb.csv.gz", 4 * 1024**3)
    assert path.stat().st_size < 8 * 1024 * 1024  # 4 GiB of blank lines in a few MB
    started = time.perf_counter()
    with pytest.raises(DkbFileError) as raised:
        aggregate_file(path, cutoff=CUTOFF, province="17")
    elapsed = time.perf_counter() - started
    # The line reached says how much was inflated: one blank line per byte, so stopping within
    # two ratio windows means at most 32 MiB of the 4 GiB were ever produced.
    line = int(raised.value.params["line"].replace(".", ""))
    assert 21 < line <= 2 * structure.RATIO_WINDOW_BYTES + 22
    size = path.stat().st_size
    print(f"gzip bomb (4 GiB inflated, {size:,} bytes) refused in {elapsed:.2f} s at line {line:,}")


def test_inflated_size_limit_is_a_parameter_and_stops_at_the_limit(tmp_path):
    lines = generated_lines(tmp_path, 20000)
    path = tmp_path / "extract.csv.gz"
    path.write_bytes(gz(text(lines)))
    inflated = len(text(lines))
    assert (
        aggregate_file(path, cutoff=CUTOFF, province="17", max_inflated_bytes=inflated).rows["read"] == 20000
    )
    assert inflated > 1024 * 1024 * 1.5
    with pytest.raises(DkbFileError) as raised:
        aggregate_file(path, cutoff=CUTOFF, province="17", max_inflated_bytes=1024 * 1024)
    assert str(raised.value).startswith(
        "Isi berkas gzip melebihi batas 1 MB setelah dibuka (terhenti di baris "
    )
    assert "SOPFLOW_DKB_MAX_INFLATED_MB" in str(raised.value)
    # It stopped on the line where the limit fell, not at the end of the file.
    limit_line = len(text(lines)[: 1024 * 1024].split(b"\n"))
    assert raised.value.params["line"] == f"{limit_line:,}".replace(",", ".")
    with pytest.raises(DkbFileError, match="melebihi batas"):
        check_file(path, scan=True, max_inflated_bytes=1024 * 1024)


def test_plain_file_over_the_limit_is_refused_before_reading(tmp_path):
    path = tmp_path / "plain.csv"
    path.write_bytes(text(LINES))
    message = refusal(lambda: check_file(path, scan=True, max_inflated_bytes=1024))
    assert message == "Berkas lebih besar dari batas 1 KB untuk satu ekstrak."


def test_parquet_over_the_limit_is_refused_from_its_metadata():
    message = refusal(lambda: check_file(CORPUS / "valid.parquet", max_inflated_bytes=100))
    assert message.startswith("Isi berkas Parquet (") and "melebihi batas 100 bita" in message


@pytest.mark.parametrize(
    "name, build, expected",
    [
        ("mixed_crlf_lf", corpus("mixed_line_ends.csv"), 20),
        ("all_cr", lambda tmp_path: text(LINES, "\r"), 20),
        ("all_crlf", lambda tmp_path: text(LINES, "\r\n"), 20),
        (
            "lone_cr_in_lf_file",
            lambda tmp_path: text(LINES[:5]) + text(LINES[5:8], "\r") + text(LINES[8:]),
            20,
        ),
        ("cr_cr_lf", lambda tmp_path: text(LINES).replace(b"\n", b"\r\r\n"), 20),
        ("no_final_line_end", lambda tmp_path: text(LINES).rstrip(b"\n"), 20),
        ("blank_lines_inside", lambda tmp_path: text(LINES[:5] + ["", ""] + LINES[5:] + [""]), 20),
        (
            "literal_quote_inside_a_value",
            lambda tmp_path: text(
                [with_field(LINES[i], NAME, 'O"BRIEN') if i == 4 else LINES[i] for i in range(len(LINES))]
            ),
            20,
        ),
        (
            "quoted_values_with_delimiters",
            lambda tmp_path: text(
                [
                    with_field(LINES[i], NAME, '"WARGA, ""SINTETIS"""') if i == 4 else LINES[i]
                    for i in range(len(LINES))
                ]
            ),
            20,
        ),
        ("utf8_bom", lambda tmp_path: codecs.BOM_UTF8 + text(LINES), 20),
        ("multi_member_gzip", lambda tmp_path: gz(text(LINES[:8])) + gz(text(LINES[8:])), 20),
        (
            "latin1_letter",
            lambda tmp_path: (
                text(
                    [
                        with_field(LINES[i], NAME, "WARGA ÑOÑO") if i == 3 else LINES[i]
                        for i in range(len(LINES))
                    ]
                )
                .decode()
                .encode("latin-1")
            ),
            20,
        ),
        (
            "form_feed_in_a_name",
            lambda tmp_path: text(
                [
                    with_field(LINES[i], NAME, "WARGA\x0cSINTETIS") if i == 3 else LINES[i]
                    for i in range(len(LINES))
                ]
            ),
            20,
        ),
    ],
)
def test_unusual_but_sound_files_are_read_without_losing_anyone(tmp_path, name, build, expected):
    path = materialise(tmp_path, name, build)
    result = aggregate_file(path, cutoff=CUTOFF, province="17")
    assert result.rows == {"read": expected, "used": expected, "rejected": 0}
    assert result.quality == {}
    assert result.tables == aggregate_file(CORPUS / "valid.csv", cutoff=CUTOFF, province="17").tables


def test_broken_lines_are_counted_and_named_so_rows_read_match_the_file(tmp_path):
    lines = list(LINES)
    lines[3] = lines[3] + ",EXTRA"  # one field too many
    lines[9] = "   "  # whitespace only: a line, not a person
    lines.insert(12, LINES[0])  # the header again, as when two extracts are pasted together
    cut = lines[-1][: len(lines[-1]) // 2]  # the last line cut off mid-way
    path = tmp_path / "broken.csv"
    path.write_bytes(text(lines[:-1]) + cut.encode())
    result = aggregate_file(path, cutoff=CUTOFF, province="17")
    assert result.rows["read"] == 21  # 20 lines below the first header, all of them accounted for
    assert result.quality["malformed_line"] == {"count": 3, "examples": [4, 10, 22]}
    assert result.quality["nik_not_16_digits"]["examples"] == [13]
    assert result.rows["used"] == 17


def test_line_ends_and_counts_are_reported_by_the_scan(tmp_path):
    path = materialise(tmp_path, "mixed", corpus("mixed_line_ends.csv"))
    scanned = check_file(path, scan=True).structure
    assert (scanned.lines, scanned.data_lines, scanned.empty_lines) == (21, 20, 0)
    assert scanned.line_ends == {"lf": 11, "crlf": 10, "cr": 0} and scanned.mixed_line_ends


def test_scanner_reads_chunk_boundaries_like_one_piece(tmp_path):
    """A CRLF, a quote pair or a long line split between two chunks counts the same."""
    data = text(LINES, "\r\n")
    whole = structure.LineScanner(",", HEADER)
    whole.feed(data)
    expected = whole.finish()
    for cut in range(1, len(data), 7):
        scanner = structure.LineScanner(",", HEADER)
        scanner.feed(data[:cut])
        scanner.feed(data[cut:])
        assert scanner.finish() == expected


def test_open_quote_field_reads_quotes_as_duckdb_does():
    assert structure.open_quote_field(b'a,"b,c",d', ",") is None
    assert structure.open_quote_field(b'a,"b ""x"" c",d', ",") is None
    assert structure.open_quote_field(b'a,O"BRIEN,d', ",") is None
    assert structure.open_quote_field(b'a,"b,c', ",") == 1
    assert structure.open_quote_field(b'a;b;"c""', ";") == 2
    assert structure.open_quote_field(b'x"y,"open', ",") == 1


def test_incomplete_utf8_tail():
    assert structure.incomplete_utf8_tail("Ñ".encode()[:1])
    assert structure.incomplete_utf8_tail("€".encode()[:2])
    assert not structure.incomplete_utf8_tail("Ñ".encode())
    assert not structure.incomplete_utf8_tail(b"abc\n")


def test_late_cases_start_beyond_the_upload_sample(tmp_path):
    """The "late" cases above mean something only when the upload's sample does not reach them."""
    assert len(text(generated_lines(tmp_path, 3000)[:3000])) > SAMPLE_BYTES


def test_a_damaged_gzip_says_how_far_it_could_be_read(tmp_path):
    lines = generated_lines(tmp_path, 20000)
    packed = gz(text(lines))
    path = tmp_path / "cut.csv.gz"
    path.write_bytes(packed[: len(packed) * 3 // 4])
    message = refusal(lambda: aggregate_file(path, cutoff=CUTOFF, province="17"))
    assert message.startswith("Berkas gzip rusak atau terpotong (terbaca sampai baris ")
    line = int(message.split("baris ")[1].split(")")[0].replace(".", ""))
    assert 10000 < line < 20001  # three quarters of the bytes hold most of the rows


def test_rows_that_do_not_add_up_to_the_file_are_refused_with_both_counts(tmp_path):
    """The last guard after DuckDB's read: if its rows and the scan's lines ever disagree for a
    reason the scan cannot name, the file is refused with both numbers instead of losing anyone."""
    import duckdb

    from workflows.dkb.aggregate import _account_for_every_line
    from workflows.dkb.loader import load

    info = check_file(CORPUS / "valid.csv", scan=True)
    con = duckdb.connect()
    bad_lines = load(con, info)
    _account_for_every_line(con, info, bad_lines)  # 20 lines, 20 rows: nothing to say
    info.structure.data_lines += 3
    message = refusal(lambda: _account_for_every_line(con, info, bad_lines))
    assert message.startswith(
        "Berkas memiliki 23 baris data, tetapi hanya 20 yang terbaca sebagai baris penduduk"
    )
    assert "selisih 3 baris" in message


def test_the_scan_reports_progress_so_a_long_read_keeps_the_job_alive(tmp_path, monkeypatch):
    monkeypatch.setattr(structure, "PROGRESS_EVERY", 256 * 1024)
    monkeypatch.setattr(structure, "CHUNK_BYTES", 64 * 1024)
    lines = generated_lines(tmp_path, 20000)
    for name, data in (("plain.csv", text(lines)), ("packed.csv.gz", gz(text(lines)))):
        path = tmp_path / name
        path.write_bytes(data)
        seen = []
        aggregate_file(
            path, cutoff=CUTOFF, province="17", progress=lambda *call, seen=seen: seen.append(call)
        )
        scanning = [fraction for fraction, message in seen if message == "Memeriksa berkas" and fraction > 0]
        assert max(scanning) <= 0.05  # the scan's share of the bar
        assert len(scanning) >= 3, (name, seen)
        assert scanning == sorted(scanning) and seen[-1][0] == 1.0
