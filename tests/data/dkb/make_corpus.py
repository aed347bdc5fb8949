#!/usr/bin/env python
"""Regenerate the bad-file corpus of tests/data/dkb from the project's own synthetic generator.

    .venv/bin/python tests/data/dkb/make_corpus.py [OUTPUT_DIR]

Every file starts as 20 synthetic rows (``write_dkb``, fixed seed) and is then broken in one
documented way. Nothing here is real data. The outputs are committed (a few KB);
tests/test_dkb_corpus.py checks that they still match what this script makes.
"""

import csv
import gzip
import io
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT))

from workflows.dkb.generator import write_dkb  # noqa: E402

HERE = Path(__file__).resolve().parent
ROWS, SEED = 20, 20250630


def base_rows(workdir, province="17"):
    path = workdir / f"base-{province}.csv"
    write_dkb(path, province=province, rows=ROWS, seed=SEED)
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))


def as_csv(rows, delimiter=","):
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\n").writerows(rows)
    return buffer.getvalue()


def make(out_dir, workdir):
    out_dir.mkdir(parents=True, exist_ok=True)
    rows = base_rows(workdir)
    header = rows[0]
    column = {name: index for index, name in enumerate(header)}

    def write_text(name, text, encoding="utf-8"):
        (out_dir / name).write_bytes(text.encode(encoding))

    # Usable files.
    write_text("valid.csv", as_csv(rows))
    write_text("semicolon.csv", as_csv(rows, ";"))
    write_text("pipe.csv", as_csv(rows, "|"))
    write_text("tab.csv", as_csv(rows, "\t"))
    (out_dir / "valid.csv.gz").write_bytes(gzip.compress(as_csv(rows).encode(), mtime=0))
    write_dkb(out_dir / "valid.parquet", province="17", rows=ROWS, seed=SEED)

    # dd-mm-yyyy is what SIAK writes (the generator's own format); the ISO twin must give the same.
    write_text("dates_ddmmyyyy.csv", as_csv(rows))
    iso = [list(row) for row in rows]
    for row in iso[1:]:
        day, month, year = row[column["TGL_LHR"]].split("-")
        row[column["TGL_LHR"]] = f"{year}-{month}-{day}"
    write_text("dates_iso.csv", as_csv(iso))

    # Latin-1 export with a non-ASCII letter in a (synthetic) name, semicolon-separated.
    latin = [list(row) for row in rows]
    latin[1][column["NAMA_LGKP"]] = "WARGA SINTETIS ÑOÑO"
    write_text("latin1.csv", as_csv(latin, ";"), encoding="latin-1")

    # Letters in two NIKs: read, reported, rejected.
    letters = [list(row) for row in rows]
    letters[3][column["NIK"]] = letters[3][column["NIK"]][:6] + "AB" + letters[3][column["NIK"]][8:]
    letters[7][column["NIK"]] = "17O1" + letters[7][column["NIK"]][4:]
    write_text("nik_letters.csv", as_csv(letters))

    # Unusable files.
    write_text("empty.csv", "")
    write_text("header_only.csv", as_csv([header]))
    write_text("wrong_delimiter.csv", as_csv(rows, ":"))
    missing = [[value for index, value in enumerate(row) if index != column["AGAMA"]] for row in rows]
    write_text("missing_column.csv", as_csv(missing))
    # "Binary garbage": the gzip bytes of the valid file, named .csv.
    (out_dir / "binary_garbage.csv").write_bytes(
        b"\x00\x01\x02\xff" + gzip.compress(as_csv(rows).encode(), mtime=0)
    )
    compressed = gzip.compress(as_csv(rows).encode(), mtime=0)
    (out_dir / "truncated.csv.gz").write_bytes(compressed[: len(compressed) // 2])
    other = base_rows(workdir, province="13")
    write_text("other_province.csv", as_csv(other))
    write_xlsx(out_dir / "xlsx_renamed.csv", rows)

    # Wrong-delimiter sniff case: the header is split by semicolons, the rows by commas, so
    # the header alone picks the wrong delimiter for the data.
    write_text("mixed_delimiter.csv", as_csv(rows[:1], ";") + as_csv(rows[1:], ","))
    # Cut off in the middle of a character: the last name ends with the first byte of "Ñ".
    cut = [list(row) for row in rows]
    cut[-1] = cut[-1][: column["NAMA_LGKP"] + 1]
    cut[-1][-1] = "WARGA SINTETIS Ñ"
    (out_dir / "truncated_multibyte.csv").write_bytes(as_csv(cut).rstrip("\n").encode("utf-8")[:-1])
    # A stray quote opening the name on person 6 (line 7): it would swallow every later line.
    stray = [list(row) for row in rows]
    stray[6][column["NAMA_LGKP"]] = "@QUOTE@" + stray[6][column["NAMA_LGKP"]]
    write_text("stray_quote.csv", as_csv(stray).replace("@QUOTE@", '"'))
    # Two NIK columns: which one is the person's?
    twice = [row + [row[column["NIK"]]] for row in rows]
    write_text("duplicate_column.csv", as_csv(twice))
    # CRLF and LF line ends mixed (lines appended in another editor): read, nobody lost.
    text = as_csv(rows).splitlines()
    write_text(
        "mixed_line_ends.csv",
        "".join(line + ("\r\n" if index % 2 else "\n") for index, line in enumerate(text)),
    )
    # A report title above the header.
    write_text("title_line.csv", "DATA KONSOLIDASI BERSIH SEMESTER I\n" + as_csv(rows))


def write_gzip_bomb(path, blank_bytes, member_bytes=64 * 1024 * 1024):
    """A valid 20-row extract followed by ``blank_bytes`` of empty lines, gzip-compressed.

    Generated at test time (never committed). The blank part is one compressed member of
    ``member_bytes`` newlines written again and again: a valid multi-member gzip, a few MB for
    gigabytes inflated, made in well under a second.
    """
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        valid = as_csv(base_rows(Path(tmp)))
    member = gzip.compress(b"\n" * member_bytes, compresslevel=9, mtime=0)
    with open(path, "wb") as handle:
        handle.write(gzip.compress(valid.encode(), mtime=0))
        for _index in range(blank_bytes // member_bytes):
            handle.write(member)
    return path


def write_one_line_gzip(path, line_bytes, member_bytes=16 * 1024 * 1024):
    """A gzip file whose content is one line of ``line_bytes`` letters (no line end at all)."""
    member = gzip.compress(b"A" * member_bytes, compresslevel=9, mtime=0)
    with open(path, "wb") as handle:
        for _index in range(line_bytes // member_bytes):
            handle.write(member)
    return path


def write_xlsx(path, rows):
    """An Excel workbook saved under a .csv name, as users do; not byte-stable (zip timestamps)."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    workbook.save(path)


if __name__ == "__main__":
    import tempfile

    target = Path(sys.argv[1]) if len(sys.argv) > 1 else HERE
    with tempfile.TemporaryDirectory() as tmp:
        make(target, Path(tmp))
    print(f"corpus written to {target}")
