"""A SOP as an XLSX workbook in the Permenpan RB 35/2012 table layout: export and import.

The layout (issue 9, points 5 and 6):

- sheet ``Identitas``: two columns, key and value, one row per key of ``IDENTITY_KEYS``; the
  multi-line values (Dasar Hukum, Kualifikasi Pelaksana, ...) hold one item a line. Dates are
  written as "12 Januari 2024"; read as date cells or text "12 Januari 2024", "2024-01-12",
  "12-01-2024" (or "12/01/2024").
- sheet ``Prosedur``: the header row ``COLUMNS`` and one row per step. Pelaksana is a position of
  the organisation (its name, or its code); Waktu is "10 menit", "2 jam", "7 hari"; Jenis is a
  ``StepKind`` value; Kembali ke is the earlier step a pemeriksaan returns to.

``export_workbook(sop)`` writes any ``workflows.sops.spec.Sop``: a built-in SOP (its special steps
with the built-in kind its package names in ``BUILTIN_KINDS``) or ``version.as_sop()``.

``parse_workbook(fileobj)`` reads what a workbook says (layout, values, the steps' order and
returns) without an organisation; ``read_workbook(fileobj, organisation)`` adds what the
organisation decides (its positions, its SOP numbers and codes; built-in kinds are refused), and
``import_workbook`` stores the result as a new SOP in one transaction, or nothing. Every problem
found is reported (``WorkbookError.problems``), each naming its sheet row and the value.

The file is untrusted: it must be a zip (an .xls or CSV renamed is refused), its members may not
inflate past ``MAX_INFLATED_BYTES``, at most ``MAX_SHEET_ROWS`` rows and ``MAX_COLUMNS`` columns
are read, a workbook may have ``MAX_STEPS`` steps and a cell ``MAX_CELL_CHARS`` characters.
openpyxl reads it with ``read_only=True, data_only=True``: a formula cell gives its cached value,
nothing is ever evaluated. Exported text that starts with "=" is written as text, not a formula.

Round trip: export, import, export gives the same cell values in both sheets, with one
normalisation: Tanggal Revisi is the date a version was published (``SopVersion.publish``), so
the imported copy shows the date it was published, or nothing while it is a draft; the value in
the workbook is informational. The layout has no column for ``VersionStep.outside_routine``: an
imported step is within routine authority until the editor says otherwise. Tanggal Pembuatan
left empty is set to the publishing date when the version is published.
"""

import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from workflows.reports.formatting import long_date
from workflows.sops.spec import Identity, Sop, Step

# The sheet names, keys and column headers are the layout itself (what agencies' tables say),
# so they are not translated.
IDENTITY_SHEET = "Identitas"
PROSEDUR_SHEET = "Prosedur"
IDENTITY_KEYS = (
    ("Nomor SOP", "nomor"),
    ("Nama SOP", "nama"),
    ("Tanggal Pembuatan", "tanggal_pembuatan"),
    ("Tanggal Revisi", "tanggal_revisi"),
    ("Tanggal Efektif", "tanggal_efektif"),
    ("Disahkan oleh", "disahkan_oleh"),
    ("Dasar Hukum", "dasar_hukum"),
    ("Kualifikasi Pelaksana", "kualifikasi_pelaksana"),
    ("Keterkaitan", "keterkaitan"),
    ("Peralatan/Perlengkapan", "peralatan"),
    ("Peringatan", "peringatan"),
    ("Pencatatan dan Pendataan", "pencatatan"),
)
DATE_FIELDS = ("tanggal_pembuatan", "tanggal_revisi", "tanggal_efektif")
LINE_FIELDS = ("dasar_hukum", "kualifikasi_pelaksana", "keterkaitan", "peralatan")
# The longest value of the one-line identity fields (their model fields' max_length).
FIELD_LIMITS = {"nomor": 100, "nama": 300, "disahkan_oleh": 200}
COLUMNS = ("No", "Kegiatan", "Pelaksana", "Kelengkapan", "Waktu", "Output", "Jenis", "Kembali ke", "Keterangan")
IDENTITY_WIDTHS = (28, 100)
COLUMN_WIDTHS = (6, 60, 28, 30, 12, 32, 18, 11, 30)
WAKTU_UNITS = ("menit", "jam", "hari")

MAX_STEPS = 200
MAX_SHEET_ROWS = 5000  # rows read from a sheet, empty ones included (formatted rows count)
MAX_IDENTITY_ROWS = 100
MAX_COLUMNS = 30
MAX_CELL_CHARS = 5000
MAX_WAKTU_AMOUNT = 100000
MAX_MEMBERS = 500
MAX_INFLATED_BYTES = 100 * 1024 * 1024
XLSX_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls, and an XLSX protected by a password

MONTHS = {
    "januari": 1, "jan": 1, "februari": 2, "feb": 2, "pebruari": 2, "maret": 3, "mar": 3, "april": 4,
    "apr": 4, "mei": 5, "juni": 6, "jun": 6, "juli": 7, "jul": 7, "agustus": 8, "agu": 8, "agt": 8,
    "ags": 8, "agus": 8, "september": 9, "sep": 9, "sept": 9, "oktober": 10, "okt": 10, "november": 11,
    "nov": 11, "nopember": 11, "desember": 12, "des": 12,
}
# Words left out of a generated SOP code (the initials of the Nama SOP's other words).
MINOR_WORDS = {
    "dan", "atau", "di", "ke", "dari", "untuk", "yang", "dengan", "pada", "oleh", "serta", "dalam",
    "tentang", "bagi", "per", "sop", "the", "of", "and",
}


class WorkbookError(Exception):
    """A workbook that cannot be imported; ``problems`` lists why, one Indonesian sentence each."""

    def __init__(self, problems):
        self.problems = [str(problem) for problem in problems]
        super().__init__("\n".join(self.problems))


def normalise(text):
    """A key, header, position name or kind as compared: case, spaces and spaces around "/" ignored."""
    text = " ".join(str(text).split()).casefold()
    return re.sub(r"\s*/\s*", "/", text).rstrip(":").strip()


def quoted(value):
    """A cell's value inside a message: in quotes, cut to a readable length."""
    text = " ".join(str(value).split())
    return f"“{text[:80]}…”" if len(text) > 80 else f"“{text}”"


def cell_text(value):
    """A cell as text: numbers without a spurious ".0", dates as ISO, empty cells as ""."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value).replace("\r\n", "\n").replace("\r", "\n").strip()


def parse_waktu(value):
    """ "10 menit", "2 Jam", " 7  hari " -> (amount, unit); raises ValueError with the reason."""
    text = " ".join(cell_text(value).split()).casefold()
    match = re.fullmatch(r"(\d+) ?(menit|jam|hari)", text)
    if not match:
        raise ValueError(_(
            "tulis bilangan bulat positif dan satuannya (menit, jam atau hari), mis. “10 menit”, “2 jam”, “7 hari”"
        ))
    amount = int(match.group(1))
    if amount < 1:
        raise ValueError(_("waktu harus lebih dari nol"))
    if amount > MAX_WAKTU_AMOUNT:
        raise ValueError(_("waktu terlalu besar"))
    return amount, match.group(2)


def parse_tanggal(value):
    """A date cell, or text "12 Januari 2024" / "2024-01-12" / "12-01-2024" -> date (None if empty)."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        raise ValueError
    text = " ".join(value.split()).casefold()
    if not text:
        return None
    if match := re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", text):
        year, month, day = (int(part) for part in match.groups())
    elif match := re.fullmatch(r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})", text):
        day, month, year = (int(part) for part in match.groups())
    elif (match := re.fullmatch(r"(\d{1,2}) ([a-z]+)\.? (\d{4})", text)) and match.group(2) in MONTHS:
        day, month, year = int(match.group(1)), MONTHS[match.group(2)], int(match.group(3))
    else:
        raise ValueError
    return date(year, month, day)  # ValueError for 31-02-2024


def parse_number(value):
    """A step number cell (3, 3.0, "3") -> 3; raises ValueError otherwise."""
    if isinstance(value, bool):
        raise ValueError
    if isinstance(value, int):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    elif isinstance(value, str) and value.strip().isdigit():
        number = int(value.strip())
    else:
        raise ValueError
    if number < 1 or number > 32767:
        raise ValueError
    return number


def step_kinds():
    """{normalised name: StepKind value}: the values, and the labels the editor shows."""
    from .models import StepKind

    kinds = {}
    for kind in StepKind:
        kinds[normalise(kind.value)] = kind.value
        kinds[normalise(kind.label)] = kind.value
    return kinds


def builtin_kinds():
    """{normalised name: (name, built-in Sop)}: the special steps' kinds of the built-in SOPs."""
    from workflows.catalogue import REGISTRY

    found = {}
    for sop in REGISTRY:
        module = sop.module("definition")
        for name in getattr(module, "BUILTIN_KINDS", {}):
            found[normalise(name)] = (name, sop)
    return found


def allowed_kinds_text():
    from .models import StepKind

    return ", ".join(kind.value for kind in StepKind)


@dataclass
class ParsedStep:
    row: int  # the sheet row, for messages
    number: int
    kegiatan: str
    pelaksana: str
    kelengkapan: str
    waktu_amount: int
    waktu_unit: str
    output: str
    kind: str
    return_to: int | None
    keterangan: str
    return_written: bool = False  # Kembali ke has a value (readable or not)
    position: object = None  # the organisation's Position, set by read_workbook


@dataclass
class ParsedWorkbook:
    """What a workbook says: identity values by SopVersion field name (plus "nomor"), and steps."""

    identity: dict
    steps: list
    code: str = ""  # the SopDefinition.code it will get (read_workbook)

    def version_fields(self):
        values = {name: self.identity.get(name) for name in (
            "nama", "tanggal_pembuatan", "tanggal_efektif", "disahkan_oleh", "dasar_hukum",
            "kualifikasi_pelaksana", "keterkaitan", "peralatan", "peringatan", "pencatatan")}
        return {name: ("" if value is None and name not in DATE_FIELDS else value) for name, value in values.items()}

    def as_sop(self, code="", instansi="", unit=""):
        """The workbook as a ``Sop`` (Pelaksana as written): what ``export_workbook`` writes back."""
        identity = self.identity
        lines = lambda name: tuple(identity.get(name, "").splitlines())  # noqa: E731
        return Sop(
            code=code or self.code,
            identity=Identity(
                instansi=instansi, unit=unit, nomor=identity.get("nomor", ""),
                tanggal_pembuatan=identity.get("tanggal_pembuatan"), tanggal_revisi=identity.get("tanggal_revisi"),
                tanggal_efektif=identity.get("tanggal_efektif"), disahkan_oleh=identity.get("disahkan_oleh", ""),
                nama=identity.get("nama", ""), dasar_hukum=lines("dasar_hukum"),
                kualifikasi_pelaksana=lines("kualifikasi_pelaksana"), keterkaitan=lines("keterkaitan"),
                peralatan=lines("peralatan"), peringatan=identity.get("peringatan", ""),
                pencatatan=identity.get("pencatatan", ""),
            ),
            steps=tuple(
                Step(
                    number=step.number, node=f"k{step.number}", kegiatan=step.kegiatan,
                    actor=step.position.code if step.position else step.pelaksana,
                    actor_label=step.position.name if step.position else step.pelaksana,
                    kelengkapan=step.kelengkapan, waktu_amount=step.waktu_amount, waktu_unit=step.waktu_unit,
                    output=step.output, kind=step.kind, return_to=step.return_to, keterangan=step.keterangan,
                )
                for step in self.steps
            ),
        )


# --- reading -------------------------------------------------------------------------------


def read_bytes(fileobj):
    """The upload's bytes, at most the workbook limit (SOPFLOW_SOP_WORKBOOK_MAX_MB)."""
    limit = int(getattr(settings, "SOPFLOW_SOP_WORKBOOK_MAX_MB", 5) * 1024 * 1024)
    if hasattr(fileobj, "seek"):
        try:
            fileobj.seek(0)
        except (OSError, ValueError):
            pass
    data = fileobj.read(limit + 1)
    if len(data) > limit:
        raise WorkbookError([
            _("Berkas terlalu besar: batasnya %(mb)s MB.") % {"mb": getattr(settings, "SOPFLOW_SOP_WORKBOOK_MAX_MB", 5)}
        ])
    return data


def open_workbook(data):
    """The workbook of ``data`` (bytes), read-only, cached values only; WorkbookError if it is not XLSX."""
    from openpyxl import load_workbook

    not_xlsx = _("Berkas ini bukan workbook XLSX. Simpan tabel SOP sebagai Excel Workbook (.xlsx), lalu unggah lagi.")
    if not data:
        raise WorkbookError([_("Berkas kosong.")])
    if data.startswith(OLE_MAGIC):
        raise WorkbookError([_(
            "Berkas ini berformat Excel 97-2003 (.xls) atau dilindungi kata sandi, bukan XLSX. "
            "Buka di Excel atau LibreOffice, simpan sebagai Excel Workbook (.xlsx) tanpa kata sandi, lalu unggah lagi."
        )])
    if not data.startswith(XLSX_MAGIC):
        raise WorkbookError([not_xlsx])
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
            if len(members) > MAX_MEMBERS or sum(member.file_size for member in members) > MAX_INFLATED_BYTES:
                raise WorkbookError([_("Isi workbook ini terlalu besar untuk dibaca sebagai tabel SOP.")])
        return load_workbook(io.BytesIO(data), read_only=True, data_only=True, keep_links=False)
    except WorkbookError:
        raise
    except Exception:  # zipfile, openpyxl and XML errors alike: the file is not a readable workbook
        raise WorkbookError([not_xlsx])


def find_sheet(workbook, name):
    wanted = normalise(name)
    return next((workbook[title] for title in workbook.sheetnames if normalise(title) == wanted), None)


def sheet_rows(sheet, problems, columns=MAX_COLUMNS):
    """(row number, cell values) of the sheet's non-empty rows, at most MAX_SHEET_ROWS read (a
    sheet may claim a million rows: openpyxl fills the gaps between the rows it finds)."""
    rows = sheet.iter_rows(max_row=MAX_SHEET_ROWS + 1, max_col=columns, values_only=True)
    for number, values in enumerate(rows, start=1):
        if number > MAX_SHEET_ROWS:
            problems.append(
                _("Sheet %(sheet)s: lebih dari %(rows)s baris; sisanya tidak dibaca.")
                % {"sheet": sheet.title, "rows": MAX_SHEET_ROWS}
            )
            return
        values = tuple(values)
        if any(value is not None and cell_text(value) != "" for value in values):
            yield number, values


def text_value(value, where, label, problems, required=False, limit=MAX_CELL_CHARS):
    text = cell_text(value)
    if len(text) > limit:
        problems.append(
            _("%(where)s: isi %(label)s terlalu panjang (%(length)s karakter, paling banyak %(limit)s).")
            % {"where": where, "label": label, "length": len(text), "limit": limit}
        )
        return text[:limit]
    if required and not text:
        problems.append(_("%(where)s: %(label)s belum diisi.") % {"where": where, "label": label})
    return text


def parse_identity(workbook, problems):
    sheet = find_sheet(workbook, IDENTITY_SHEET)
    identity = {name: ("" if name not in DATE_FIELDS else None) for _key, name in IDENTITY_KEYS}
    if sheet is None:
        problems.append(_("Workbook tidak memiliki sheet “%(sheet)s”.") % {"sheet": IDENTITY_SHEET})
        return identity
    keys = {normalise(key): (key, name) for key, name in IDENTITY_KEYS}
    seen = {}
    count = 0
    for row, values in sheet_rows(sheet, problems, columns=2):
        count += 1
        if count > MAX_IDENTITY_ROWS:
            problems.append(
                _("Sheet %(sheet)s: lebih dari %(rows)s baris isian.") % {"sheet": IDENTITY_SHEET, "rows": MAX_IDENTITY_ROWS}
            )
            break
        where = _("Identitas baris %(row)s") % {"row": row}
        key_cell, value = (values + (None, None))[:2]
        key_text = cell_text(key_cell)
        if not key_text:
            problems.append(_("%(where)s: kolom kunci kosong, padahal ada isinya.") % {"where": where})
            continue
        found = keys.get(normalise(key_text))
        if found is None:
            problems.append(
                _("%(where)s: kunci %(key)s tidak dikenal; kunci yang dipakai: %(keys)s.")
                % {"where": where, "key": quoted(key_text), "keys": ", ".join(key for key, _name in IDENTITY_KEYS)}
            )
            continue
        key, name = found
        if name in seen:
            problems.append(
                _("%(where)s: %(key)s sudah diisi di baris %(first)s.") % {"where": where, "key": key, "first": seen[name]}
            )
            continue
        seen[name] = row
        if name in DATE_FIELDS:
            try:
                identity[name] = parse_tanggal(value)
            except (ValueError, TypeError, OverflowError):
                problems.append(
                    _("%(where)s: %(key)s %(value)s bukan tanggal; tulis mis. “12 Januari 2024” atau “2024-01-12”.")
                    % {"where": where, "key": key, "value": quoted(cell_text(value))}
                )
            continue
        text = text_value(value, where, key, problems, limit=FIELD_LIMITS.get(name, MAX_CELL_CHARS))
        if name in LINE_FIELDS:
            text = "\n".join(line.strip() for line in text.splitlines() if line.strip())
        elif name in FIELD_LIMITS:
            text = " ".join(text.split())
        identity[name] = text
    return identity


def parse_header(values, problems):
    """{column: index} from the header row, or None when columns are missing, unknown or repeated."""
    wanted = {normalise(column): column for column in COLUMNS}
    indexes, found = {}, []
    for index, value in enumerate(values):
        text = cell_text(value)
        if not text:
            continue
        column = wanted.get(normalise(text))
        if column is None:
            found.append(
                _("Sheet Prosedur: kolom %(column)s tidak dikenal; kolomnya harus: %(columns)s.")
                % {"column": quoted(text), "columns": " | ".join(COLUMNS)}
            )
        elif column in indexes:
            found.append(_("Sheet Prosedur: kolom %(column)s muncul dua kali.") % {"column": quoted(column)})
        else:
            indexes[column] = index
    for column in COLUMNS:
        if column not in indexes:
            found.append(
                _("Sheet Prosedur: kolom %(column)s tidak ada; baris judulnya harus: %(columns)s.")
                % {"column": quoted(column), "columns": " | ".join(COLUMNS)}
            )
    problems.extend(found)
    return None if found else indexes


def parse_step(row, values, indexes, kinds, problems):
    """One Prosedur row, its problems added to ``problems``. A row with problems is still returned
    (its unreadable values None) so the checks between rows see it; None without a readable No."""
    where = _("Baris %(row)s") % {"row": row}
    cell = lambda column: values[indexes[column]] if indexes[column] < len(values) else None  # noqa: E731
    try:
        number = parse_number(cell("No"))
    except ValueError:
        problems.append(
            _("%(where)s: No %(value)s bukan nomor langkah (bilangan bulat mulai dari 1).")
            % {"where": where, "value": quoted(cell_text(cell("No")))}
        )
        number = None
    kegiatan = text_value(cell("Kegiatan"), where, "Kegiatan", problems, required=True)
    pelaksana = " ".join(text_value(cell("Pelaksana"), where, "Pelaksana", problems, required=True, limit=200).split())
    kelengkapan = text_value(cell("Kelengkapan"), where, "Kelengkapan", problems)
    output = text_value(cell("Output"), where, "Output", problems)
    keterangan = text_value(cell("Keterangan"), where, "Keterangan", problems)
    amount = unit = None
    try:
        amount, unit = parse_waktu(cell("Waktu"))
    except ValueError as error:
        waktu = cell_text(cell("Waktu"))
        if waktu:
            problems.append(
                _("%(where)s: Waktu %(value)s tidak dapat dibaca: %(reason)s.")
                % {"where": where, "value": quoted(waktu), "reason": error}
            )
        else:
            problems.append(_("%(where)s: Waktu belum diisi (mis. “10 menit”, “2 jam”, “7 hari”).") % {"where": where})
    kind_text = cell_text(cell("Jenis"))
    kind = kinds.get(normalise(kind_text)) if kind_text else None
    if kind is None:
        if kind_text:
            problems.append(
                _("%(where)s: Jenis %(value)s tidak dikenal; pilih salah satu: %(kinds)s.")
                % {"where": where, "value": quoted(kind_text), "kinds": allowed_kinds_text()}
            )
        else:
            problems.append(
                _("%(where)s: Jenis belum diisi; pilih salah satu: %(kinds)s.") % {"where": where, "kinds": allowed_kinds_text()}
            )
    return_cell = cell("Kembali ke")
    return_to = None
    if cell_text(return_cell):
        try:
            return_to = parse_number(return_cell)
        except ValueError:
            problems.append(
                _("%(where)s: Kembali ke %(value)s bukan nomor langkah.") % {"where": where, "value": quoted(cell_text(return_cell))}
            )
    if number is None:
        return None
    return ParsedStep(
        row=row, number=number, kegiatan=kegiatan, pelaksana=pelaksana, kelengkapan=kelengkapan,
        waktu_amount=amount, waktu_unit=unit, output=output, kind=kind, return_to=return_to, keterangan=keterangan,
        return_written=bool(cell_text(return_cell)),
    )


def check_steps(steps, problems, unnumbered=0):
    """The rules between rows: numbering, the first step's kind, the returns. A value that was
    unreadable (None) is left out: its row already has its problem."""
    from .models import FIRST_KINDS, StepKind

    rows_by_number = {}
    for step in steps:
        if step.number in rows_by_number:
            problems.append(
                _("Baris %(row)s: No %(number)s sudah dipakai di baris %(first)s; setiap langkah bernomor berbeda.")
                % {"row": step.row, "number": step.number, "first": rows_by_number[step.number]}
            )
        else:
            rows_by_number[step.number] = step.row
    numbers = sorted(rows_by_number)
    if numbers and not unnumbered and numbers != list(range(1, len(numbers) + 1)):
        problems.append(
            _("Sheet Prosedur: nomor langkah harus berurutan mulai dari 1 tanpa loncatan (tertulis: %(numbers)s).")
            % {"numbers": ", ".join(str(number) for number in numbers)}
        )
    steps.sort(key=lambda step: (step.number, step.row))
    if steps and steps[0].kind is not None and steps[0].kind not in FIRST_KINDS:
        problems.append(
            _("Baris %(row)s: langkah pertama harus berjenis perintah atau isian, bukan %(kind)s.")
            % {"row": steps[0].row, "kind": steps[0].kind}
        )
    for step in steps:
        if step.kind is None or (step.return_written and step.return_to is None):
            continue
        if step.kind == StepKind.PEMERIKSAAN:
            if step.return_to is None:
                problems.append(
                    _("Baris %(row)s: langkah pemeriksaan harus mengisi Kembali ke (nomor langkah sebelumnya yang "
                      "menerima pekerjaan yang dikembalikan).") % {"row": step.row}
                )
            elif step.return_to >= step.number or step.return_to not in rows_by_number:
                problems.append(
                    _("Baris %(row)s: Kembali ke %(target)s bukan langkah sebelum langkah %(number)s.")
                    % {"row": step.row, "target": step.return_to, "number": step.number}
                )
        elif step.return_to is not None:
            problems.append(
                _("Baris %(row)s: Kembali ke hanya diisi untuk langkah pemeriksaan, bukan untuk %(kind)s.")
                % {"row": step.row, "kind": step.kind}
            )


def parse_sheets(workbook):
    """(ParsedWorkbook, problems) of an open workbook: what it says, and what is wrong in it."""
    problems = []
    identity = parse_identity(workbook, problems)
    sheet = find_sheet(workbook, PROSEDUR_SHEET)
    steps = []
    if sheet is None:
        problems.append(
            _("Workbook tidak memiliki sheet “%(sheet)s” (tabel langkah dengan kolom %(columns)s).")
            % {"sheet": PROSEDUR_SHEET, "columns": " | ".join(COLUMNS)}
        )
        return ParsedWorkbook(identity=identity, steps=steps), problems
    kinds = step_kinds()
    kinds.update({key: name for key, (name, _sop) in builtin_kinds().items()})
    rows = sheet_rows(sheet, problems)
    header = next(rows, None)
    if header is None:
        problems.append(_("Sheet Prosedur kosong: tidak ada baris judul dan langkah."))
        return ParsedWorkbook(identity=identity, steps=steps), problems
    indexes = parse_header(header[1], problems)
    if indexes is None:
        return ParsedWorkbook(identity=identity, steps=steps), problems
    count = unnumbered = 0
    for row, values in rows:
        count += 1
        if count > MAX_STEPS:
            problems.append(
                _("Sheet Prosedur: lebih dari %(max)s langkah; sebuah SOP paling banyak %(max)s langkah.")
                % {"max": MAX_STEPS}
            )
            break
        extra = [value for index, value in enumerate(values) if index not in indexes.values() and cell_text(value)]
        if extra:
            problems.append(
                _("Baris %(row)s: ada isian di luar kolom tabel (%(value)s).")
                % {"row": row, "value": quoted(cell_text(extra[0]))}
            )
        step = parse_step(row, values, indexes, kinds, problems)
        if step is None:
            unnumbered += 1
        else:
            steps.append(step)
    if count == 0:
        problems.append(_("Sheet Prosedur tidak berisi langkah: SOP harus memiliki sekurang-kurangnya satu langkah."))
    check_steps(steps, problems, unnumbered)
    return ParsedWorkbook(identity=identity, steps=steps), problems


def parse_workbook(fileobj):
    """What the workbook says, checked for its own consistency; raises WorkbookError."""
    workbook = open_workbook(read_bytes(fileobj))
    try:
        parsed, problems = parse_sheets(workbook)
    finally:
        workbook.close()
    if problems:
        raise WorkbookError(problems)
    return parsed


def read_workbook(fileobj, organisation, code=None):
    """The workbook checked against ``organisation``: its active positions, its SOPs' numbers and
    codes, and no built-in kind; raises WorkbookError listing every problem."""
    from workflows.models import Position

    from .models import SopDefinition

    workbook = open_workbook(read_bytes(fileobj))  # a file that is no workbook stops here
    try:
        parsed, problems = parse_sheets(workbook)
    finally:
        workbook.close()
    # Even with problems in the workbook's own shape, say which positions, kinds, number and code
    # the organisation refuses, so one upload shows everything there is to fix.
    steps = parsed.steps
    positions = list(Position.objects.filter(organisation=organisation, is_active=True))
    by_name = {normalise(position.name): position for position in positions}
    by_code = {normalise(position.code): position for position in positions}
    builtin = builtin_kinds()
    for step in steps:
        if step.pelaksana:  # an empty one has its problem already
            step.position = by_name.get(normalise(step.pelaksana)) or by_code.get(normalise(step.pelaksana))
            if step.position is None:
                problems.append(
                    _("Baris %(row)s: Pelaksana %(name)s bukan jabatan aktif di %(organisation)s.")
                    % {"row": step.row, "name": quoted(step.pelaksana),
                       "organisation": organisation.short_name or organisation.name}
                )
        if step.kind and normalise(step.kind) in builtin:
            name, sop = builtin[normalise(step.kind)]
            problems.append(
                _("Baris %(row)s: Jenis %(kind)s hanya berjalan di dalam SOP bawaan “%(sop)s”; untuk SOP organisasi "
                  "pilih salah satu: %(kinds)s.")
                % {"row": step.row, "kind": quoted(name), "sop": sop.name, "kinds": allowed_kinds_text()}
            )
    for key, name in IDENTITY_KEYS[:2]:  # an organisation's SOP has its Nomor SOP and Nama SOP
        if not parsed.identity[name]:
            problems.append(_("Identitas: %(key)s belum diisi.") % {"key": key})
    nomor = parsed.identity["nomor"]
    other = SopDefinition.objects.filter(organisation=organisation, nomor=nomor).first() if nomor else None
    if other is not None:
        problems.append(
            _("Identitas: Nomor SOP %(nomor)s sudah dipakai SOP %(code)s (%(name)s) di organisasi ini.")
            % {"nomor": quoted(nomor), "code": other.code, "name": other.name}
        )
    try:
        parsed.code = sop_code(organisation, parsed.identity["nama"], code)
    except ValueError as error:
        problems.append(str(error))
    if problems:
        raise WorkbookError(problems)
    return parsed


def sop_code(organisation, nama, wanted=None):
    """The code of a new SOP: ``wanted`` if given (checked), else the initials of the Nama SOP's
    significant words (e.g. "Layanan Data Kependudukan" -> "LDK"), made unique in the
    organisation and never a built-in SOP's code. ValueError with the reason."""
    from workflows.catalogue import SOPS

    from .models import CODE_PATTERN, SopDefinition

    taken = set(SopDefinition.objects.filter(organisation=organisation).values_list("code", flat=True))
    reserved = set(SOPS)
    if wanted:
        wanted = wanted.strip().upper()
        if not CODE_PATTERN.match(wanted):
            raise ValueError(_("Kode SOP %(code)s tidak sah: huruf besar, angka dan tanda hubung, 2–20 karakter.")
                             % {"code": quoted(wanted)})
        if wanted in reserved or wanted in taken:
            raise ValueError(_("Kode SOP %(code)s sudah dipakai; pilih kode lain.") % {"code": quoted(wanted)})
        return wanted
    ascii_name = unicodedata.normalize("NFKD", nama).encode("ascii", "ignore").decode().upper()
    words = [word for word in re.findall(r"[A-Z0-9]+", ascii_name) if word.casefold() not in MINOR_WORDS]
    base = "".join(word[0] for word in words)[:10]
    if len(base) < 2:
        base = (words[0][:3] if words else "SOP")
    if len(base) < 2:
        base = "SOP"
    candidate, counter = base, 1
    while candidate in taken or candidate in reserved:
        counter += 1
        candidate = f"{base}-{counter}"
    return candidate


def import_workbook(fileobj, organisation, user, *, code=None, publish=False):
    """A new SOP of ``organisation`` from the workbook: its definition and a draft version, published
    if asked. Atomic: on any problem, WorkbookError and nothing stored."""
    from workflows.models import AuditEvent

    from .models import SopDefinition, SopVersion, VersionStep, audit

    parsed = read_workbook(fileobj, organisation, code=code)
    try:
        with transaction.atomic():
            definition = SopDefinition.objects.create(
                organisation=organisation, code=parsed.code, nomor=parsed.identity["nomor"], created_by=user
            )
            version = SopVersion.objects.create(
                definition=definition, status=SopVersion.DRAFT, created_by=user, **parsed.version_fields()
            )
            VersionStep.objects.bulk_create(
                VersionStep(
                    version=version, number=step.number, key=f"k{step.number}", kegiatan=step.kegiatan,
                    position=step.position, kelengkapan=step.kelengkapan, waktu_amount=step.waktu_amount,
                    waktu_unit=step.waktu_unit, output=step.output, kind=step.kind, return_to=step.return_to,
                    keterangan=step.keterangan,
                )
                for step in parsed.steps
            )
            problems = version.problems()
            if problems:
                raise WorkbookError(problems)
            audit(AuditEvent.Action.SOP_IMPORT, user, definition, _("%(steps)s langkah") % {"steps": len(parsed.steps)})
            if publish:
                version.publish(user)
    except IntegrityError:
        # Another import or the editor took the number or the code meanwhile; anything else is a bug.
        taken = SopDefinition.objects.filter(organisation=organisation).filter(
            Q(nomor=parsed.identity["nomor"]) | Q(code=parsed.code))
        if not taken.exists():
            raise
        raise WorkbookError([_(
            "Nomor SOP atau kode SOP ini baru saja dipakai SOP lain di organisasi ini; periksa daftar SOP, lalu ulangi."
        )])
    return version


# --- writing -------------------------------------------------------------------------------


def identity_rows(identity):
    """(key, value) of the Identitas sheet, in the layout's order."""
    def text(value):
        if isinstance(value, (tuple, list)):
            return "\n".join(str(item) for item in value)
        if isinstance(value, date):
            return long_date(value)
        return str(value) if value else ""

    return [(key, text(getattr(identity, name))) for key, name in IDENTITY_KEYS]


def step_row(step):
    return (
        step.number, str(step.kegiatan), str(step.actor_label), str(step.kelengkapan or ""), step.waktu_label,
        str(step.output or ""), str(step.kind or ""), step.return_to, str(step.keterangan or ""),
    )


def put(sheet, row, column, value, *, bold=False, wrap=True):
    from openpyxl.styles import Alignment, Font

    cell = sheet.cell(row=row, column=column)
    if value is None or value == "":
        cell.value = None
    else:
        cell.value = value
        if isinstance(value, str):
            cell.data_type = "s"  # text, even when it starts with "=": never a formula
    if bold:
        cell.font = Font(bold=True)
    cell.alignment = Alignment(wrap_text=wrap, vertical="top")
    return cell


def export_workbook(sop):
    """``sop`` (a ``workflows.sops.spec.Sop``) as XLSX bytes in the table layout: in Indonesian
    whatever the officer's UI language, since the import reads that layout word for word."""
    from django.utils import translation

    with translation.override("id"):
        return _export_workbook(sop)


def _export_workbook(sop):
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = IDENTITY_SHEET
    for row, (key, value) in enumerate(identity_rows(sop.identity), start=1):
        put(sheet, row, 1, key, bold=True)
        put(sheet, row, 2, value)
    for column, width in enumerate(IDENTITY_WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width

    sheet = workbook.create_sheet(PROSEDUR_SHEET)
    for column, header in enumerate(COLUMNS, start=1):
        put(sheet, 1, column, header, bold=True)
        sheet.column_dimensions[get_column_letter(column)].width = COLUMN_WIDTHS[column - 1]
    for row, step in enumerate(sop.steps, start=2):
        for column, value in enumerate(step_row(step), start=1):
            put(sheet, row, column, value)
    sheet.freeze_panes = "A2"

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def workbook_values(data):
    """{sheet name: [row values]} of an XLSX (bytes): what "the same workbook content" compares."""
    workbook = open_workbook(data)
    try:
        return {
            sheet.title: [tuple(row) for row in sheet.iter_rows(values_only=True)]
            for sheet in workbook.worksheets
        }
    finally:
        workbook.close()


def export_filename(code, version_number=None):
    """``sop-<code>[-v<n>].xlsx``: the download's name."""
    slug = re.sub(r"[^a-z0-9-]+", "-", str(code).lower()).strip("-") or "sop"
    return f"sop-{slug}-v{version_number}.xlsx" if version_number else f"sop-{slug}.xlsx"
