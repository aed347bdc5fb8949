"""The byte-level structure of a CSV extract, read once from start to end before DuckDB reads it.

DuckDB's CSV reader is fast but forgiving in ways that lose people silently: a stray quote opens
a field that swallows every following line, and a gzip member inflates for as long as it likes.
``scan`` streams the (inflated) bytes through numpy, so a 2-million-row extract costs a fraction
of a second, and stops at the first thing no DKB extract contains:

- more inflated bytes than ``max_inflated_bytes``, or a gzip window that inflates more than
  ``MAX_INFLATE_RATIO`` times (a "gzip bomb": gigabytes of blank lines from a few kilobytes);
- a line longer than ``MAX_LINE_BYTES`` (a DKB row is a few hundred bytes);
- a quoted field left open at the end of its line (no DKB value holds a line break);
- a NUL byte; a file that ends in the middle of a UTF-8 character;
- data after the end of the gzip stream.

It also counts the data lines (non-empty lines after the header), so that the rows DuckDB reads
can be checked against the file: nobody may vanish without a word.

Lines end at LF, CRLF or a lone CR, as DuckDB reads them; a line is empty when it has no byte
besides its line end (DuckDB skips those). Line numbers are 1-based, the header is line 1.
"""

import os
import re
import zlib
from dataclasses import dataclass, field

import numpy as np

from .errors import DkbFileError, _

# A DKB row is 100-400 bytes; a header of 60 SIAK columns under 1 KB.
MAX_LINE_BYTES = 64 * 1024
# Real extracts deflate 3-10 times; beyond this a window of inflated data is not an extract.
MAX_INFLATE_RATIO = 100
RATIO_WINDOW_BYTES = 16 * 1024 * 1024
# 50 million rows of up to 400 bytes; the worker passes the SOPFLOW_DKB_MAX_INFLATED_MB setting.
DEFAULT_MAX_INFLATED_BYTES = int(os.environ.get("SOPFLOW_DKB_MAX_INFLATED_MB", "20480")) * 1024 * 1024

# Lines with quotes per chunk that are read exactly (in Python) rather than by parity alone.
EXACT_QUOTE_LINES = 2000
CHUNK_BYTES = (
    4 * 1024 * 1024
)  # inflated (or plain) bytes handed to numpy at once (worst case: 4M empty lines)
READ_BYTES = 1024 * 1024  # compressed bytes read at once
PROGRESS_EVERY = 256 * 1024 * 1024

GZIP_MAGIC = b"\x1f\x8b"
LF, CR, QUOTE = 10, 13, 34


@dataclass
class Structure:
    """What the scan found; ``data_lines`` is what DuckDB must account for."""

    lines: int = 0  # every line, the header and empty lines included
    data_lines: int = 0  # non-empty lines after the header
    empty_lines: int = 0
    line_ends: dict = field(default_factory=lambda: {"lf": 0, "crlf": 0, "cr": 0})
    inflated_bytes: int = 0
    complete: bool = True  # False when only a sample (the head of the file) was scanned

    @property
    def mixed_line_ends(self):
        return sum(1 for count in self.line_ends.values() if count) > 1


def format_bytes(number):
    """1536 -> "1,5 KB", 20 GiB -> "20 GB" (binary units, Indonesian decimal comma)."""
    for unit, size in (("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10)):
        if number >= size:
            value = number / size
            text = f"{value:.0f}" if value >= 10 or value == int(value) else f"{value:.1f}".replace(".", ",")
            return f"{text} {unit}"
    return f"{number} bita"


class InflateStop(Exception):
    """Raised by ``iter_inflated``; ``scan`` turns it into a message that names the line."""

    def __init__(self, kind, **params):
        self.kind = kind
        self.params = params


def iter_plain(path, limit=None, chunk=None, progress=None):
    """The bytes of an uncompressed file in chunks, at most ``limit`` of them.

    Each chunk is a view of one reused buffer, valid until the next one is asked for.
    """
    chunk = chunk or CHUNK_BYTES
    size = max(os.path.getsize(path), 1)
    next_progress = PROGRESS_EVERY
    buffer = memoryview(bytearray(chunk))
    with open(path, "rb") as handle:
        remaining = limit
        while remaining is None or remaining > 0:
            read = handle.readinto(buffer if remaining is None else buffer[: min(chunk, remaining)])
            if not read:
                return
            if remaining is not None:
                remaining -= read
            yield buffer[:read]
            if progress is not None and handle.tell() >= next_progress:
                next_progress += PROGRESS_EVERY
                progress(min(handle.tell() / size, 1.0))


def iter_inflated(path, max_inflated_bytes=None, limit=None, chunk=None, progress=None):
    """The inflated bytes of a gzip file (one or more members), in chunks of at most ``chunk``.

    Stops with ``InflateStop`` at the limit, at a window that inflates more than
    ``MAX_INFLATE_RATIO`` times, at a damaged or truncated stream and at trailing data; with
    ``limit`` it just stops after that many bytes (a sample). No call ever inflates more than
    ``chunk`` bytes, so a bomb is caught after one window, not after it has filled the disk.
    ``progress(fraction)`` gets the share of the compressed file read, now and then.
    """
    chunk = chunk or CHUNK_BYTES
    size = max(os.path.getsize(path), 1)
    produced = consumed = 0
    window_out = window_in = 0
    next_progress = PROGRESS_EVERY
    with open(path, "rb") as handle:
        inflater = zlib.decompressobj(wbits=31)
        pending = b""
        while True:
            if not pending:
                pending = handle.read(READ_BYTES)
                if not pending:
                    break
            if inflater.eof:
                if len(pending) < 2:
                    pending += handle.read(READ_BYTES)
                if not pending.startswith(GZIP_MAGIC):
                    raise InflateStop("trailing")
                inflater = zlib.decompressobj(wbits=31)
            given = len(pending)
            try:
                data = inflater.decompress(pending, chunk)
            except zlib.error:
                raise InflateStop("damaged") from None
            pending = inflater.unused_data if inflater.eof else inflater.unconsumed_tail
            consumed += given - len(pending)
            if not data:
                continue
            produced += len(data)
            if max_inflated_bytes is not None and produced > max_inflated_bytes:
                allowed = len(data) - (produced - max_inflated_bytes)
                if allowed > 0:
                    yield data[:allowed]  # so the message can name the line the limit fell in
                raise InflateStop("limit", limit=max_inflated_bytes)
            if produced - window_out >= RATIO_WINDOW_BYTES:
                ratio = (produced - window_out) / max(consumed - window_in, 1)
                if ratio > MAX_INFLATE_RATIO:
                    raise InflateStop("ratio", ratio=int(ratio))
                window_out, window_in = produced, consumed
            if limit is not None and produced >= limit:
                yield data[: len(data) - (produced - limit)]
                return
            yield data
            if progress is not None and produced >= next_progress:
                next_progress += PROGRESS_EVERY
                progress(min(handle.tell() / size, 1.0))
        if not inflater.eof:
            raise InflateStop("truncated")


def open_quote_field(line, delimiter):
    """Index of the field whose opening quote is not closed on ``line`` (bytes), else None.

    Reads a line as DuckDB does (RFC 4180): a quote opens a quoted field only as the first byte
    of the field, ``""`` inside it is a quote, a quote anywhere else is an ordinary character.
    """
    delim = delimiter.encode("latin-1")
    position, index, end = 0, 0, len(line)
    while position <= end:
        if position < end and line[position] == QUOTE:
            search = position + 1
            while True:
                close = line.find(b'"', search)
                if close == -1:
                    return index
                if line[close + 1 : close + 2] == b'"':
                    search = close + 2
                    continue
                break
            position = close + 1
        following = line.find(delim, position)
        if following == -1:
            return None
        position, index = following + 1, index + 1
    return None


def incomplete_utf8_tail(data):
    """True when ``data`` ends inside a multi-byte UTF-8 character (cut off mid-character)."""
    tail = data[-4:]
    for back in range(1, len(tail) + 1):
        byte = tail[-back]
        if byte & 0xC0 == 0x80:  # continuation byte: keep looking for the lead byte
            continue
        if byte >= 0xF0:
            needed = 4
        elif byte >= 0xE0:
            needed = 3
        elif byte >= 0xC0:
            needed = 2
        else:
            return False
        return back < needed
    return False


def line_too_long(line, max_line_bytes=MAX_LINE_BYTES):
    """The message for line ``line`` running past ``max_line_bytes`` without a line end."""
    limit = format_bytes(max_line_bytes)
    if line == 1:
        return DkbFileError(
            _(
                "Baris judul (baris 1) terlalu panjang: lebih dari %(limit)s tanpa akhir baris. "
                "Ini bukan baris judul ekstrak DKB (nama kolom SIAK yang dipisah koma, titik koma, "
                "garis tegak atau tab)."
            ),
            limit=limit,
        )
    return DkbFileError(
        _(
            "Baris %(line)s terlalu panjang: lebih dari %(limit)s tanpa akhir baris, padahal satu "
            "baris ekstrak DKB hanya beberapa ratus bita. Berkas rusak atau bukan ekstrak DKB."
        ),
        line=thousands(line),
        limit=limit,
    )


def thousands(number):
    return f"{number:,}".replace(",", ".")


class LineScanner:
    """Feed it the file's bytes in order (``feed``), then ``finish``; raises ``DkbFileError``."""

    def __init__(self, delimiter=",", header=(), encoding="utf-8", max_line_bytes=MAX_LINE_BYTES):
        self.delimiter = delimiter
        self.header = list(header)
        self.encoding = encoding
        self.max_line_bytes = max_line_bytes
        self.structure = Structure()
        self.carry = b""  # the unfinished last line
        self.work = bytearray()

    # -- errors -----------------------------------------------------------------------------
    def _column(self, index):
        if index < len(self.header):
            name = self.header[index].replace("\ufeff", "").strip().strip('"') or str(index + 1)
            return f"{index + 1} ({name})"
        return str(index + 1)

    def _open_quote(self, line, index):
        return DkbFileError(
            _(
                'Baris %(line)s, kolom %(column)s: tanda kutip (") dibuka tetapi tidak ditutup pada baris '
                "yang sama, sehingga baris-baris berikutnya akan terbaca sebagai satu nilai. Nilai "
                "ekstrak DKB tidak pernah memuat ganti baris: perbaiki tanda kutip itu lalu unggah ulang."
            ),
            line=thousands(line),
            column=self._column(index),
        )

    # -- scanning ---------------------------------------------------------------------------
    def feed(self, chunk, final=False):
        # The unfinished line and the new bytes go into one reused buffer: a fresh 4 MB bytes
        # object per chunk costs more in page faults than the whole scan of it.
        carried, size = len(self.carry), len(self.carry) + len(chunk)
        self.structure.inflated_bytes += len(chunk)
        if size == 0:
            return
        if len(self.work) < size:
            self.work = bytearray(size)
        work = self.work
        work[:carried] = self.carry
        work[carried:size] = chunk
        array = np.frombuffer(work, dtype=np.uint8, count=size)
        first_line = self.structure.lines + 1
        ends, content_ends, crlf, lone_cr = self._line_ends(work, array, size, final)
        rest_start = int(ends[-1]) + 1 if len(ends) else 0
        starts = np.empty_like(ends)
        if len(ends):
            starts[0] = 0
            starts[1:] = ends[:-1] + 1

        nul = work.find(b"\x00", 0, size)
        if nul != -1:
            line = first_line + int(np.searchsorted(ends, nul))
            raise DkbFileError(
                _("Baris %(line)s berisi byte NUL (data biner): berkas rusak atau bukan teks CSV."),
                line=thousands(line),
            )
        lengths = content_ends - starts
        if len(lengths) and int(lengths.max()) > self.max_line_bytes:
            raise line_too_long(
                first_line + int(np.argmax(lengths > self.max_line_bytes)), self.max_line_bytes
            )
        if size - rest_start > self.max_line_bytes + 1:  # +1: a CR held back for its LF
            raise line_too_long(first_line + len(ends), self.max_line_bytes)

        if len(ends) and work.find(b'"', 0, rest_start) != -1:
            quotes = np.flatnonzero(array[:rest_start] == QUOTE)
            per_line = np.searchsorted(quotes, content_ends) - np.searchsorted(quotes, starts)
            # Few lines with quotes (a name with a comma here and there): read each exactly.
            # Quotes on most lines (every value quoted): an odd count marks the suspects; an
            # even count that still opens a field is left to the row count after DuckDB's read.
            suspects = np.flatnonzero(per_line)
            if len(suspects) > EXACT_QUOTE_LINES:
                suspects = np.flatnonzero(per_line % 2)
            for index in suspects:
                opened = open_quote_field(bytes(work[starts[index] : content_ends[index]]), self.delimiter)
                if opened is not None:
                    raise self._open_quote(first_line + int(index), opened)

        empty = int(np.count_nonzero(lengths == 0))
        counted = len(ends)
        self.structure.lines += counted
        self.structure.empty_lines += empty
        non_empty = counted - empty
        if first_line == 1 and counted and lengths[0] > 0:
            non_empty -= 1  # the header
        self.structure.data_lines += non_empty
        self.structure.line_ends["crlf"] += crlf
        self.structure.line_ends["cr"] += lone_cr
        self.structure.line_ends["lf"] += counted - crlf - lone_cr
        self.carry = bytes(work[rest_start:size])

    @staticmethod
    def _line_ends(work, array, size, final):
        """(terminator positions, content end per line, CRLF count, lone CR count)."""
        lf = np.flatnonzero(array == LF)
        if work.find(b"\r", 0, size) == -1:
            return lf, lf, 0, 0
        cr = np.flatnonzero(array == CR)
        following = cr + 1
        inside = following < size
        lone = cr[inside][array[following[inside]] != LF]
        if final and len(cr) and cr[-1] == size - 1:
            lone = np.append(lone, cr[-1])  # a CR at the very end ends the last line
        ends = np.union1d(lf, lone)
        content_ends = ends.copy()
        before_lf = (array[ends] == LF) & (ends > 0)
        before_lf[before_lf] = array[ends[before_lf] - 1] == CR
        content_ends[before_lf] -= 1
        return ends, content_ends, int(np.count_nonzero(before_lf)), len(lone)

    def finish(self):
        """The last line (without a line end) and the final checks; returns the ``Structure``."""
        self.feed(b"", final=True)
        last = self.carry
        if last:
            line = self.structure.lines + 1
            if len(last) > self.max_line_bytes:
                raise line_too_long(line, self.max_line_bytes)
            if b'"' in last:
                opened = open_quote_field(last, self.delimiter)
                if opened is not None:
                    raise self._open_quote(line, opened)
            if self.encoding == "utf-8" and incomplete_utf8_tail(last):
                raise DkbFileError(
                    _(
                        "Berkas terpotong: baris terakhir (baris %(line)s) berhenti di tengah sebuah "
                        "karakter UTF-8. Berkas tidak terekspor atau terunggah sampai selesai; unggah "
                        "ulang berkas yang utuh."
                    ),
                    line=thousands(line),
                )
            self.structure.lines += 1
            if line > 1:
                self.structure.data_lines += 1
            self.carry = b""
        return self.structure


def inflate_error(stop, lines_done, in_line=False):
    """The message for an ``InflateStop`` met after ``lines_done`` complete lines (and inside
    the next one when ``in_line``)."""
    where = thousands(lines_done + 1)
    if stop.kind == "limit":
        return DkbFileError(
            _(
                "Isi berkas gzip melebihi batas %(limit)s setelah dibuka (terhenti di baris %(line)s). "
                "Periksa berkasnya; bila ekstrak memang sebesar itu, admin dapat menaikkan batas "
                "SOPFLOW_DKB_MAX_INFLATED_MB."
            ),
            limit=format_bytes(stop.params["limit"]),
            line=where,
        )
    if stop.kind == "ratio":
        return DkbFileError(
            _(
                "Berkas gzip mengembang tidak wajar: sekitar baris %(line)s isinya %(ratio)s kali lebih "
                "besar daripada bentuk terkompresinya (ekstrak DKB biasanya 3-10 kali). Berkas berisi "
                "baris kosong atau data berulang dalam jumlah sangat besar dan tidak diolah; ekspor ulang "
                "dari SIAK."
            ),
            line=where,
            ratio=thousands(stop.params["ratio"]),
        )
    if stop.kind == "trailing":
        return DkbFileError(
            _(
                "Berkas gzip berisi data lain sesudah akhir isinya (sesudah baris %(line)s). "
                "Unggah ulang berkas .gz yang utuh tanpa tambahan."
            ),
            line=thousands(lines_done + (1 if in_line else 0)),
        )
    return DkbFileError(
        _("Berkas gzip rusak atau terpotong (terbaca sampai baris %(line)s); unggah ulang berkas yang utuh."),
        line=thousands(lines_done + (1 if in_line else 0)),
    )


def scan(path, fmt, delimiter, header, encoding, max_inflated_bytes=None, limit=None, progress=None):
    """Scan the whole file (or its first ``limit`` bytes) and return its ``Structure``."""
    scanner = LineScanner(delimiter, header, encoding)
    if fmt == "csv.gz":
        chunks = iter_inflated(path, max_inflated_bytes=max_inflated_bytes, limit=limit, progress=progress)
    else:
        size = os.path.getsize(path)
        if max_inflated_bytes is not None and size > max_inflated_bytes and limit is None:
            raise DkbFileError(
                _("Berkas lebih besar dari batas %(limit)s untuk satu ekstrak."),
                limit=format_bytes(max_inflated_bytes),
            )
        chunks = iter_plain(path, limit=limit, progress=progress)
    try:
        for chunk in chunks:
            scanner.feed(chunk)
    except InflateStop as stop:
        raise inflate_error(stop, scanner.structure.lines, bool(scanner.carry)) from None
    if limit is not None and scanner.structure.inflated_bytes >= limit:
        scanner.structure.complete = False
        return scanner.structure
    return scanner.finish()


def find_open_quote(path, fmt, delimiter, header):
    """The ``DkbFileError`` for the first line that leaves a quoted field open, else None.

    The slow, exact look for what the scan's quote-parity test cannot see (an even number of
    quotes on a line that still opens a field, e.g. ``O"BRIEN,"...``); only run after DuckDB
    read fewer rows than the file has data lines.
    """
    scanner = LineScanner(delimiter, header)
    chunks = iter_inflated(path) if fmt == "csv.gz" else iter_plain(path)
    line, carry = 0, b""
    try:
        for chunk in chunks:
            pieces = re.split(rb"\r\n|\n|\r", carry + bytes(chunk))
            carry = pieces.pop()
            for piece in pieces:
                line += 1
                if b'"' in piece:
                    opened = open_quote_field(piece, delimiter)
                    if opened is not None:
                        return scanner._open_quote(line, opened)
    except InflateStop:
        return None
    if b'"' in carry:
        opened = open_quote_field(carry.rstrip(b"\r"), delimiter)
        if opened is not None:
            return scanner._open_quote(line + 1, opened)
    return None


def first_line_with_c1_byte(path, fmt):
    """Line number of the first byte 0x80-0x9F (Windows-1252 letters, not Latin-1), else None."""
    chunks = iter_inflated(path) if fmt == "csv.gz" else iter_plain(path)
    lines = 0
    try:
        for chunk in chunks:
            array = np.frombuffer(chunk, dtype=np.uint8)
            hits = np.flatnonzero((array >= 0x80) & (array < 0xA0))
            if len(hits):
                before = chunk[: int(hits[0])]
                return lines + len(re.findall(rb"\r\n|\n|\r", before)) + 1
            lines += len(re.findall(rb"\r\n|\n|\r", chunk))
    except InflateStop:
        return None
    return None
