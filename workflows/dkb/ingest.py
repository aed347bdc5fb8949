"""Recognise a DKB/DWH extract (CSV, gzip CSV or Parquet) before it is read in full.

``check_file`` looks at the first bytes, the header and a sample of rows, so the upload page
can refuse a wrong file at once; with ``scan=True`` it also reads the whole file once through
``structure.scan`` (line lengths, quotes, line ends, the inflated size of a gzip) and counts its
data lines. ``aggregate.aggregate_file`` always scans, then lets DuckDB read the whole file with
the delimiter and encoding found here and checks that every data line was accounted for.

Every problem is a ``DkbFileError`` with an Indonesian message that says what is wrong and,
where there is one, on which line and in which column; no other exception leaves this module.
"""

import codecs
import csv
import logging
import re
import traceback
from dataclasses import dataclass, field
from pathlib import Path

from . import structure
from .structure import Structure
from .errors import DkbFileError, _
from .schema import COLUMN_ALIASES, OPTIONAL_COLUMNS, REQUIRED_COLUMNS

__all__ = ["DkbFileError", "FileInfo", "check_file", "normalise_column"]

logger = logging.getLogger(__name__)

DELIMITERS = (",", ";", "|", "\t")
DELIMITER_NAMES = {",": "koma", ";": "titik koma", "|": "garis tegak", "\t": "tab"}

# Enough for the header and a few hundred rows; a real extract row is about 200 bytes.
SAMPLE_BYTES = 256 * 1024
SAMPLE_ROWS = 500
# A SIAK extract has a few dozen columns; thousands are a damaged or foreign file.
MAX_COLUMNS = 1000
# The header is looked for this far down when line 1 is not one (a title line, blank lines).
HEADER_SEARCH_LINES = 20

_DMY = re.compile(r"\d{2}-\d{2}-\d{4}")
_ISO = re.compile(r"\d{4}-\d{2}-\d{2}")
# Line ends as DuckDB reads them (and not str.splitlines, which also splits at \x85, \x0c...).
_LINE_END = re.compile(r"\r\n|\n|\r")

GZIP_MAGIC = b"\x1f\x8b"
PARQUET_MAGIC = b"PAR1"
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # legacy .xls and other Office files
PDF_MAGIC = b"%PDF-"
KNOWN_COLUMNS = frozenset(REQUIRED_COLUMNS) | frozenset(OPTIONAL_COLUMNS)


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
    structure: Structure | None = None  # the whole-file scan (``scan=True``), for CSV
    sample: list = field(default_factory=list, repr=False)  # sampled rows, {normalised name: value}

    @property
    def compression(self):
        return "gzip" if self.format == "csv.gz" else "none"

    @property
    def data_lines(self):
        """Rows the file holds: the scan's data lines (CSV) or the row count (Parquet)."""
        if self.format == "parquet":
            return self.sample_rows
        return self.structure.data_lines if self.structure and self.structure.complete else None

    def has(self, column):
        return column in self.source_columns


def normalise_column(name):
    """Upper-case, trimmed, BOM- and quote-free; known alternative spellings mapped to SIAK's."""
    cleaned = name.replace("\ufeff", "").strip().strip('"').strip("'").strip().upper()
    cleaned = "_".join(cleaned.replace("-", " ").split())
    return COLUMN_ALIASES.get(cleaned, cleaned)


def check_file(path, province=None, *, scan=False, max_inflated_bytes=None, progress=None):
    """Return a ``FileInfo`` for a usable extract, or raise ``DkbFileError`` saying what is wrong.

    With ``province`` (e.g. ``"17"``) the sample is also checked for at least one row of that
    province, so a file from another province is refused at upload time. ``scan``: read the
    whole file once (see ``structure``), refusing a gzip that inflates beyond
    ``max_inflated_bytes`` (default ``structure.DEFAULT_MAX_INFLATED_BYTES``) as soon as it
    does; ``progress(fraction)`` is called now and then during that read.
    """
    if max_inflated_bytes is None:
        max_inflated_bytes = structure.DEFAULT_MAX_INFLATED_BYTES
    try:
        return _check_file(Path(path), province, scan, max_inflated_bytes, progress)
    except DkbFileError:
        raise
    except MemoryError:
        raise DkbFileError(_("Memori tidak cukup untuk memeriksa berkas ini.")) from None
    except OSError:
        raise DkbFileError(_("Berkas tidak dapat dibuka.")) from None
    except Exception as error:  # noqa: BLE001 - the user gets a message, the log a location
        _log_unexpected(error)
        raise DkbFileError(
            _(
                "Berkas tidak dapat diperiksa: susunannya tidak dikenali sebagai ekstrak DKB "
                "(CSV dengan nama kolom SIAK di baris 1, CSV .gz, atau Parquet)."
            )
        ) from None


def _log_unexpected(error):
    """Type and code location only: exception texts may quote a value (a NIK) from the file."""
    frame = traceback.extract_tb(error.__traceback__)[-1]
    logger.error("check_file: unexpected %s at %s:%s", type(error).__name__, frame.filename, frame.lineno)


def _check_file(path, province, scan, max_inflated_bytes, progress):
    size = path.stat().st_size
    with open(path, "rb") as handle:
        head = handle.read(SAMPLE_BYTES)
    if size == 0 or (size <= len(head) and not head.strip()):
        raise DkbFileError(_("Berkas kosong: tidak ada isi sama sekali."))

    if head.startswith(PARQUET_MAGIC):
        info = _check_parquet(path, max_inflated_bytes)
    else:
        _refuse_other_formats(head)
        if head.startswith(GZIP_MAGIC):
            fmt, text_head = "csv.gz", _gunzip_head(path)
            complete = len(text_head) < SAMPLE_BYTES
            if not text_head.strip() and complete:
                raise DkbFileError(_("Berkas kosong: tidak ada isi sama sekali."))
            if text_head.startswith(GZIP_MAGIC):
                raise DkbFileError(
                    _("Berkas dikompres gzip dua kali (.gz di dalam .gz); buka satu kali lalu unggah ulang.")
                )
            _refuse_other_formats(text_head)
        else:
            fmt, text_head, complete = "csv", head, size <= len(head)
        info = _check_csv(path, fmt, text_head, complete)
        if scan:
            info.structure = structure.scan(
                path,
                fmt,
                info.delimiter,
                info.header,
                info.encoding,
                max_inflated_bytes=max_inflated_bytes,
                progress=progress,
            )
        elif not complete and fmt == "csv" and info.encoding == "utf-8":
            _check_plain_tail(path)

    missing = [column for column in REQUIRED_COLUMNS if not info.has(column)]
    if missing:
        raise DkbFileError(_("Kolom wajib tidak ditemukan: %(columns)s."), columns=", ".join(missing))
    if info.sample_rows == 0:
        raise DkbFileError(_("Berkas hanya berisi baris judul (header), tanpa data penduduk."))
    if province is not None:
        if info.format == "parquet":
            seen = _parquet_sample_provinces(info)
        else:
            seen = _province_codes(row.get("NO_PROP") for row in info.sample)
        if seen and f"{int(province):02d}" not in seen:
            raise DkbFileError(
                _("Berkas berisi data provinsi %(found)s, bukan provinsi %(province)s."),
                found=", ".join(sorted(seen)),
                province=f"{int(province):02d}",
            )
    return info


def _refuse_other_formats(head):
    """Files people save under a .csv name by mistake: a workbook, a PDF, a web page."""
    if head.startswith((ZIP_MAGIC, OLE_MAGIC)):
        raise DkbFileError(
            _(
                "Berkas ini tampaknya berkas Excel atau ZIP, bukan CSV/Parquet. "
                "Ekspor ulang data dari SIAK sebagai CSV atau Parquet."
            )
        )
    if head.startswith(PDF_MAGIC):
        raise DkbFileError(
            _("Berkas ini dokumen PDF, bukan ekstrak CSV/Parquet. Unggah ekstrak data dari SIAK.")
        )
    if re.match(rb"\s*<(!doctype html|html|\?xml)", head[:1024].removeprefix(codecs.BOM_UTF8), re.IGNORECASE):
        raise DkbFileError(
            _(
                "Berkas ini halaman web (HTML/XML), bukan ekstrak CSV: kemungkinan yang tersimpan adalah "
                "halaman galat atau halaman masuk aplikasi. Unduh ulang ekstraknya dari SIAK."
            )
        )


def _gunzip_head(path):
    """The first SAMPLE_BYTES of the inflated stream (all of it when shorter)."""
    data = bytearray()
    try:
        for chunk in structure.iter_inflated(path, limit=SAMPLE_BYTES, chunk=SAMPLE_BYTES):
            data += chunk
    except structure.InflateStop as stop:
        pieces = _LINE_END.split(data.decode("latin-1"))
        raise structure.inflate_error(stop, len(pieces) - 1, pieces[-1] != "") from None
    return bytes(data)


def _check_plain_tail(path):
    """A large plain UTF-8 file that stops inside a multi-byte character was cut off."""
    with open(path, "rb") as handle:
        handle.seek(-4, 2)
        tail = handle.read()
    if structure.incomplete_utf8_tail(tail):
        raise DkbFileError(
            _(
                "Berkas terpotong: baris terakhirnya berhenti di tengah sebuah karakter UTF-8. "
                "Berkas tidak terekspor atau terunggah sampai selesai; unggah ulang berkas yang utuh."
            )
        )


def _decode(raw, complete):
    """UTF-8 when the sample is valid UTF-8, else Latin-1 (every byte is valid Latin-1)."""
    raw = raw.removeprefix(codecs.BOM_UTF8)
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        # Excel's "Unicode text" export: readable, but not what DuckDB's CSV reader takes.
        raise DkbFileError(
            _('Berkas memakai pengodean UTF-16 ("Teks Unicode" dari Excel). Simpan ulang sebagai CSV UTF-8.')
        )
    if b"\x00" in raw:
        raise DkbFileError(_("Berkas bukan teks CSV (berisi data biner)."))
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        # final=False tolerates a multi-byte character cut at the end of the sample.
        text = decoder.decode(raw, final=False)
    except UnicodeDecodeError:
        pass
    else:
        if complete and decoder.getstate()[0]:
            # The whole file is valid UTF-8 up to its last bytes, which stop mid-character.
            raise DkbFileError(
                _(
                    "Berkas terpotong: baris terakhir (baris %(line)s) berhenti di tengah sebuah "
                    "karakter UTF-8. Berkas tidak terekspor atau terunggah sampai selesai; unggah "
                    "ulang berkas yang utuh."
                ),
                line=structure.thousands(len(_LINE_END.split(text))),
            )
        return text, "utf-8"
    text = raw.decode("latin-1")
    if _looks_binary(text):
        raise DkbFileError(_("Berkas bukan teks CSV (berisi data biner)."))
    return text, "latin-1"


def _looks_binary(text):
    controls = sum(1 for char in text[:4096] if ord(char) < 32 and char not in "\r\n\t")
    controls += sum(1 for char in text[:4096] if 0x7F <= ord(char) < 0xA0)
    return controls > len(text[:4096]) * 0.01


def _split(line, delimiter):
    """One line's fields (a line never continues into the next: the scanner refuses that)."""
    return next(csv.reader([line], delimiter=delimiter), [])


def _check_csv(path, fmt, raw, complete):
    first_end = re.search(rb"[\r\n]", raw)
    if (first_end.start() if first_end else len(raw)) > structure.MAX_LINE_BYTES:
        raise structure.line_too_long(1)
    text, encoding = _decode(raw, complete)
    lines = _LINE_END.split(text)
    if not complete:
        lines = lines[:-1]  # the last line of a sample may be cut
    elif lines and lines[-1] == "":
        lines = lines[:-1]  # after the final line end

    delimiter = _pick_delimiter(lines[0]) if lines else None
    if delimiter is None:
        _refuse_header(lines)
    names = _split(lines[0], delimiter)
    if len(names) > MAX_COLUMNS:
        raise DkbFileError(
            _(
                "Baris judul (baris 1) berisi %(count)s kolom; ekstrak DKB hanya memiliki beberapa puluh "
                "kolom (paling banyak %(limit)s). Berkas rusak atau bukan ekstrak DKB."
            ),
            count=structure.thousands(len(names)),
            limit=structure.thousands(MAX_COLUMNS),
        )
    source_columns = _source_columns(names)

    # Same structural checks as the full scan, on the sample: found here, they are found at upload.
    scanner = structure.LineScanner(delimiter, names, encoding)
    scanner.feed(raw)
    if complete:
        scanner.finish()

    rows, first_line = [], {}
    for number, line in enumerate(lines[1 : SAMPLE_ROWS + 1], start=2):
        if line.strip():
            rows.append(_split(line, delimiter))
            first_line[len(rows) - 1] = number
    ragged = [index for index, row in enumerate(rows) if len(row) != len(names)]
    if rows and len(ragged) * 2 > len(rows):
        _refuse_ragged(names, delimiter, rows, first_line[ragged[0]], lines)
    info = FileInfo(
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
    positions = {name: names.index(original) for name, original in source_columns.items()}
    info.sample = [
        {name: row[index] for name, index in positions.items() if index < len(row)} for row in rows
    ]
    return info


def _source_columns(names):
    """Normalised name -> name as in the file; a SIAK column the engine reads may appear once."""
    seen = {}
    for position, name in enumerate(names, start=1):
        seen.setdefault(normalise_column(name), []).append(position)
    repeated = {
        name: positions for name, positions in seen.items() if name in KNOWN_COLUMNS and len(positions) > 1
    }
    if repeated:
        described = "; ".join(
            f"{name} (kolom ke-{', ke-'.join(str(p) for p in positions[:-1])} dan ke-{positions[-1]})"
            for name, positions in repeated.items()
        )
        raise DkbFileError(
            _(
                "Kolom ganda pada baris judul: %(columns)s. Setiap kolom SIAK hanya boleh ada satu kali, "
                "agar jelas nilai mana yang dibaca; hapus kolom yang berlebih lalu unggah ulang."
            ),
            columns=described,
        )
    source_columns = {}
    for name in names:
        source_columns.setdefault(normalise_column(name), name)
    return source_columns


def _refuse_header(lines):
    """Line 1 is not a header: say where the header is, if it is a few lines further down."""
    for number, line in enumerate(lines[1:HEADER_SEARCH_LINES], start=2):
        if _pick_delimiter(line) is not None:
            raise DkbFileError(
                _(
                    "Baris judul (nama kolom SIAK) ada di baris %(line)s, bukan di baris 1. Hapus baris "
                    "di atasnya (judul laporan atau baris kosong) lalu unggah ulang."
                ),
                line=number,
            )
    if lines and not lines[0].strip():
        raise DkbFileError(
            _("Baris 1 kosong: baris pertama berkas harus berisi nama kolom SIAK (NIK, NO_KK, ...).")
        )
    found = _other_separator(lines[0]) if lines else None
    if found:
        raise DkbFileError(
            _(
                'Pemisah kolom tidak dikenali: baris judul dipisah dengan "%(found)s". Gunakan koma, '
                "titik koma, garis tegak (|) atau tab, dengan nama kolom SIAK pada baris pertama."
            ),
            found=found,
        )
    raise DkbFileError(
        _(
            "Pemisah kolom tidak dikenali. Gunakan koma, titik koma, garis tegak (|) atau tab, "
            "dengan nama kolom SIAK pada baris pertama."
        )
    )


def _refuse_ragged(names, delimiter, rows, line, lines):
    """Most sampled rows do not have the header's column count: name the delimiter they use."""
    data_lines = [text for text in lines[1 : SAMPLE_ROWS + 1] if text.strip()]
    for other in DELIMITERS:
        if other == delimiter:
            continue
        fitting = sum(1 for text in data_lines if len(_split(text, other)) == len(names))
        if fitting * 2 > len(data_lines):
            raise DkbFileError(
                _(
                    "Baris judul dipisah dengan %(header)s, tetapi baris data (mulai baris %(line)s) dipisah "
                    "dengan %(data)s. Simpan ulang berkas dengan satu pemisah kolom yang sama."
                ),
                header=DELIMITER_NAMES[delimiter],
                data=DELIMITER_NAMES[other],
                line=line,
            )
    raise DkbFileError(
        _(
            "Jumlah kolom pada baris data tidak sama dengan baris judul (dipisah dengan %(delimiter)s), "
            "mulai baris %(line)s: baris judul %(expected)s kolom, baris itu %(found)s kolom. "
            "Periksa pemisah kolom berkas."
        ),
        delimiter=DELIMITER_NAMES[delimiter],
        line=line,
        expected=len(names),
        found=len(_split(lines[line - 1], delimiter)),
    )


def _other_separator(header):
    """A character outside DELIMITERS that splits the header into SIAK names (":" from some tools)."""
    candidates = {char for char in header if not char.isalnum() and char not in "_- \"'\ufeff"}
    best, best_hits = None, 1
    for char in sorted(candidates):
        hits = sum(1 for name in header.split(char) if normalise_column(name) in KNOWN_COLUMNS)
        if hits > best_hits:
            best, best_hits = char, hits
    return best


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
    best, best_hits = None, 0
    for delimiter in DELIMITERS:
        try:
            names = _split(header, delimiter)
        except csv.Error:
            continue
        hits = sum(1 for name in names if normalise_column(name) in KNOWN_COLUMNS)
        if len(names) > 1 and hits > best_hits:
            best, best_hits = delimiter, hits
    return best


def _check_parquet(path, max_inflated_bytes):
    import pyarrow.parquet as pq

    try:
        parquet = pq.ParquetFile(path)
        names = parquet.schema_arrow.names
        rows = parquet.metadata.num_rows
        inflated = sum(
            parquet.metadata.row_group(index).total_byte_size
            for index in range(parquet.metadata.num_row_groups)
        )
    except Exception:  # pyarrow raises several unrelated types for a damaged file
        raise DkbFileError(_("Berkas Parquet rusak atau tidak dapat dibaca."))
    if max_inflated_bytes is not None and inflated > max_inflated_bytes:
        raise DkbFileError(
            _("Isi berkas Parquet (%(size)s setelah dibuka) melebihi batas %(limit)s untuk satu ekstrak."),
            size=structure.format_bytes(inflated),
            limit=structure.format_bytes(max_inflated_bytes),
        )
    if len(names) > MAX_COLUMNS:
        raise DkbFileError(
            _(
                "Berkas Parquet berisi %(count)s kolom; ekstrak DKB hanya memiliki beberapa puluh kolom "
                "(paling banyak %(limit)s)."
            ),
            count=structure.thousands(len(names)),
            limit=structure.thousands(MAX_COLUMNS),
        )
    source_columns = _source_columns(names)
    return FileInfo(
        path=path,
        format="parquet",
        columns=list(source_columns),
        source_columns=source_columns,
        header=list(names),
        sample_rows=rows,
    )


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
