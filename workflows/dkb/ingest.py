"""Recognise a DKB/DWH extract (CSV, gzip CSV or Parquet) before it is read in full.

``check_file`` looks only at the first bytes, the header and a sample of rows, so the upload page
can refuse a wrong file at once. ``aggregate.aggregate_file`` calls it too, then lets DuckDB read
the whole file with the delimiter and encoding found here.
"""

import codecs
import csv
import gzip
import io
import re
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from .errors import DkbFileError, _
from .schema import COLUMN_ALIASES, OPTIONAL_COLUMNS, REQUIRED_COLUMNS

__all__ = ["DkbFileError", "FileInfo", "check_file", "normalise_column"]

DELIMITERS = (",", ";", "|", "\t")
DELIMITER_NAMES = {",": "koma", ";": "titik koma", "|": "garis tegak", "\t": "tab"}

# Enough for the header and a few hundred rows; a real extract row is about 200 bytes.
SAMPLE_BYTES = 256 * 1024

_DMY = re.compile(r"\d{2}-\d{2}-\d{4}")
_ISO = re.compile(r"\d{4}-\d{2}-\d{2}")

GZIP_MAGIC = b"\x1f\x8b"
PARQUET_MAGIC = b"PAR1"
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # legacy .xls and other Office files


@dataclass
class FileInfo:
    path: Path
    format: str  # "csv" | "csv.gz" | "parquet"
    columns: list  # normalised upper-case names, in file order
    delimiter: str | None = None
    encoding: str | None = None  # "utf-8" | "latin-1" for CSV
    source_columns: dict = field(default_factory=dict)  # normalised name -> name as in the file
    header: list = field(default_factory=list)  # names exactly as in the file, in file order
    sample_rows: int = 0  # data rows seen in the sample (all of them for Parquet)
    date_format: str | None = None  # strptime format every sampled TGL_LHR follows, if one does

    @property
    def compression(self):
        return "gzip" if self.format == "csv.gz" else "none"

    def has(self, column):
        return column in self.source_columns


def normalise_column(name):
    """Upper-case, trimmed, BOM- and quote-free; known alternative spellings mapped to SIAK's."""
    cleaned = name.replace("\ufeff", "").strip().strip('"').strip("'").strip().upper()
    cleaned = "_".join(cleaned.replace("-", " ").split())
    return COLUMN_ALIASES.get(cleaned, cleaned)


def check_file(path, province=None):
    """Return a ``FileInfo`` for a usable extract, or raise ``DkbFileError`` saying what is wrong.

    With ``province`` (e.g. ``"17"``) the sample is also checked for at least one row of that
    province, so a file from another province is refused at upload time.
    """
    path = Path(path)
    try:
        size = path.stat().st_size
        with open(path, "rb") as handle:
            head = handle.read(SAMPLE_BYTES)
    except OSError:
        raise DkbFileError(_("Berkas tidak dapat dibuka.")) from None
    if size == 0 or not head.strip():
        raise DkbFileError(_("Berkas kosong: tidak ada isi sama sekali."))

    if head.startswith(PARQUET_MAGIC):
        info = _check_parquet(path)
    elif head.startswith((ZIP_MAGIC, OLE_MAGIC)):
        raise DkbFileError(
            _(
                "Berkas ini tampaknya berkas Excel atau ZIP, bukan CSV/Parquet. "
                "Ekspor ulang data dari SIAK sebagai CSV atau Parquet."
            )
        )
    else:
        if head.startswith(GZIP_MAGIC):
            fmt, text_head = "csv.gz", _gunzip_head(path)
        else:
            fmt, text_head = "csv", head
        info = _check_csv(path, fmt, text_head, truncated=size > len(head) or fmt == "csv.gz")

    missing = [column for column in REQUIRED_COLUMNS if not info.has(column)]
    if missing:
        raise DkbFileError(_("Kolom wajib tidak ditemukan: %(columns)s."), columns=", ".join(missing))
    if info.sample_rows == 0:
        raise DkbFileError(_("Berkas hanya berisi baris judul (header), tanpa data penduduk."))
    if province is not None:
        if info.format == "parquet":
            seen = _parquet_sample_provinces(info)
        else:
            seen = _csv_sample_provinces(info, text_head)
        if seen and f"{int(province):02d}" not in seen:
            raise DkbFileError(
                _("Berkas berisi data provinsi %(found)s, bukan provinsi %(province)s."),
                found=", ".join(sorted(seen)),
                province=f"{int(province):02d}",
            )
    return info


def _gunzip_head(path):
    try:
        with gzip.open(path, "rb") as handle:
            return handle.read(SAMPLE_BYTES)
    except (OSError, EOFError, zlib.error):
        raise DkbFileError(_("Berkas gzip rusak atau terpotong; unggah ulang berkas yang utuh.")) from None


def _decode(raw, truncated):
    """UTF-8 when the sample is valid UTF-8, else Latin-1 (every byte is valid Latin-1)."""
    raw = raw.removeprefix(codecs.BOM_UTF8)
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        # Excel's "Unicode text" export: readable, but not what DuckDB's CSV reader takes.
        raise DkbFileError(
            _('Berkas memakai pengodean UTF-16 ("Teks Unicode" dari Excel). Simpan ulang sebagai CSV UTF-8.')
        )
    if b"\x00" in raw:
        raise DkbFileError(_("Berkas bukan teks CSV (berisi data biner)."))
    try:
        # final=False tolerates a multi-byte character cut at the end of the sample.
        return codecs.getincrementaldecoder("utf-8")().decode(raw, final=not truncated), "utf-8"
    except UnicodeDecodeError:
        pass
    text = raw.decode("latin-1")
    if _looks_binary(text):
        raise DkbFileError(_("Berkas bukan teks CSV (berisi data biner)."))
    return text, "latin-1"


def _looks_binary(text):
    controls = sum(1 for char in text[:4096] if ord(char) < 32 and char not in "\r\n\t")
    controls += sum(1 for char in text[:4096] if 0x7F <= ord(char) < 0xA0)
    return controls > len(text[:4096]) * 0.01


def _check_csv(path, fmt, raw, truncated):
    text, encoding = _decode(raw, truncated)
    lines = text.splitlines()
    if truncated and lines and not text.endswith(("\n", "\r")):
        lines = lines[:-1]  # the last line of a sample may be cut
    lines = [line for line in lines if line.strip()]
    if not lines:
        raise DkbFileError(_("Berkas kosong: tidak ada isi sama sekali."))

    header = lines[0]
    delimiter = _pick_delimiter(header)
    if delimiter is None:
        raise DkbFileError(
            _(
                "Pemisah kolom tidak dikenali. Gunakan koma, titik koma, garis tegak (|) atau tab, "
                "dengan nama kolom SIAK pada baris pertama."
            )
        )
    reader = csv.reader(io.StringIO("\n".join(lines[:200])), delimiter=delimiter)
    names = next(reader)
    source_columns = {}
    for name in names:
        source_columns.setdefault(normalise_column(name), name)
    rows = [row for row in reader if any(cell.strip() for cell in row)]
    ragged = sum(1 for row in rows if len(row) != len(names))
    if rows and ragged * 2 > len(rows):
        raise DkbFileError(
            _(
                "Jumlah kolom pada baris data tidak sama dengan baris judul (dipisah dengan %(delimiter)s). "
                "Periksa pemisah kolom berkas."
            ),
            delimiter=DELIMITER_NAMES[delimiter],
        )
    return FileInfo(
        date_format=_sample_date_format(names, rows),
        path=path,
        format=fmt,
        columns=list(source_columns),
        delimiter=delimiter,
        encoding=encoding,
        source_columns=source_columns,
        header=names,
        sample_rows=len(rows),
    )


def _sample_date_format(names, rows):
    """The single TGL_LHR layout of the sample (dd-mm-yyyy or ISO), else None."""
    positions = [index for index, name in enumerate(names) if normalise_column(name) == "TGL_LHR"]
    if not positions or not rows:
        return None
    values = [row[positions[0]].strip() for row in rows if len(row) > positions[0]]
    for pattern, layout in ((_DMY, "%d-%m-%Y"), (_ISO, "%Y-%m-%d")):
        if values and all(pattern.fullmatch(value) for value in values):
            return layout
    return None


def _pick_delimiter(header):
    """The candidate that splits the header into the most known SIAK column names."""
    known = set(REQUIRED_COLUMNS) | set(OPTIONAL_COLUMNS)
    best, best_hits = None, 0
    for delimiter in DELIMITERS:
        names = next(csv.reader([header], delimiter=delimiter))
        hits = sum(1 for name in names if normalise_column(name) in known)
        if len(names) > 1 and hits > best_hits:
            best, best_hits = delimiter, hits
    return best


def _check_parquet(path):
    import pyarrow.parquet as pq

    try:
        parquet = pq.ParquetFile(path)
        names = parquet.schema_arrow.names
        rows = parquet.metadata.num_rows
    except Exception:  # pyarrow raises several unrelated types for a damaged file
        raise DkbFileError(_("Berkas Parquet rusak atau tidak dapat dibaca."))
    source_columns = {}
    for name in names:
        source_columns.setdefault(normalise_column(name), name)
    return FileInfo(
        path=path,
        format="parquet",
        columns=list(source_columns),
        source_columns=source_columns,
        header=list(names),
        sample_rows=rows,
    )


def _csv_sample_provinces(info, raw):
    text, _encoding = _decode(raw, truncated=True)
    reader = csv.DictReader(io.StringIO(text), delimiter=info.delimiter)
    column = info.source_columns["NO_PROP"]
    values = []
    for index, row in enumerate(reader):
        if index >= 500:
            break
        values.append(row.get(column))
    return _province_codes(values)


def _parquet_sample_provinces(info):
    import pyarrow.parquet as pq

    try:
        parquet = pq.ParquetFile(info.path)
        if parquet.metadata.num_row_groups == 0:
            return set()
        values = parquet.read_row_group(0, columns=[info.source_columns["NO_PROP"]]).column(0)
    except Exception:  # a damaged row group shows up again, with its own message, when aggregating
        return set()
    return _province_codes(values.slice(0, 500).to_pylist())


def _province_codes(values):
    codes = set()
    for value in values:
        text = str(value).strip() if value is not None else ""
        if text.isdigit():
            codes.add(text.zfill(2))
    return codes
