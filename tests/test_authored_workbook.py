"""SOP workbooks (issue 9, points 5 and 6): export and import in the Permenpan table layout, the
commands, and the import/export pages. Every workbook here is built with openpyxl from invented
text; every refused import is checked to have stored nothing."""

import io
import zipfile
from datetime import date
from io import StringIO

import openpyxl
import pytest
from django.contrib.messages import get_messages
from django.core.management import call_command, execute_from_command_line
from django.core.management.base import CommandError

from workflows.authored.models import SopDefinition, SopVersion, VersionStep
from workflows.authored.workbook import (
    COLUMNS,
    MAX_STEPS,
    WorkbookError,
    export_workbook,
    import_workbook,
    parse_waktu,
    parse_workbook,
    workbook_values,
)
from workflows.catalogue import REGISTRY, SOPS
from workflows.models import Officer, Position
from workflows.reports.sop_document import review_returns
from workflows.reports.formatting import long_date

from .conftest import client_for

IDENTITY = [
    ("Nomor SOP", "800/17/LDK/2026"),
    ("Nama SOP", "Layanan Data Kependudukan"),
    ("Tanggal Pembuatan", "12 Januari 2024"),
    ("Tanggal Revisi", "2024-03-01"),
    ("Tanggal Efektif", "15-01-2024"),
    ("Disahkan oleh", "Kepala Dinas"),
    ("Dasar Hukum", "Peraturan Contoh Nomor 1 Tahun 2020\nPeraturan Contoh Nomor 2 Tahun 2021"),
    ("Kualifikasi Pelaksana", "Min D3\nMenguasai komputer"),
    ("Keterkaitan", "SOP Surat Masuk"),
    ("Peralatan/Perlengkapan", "Komputer\nPrinter"),
    ("Peringatan", "Apabila SOP tidak dilaksanakan, layanan data terlambat"),
    ("Pencatatan dan Pendataan", "Setiap permohonan dicatat dalam buku register"),
]

# No | Kegiatan | Pelaksana | Kelengkapan | Waktu | Output | Jenis | Kembali ke | Keterangan
STEPS = [
    [1, "Memberi disposisi permohonan data kepada Kasi", "Kepala Bidang", "Surat permohonan", "10 menit",
     "Disposisi", "perintah", None, None],
    [2, "Mengisi formulir layanan data", "Staf", "Formulir", "2 jam", "Formulir terisi", "isian", None, None],
    [3, "Memeriksa formulir; bila kurang dikembalikan", "Kepala Seksi", None, "1 jam", "Formulir diperiksa",
     "pemeriksaan", 2, "Dikembalikan ke Staf"],
    [4, "Menandatangani surat jawaban", "kabid", "Konsep surat", "1 Hari", "Surat jawaban", "penandatanganan",
     None, None],
    [5, "Mencatat layanan di register", "  staf ", None, " 15   Menit ", "Register", "Pencatatan", None, None],
]


def build(identity=IDENTITY, steps=STEPS, header=COLUMNS, sheets=("Identitas", "Prosedur")):
    """An XLSX (bytes) with the given Identitas rows and Prosedur rows."""
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    if "Identitas" in sheets:
        sheet = workbook.create_sheet("Identitas")
        for row in identity:
            sheet.append(list(row))
    if "Prosedur" in sheets:
        sheet = workbook.create_sheet("Prosedur")
        if header is not None:
            sheet.append(list(header))
        for row in steps:
            sheet.append(list(row))
    for name in sheets:
        if name not in ("Identitas", "Prosedur"):
            workbook.create_sheet(name)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def with_step(number, **changes):
    """STEPS with step ``number`` changed (column name -> value)."""
    steps = [list(row) for row in STEPS]
    for column, value in changes.items():
        steps[number - 1][COLUMNS.index(column.replace("_", " "))] = value
    return steps


def counts():
    return SopDefinition.objects.count(), SopVersion.objects.count(), VersionStep.objects.count()


def sop_admin(org, role="kabid"):
    user = org[role]
    Officer.objects.filter(user=user).update(is_sop_admin=True)
    return user


def refused(data, organisation, *expected):
    """Import ``data``; it must fail with every ``expected`` text among its problems, storing nothing."""
    before = counts()
    user = Officer.objects.filter(organisation=organisation).order_by("pk").first().user
    with pytest.raises(WorkbookError) as caught:
        import_workbook(io.BytesIO(data), organisation, user, publish=True)
    assert counts() == before
    problems = caught.value.problems
    for text in expected:
        assert any(text in problem for problem in problems), (text, problems)
    return problems


# --- import --------------------------------------------------------------------------------


def test_a_workbook_imports_as_a_draft_with_its_positions_times_kinds_and_returns(bengkulu):
    user = sop_admin(bengkulu)
    version = import_workbook(io.BytesIO(build()), bengkulu.organisation, user)
    definition = version.definition
    assert (definition.code, definition.nomor, definition.organisation) == ("LDK", "800/17/LDK/2026", bengkulu.organisation)
    assert version.status == SopVersion.DRAFT and version.number is None
    assert version.tanggal_pembuatan == date(2024, 1, 12) and version.tanggal_efektif == date(2024, 1, 15)
    assert version.tanggal_revisi is None  # informational: publishing sets it
    assert version.lines("dasar_hukum") == ("Peraturan Contoh Nomor 1 Tahun 2020", "Peraturan Contoh Nomor 2 Tahun 2021")
    steps = version.ordered_steps
    positions = {p.code: p for p in Position.objects.filter(organisation=bengkulu.organisation)}
    assert [(s.number, s.key, s.position, s.waktu_amount, s.waktu_unit, s.kind, s.return_to) for s in steps] == [
        (1, "k1", positions["kabid"], 10, "menit", "perintah", None),
        (2, "k2", positions["staf"], 2, "jam", "isian", None),
        (3, "k3", positions["kasi"], 1, "jam", "pemeriksaan", 2),
        (4, "k4", positions["kabid"], 1, "hari", "penandatanganan", None),  # by the position's code
        (5, "k5", positions["staf"], 15, "menit", "pencatatan", None),  # case and spaces ignored
    ]
    assert steps[2].keterangan == "Dikembalikan ke Staf" and steps[2].kelengkapan == ""
    assert version.problems() == []


def test_publish_on_import_numbers_version_one_and_codes_stay_unique(bengkulu):
    user = sop_admin(bengkulu)
    version = import_workbook(io.BytesIO(build()), bengkulu.organisation, user, publish=True)
    assert version.status == SopVersion.PUBLISHED and version.number == 1
    second = [("Nomor SOP", "800/17/LDK/2027"), ("Nama SOP", "Layanan Data Kependudukan")]
    again = import_workbook(io.BytesIO(build(identity=second)), bengkulu.organisation, user)
    assert again.definition.code == "LDK-2"
    single = [("Nomor SOP", "800/1"), ("Nama SOP", "Pengarsipan")]
    assert import_workbook(io.BytesIO(build(identity=single)), bengkulu.organisation, user).definition.code == "PEN"


def test_identity_keys_and_dates_are_read_loosely(bengkulu):
    identity = [("  nomor sop: ", "800/9"), ("NAMA SOP", "Layanan Surat"), ("tanggal pembuatan", date(2023, 5, 2)),
                ("Tanggal Efektif", "2 Mei 2023"), ("Peralatan / Perlengkapan", "Komputer\n\n  Printer  ")]
    version = import_workbook(io.BytesIO(build(identity=identity)), bengkulu.organisation, sop_admin(bengkulu))
    assert (version.definition.nomor, version.nama) == ("800/9", "Layanan Surat")
    assert version.tanggal_pembuatan == date(2023, 5, 2) == version.tanggal_efektif
    assert version.peralatan == "Komputer\nPrinter"


@pytest.mark.parametrize("text, expected", [
    ("10 menit", (10, "menit")), ("2 jam", (2, "jam")), ("7 hari", (7, "hari")), ("1 Hari", (1, "hari")),
    ("  30   Menit ", (30, "menit")), ("2jam", (2, "jam")),
])
def test_waktu_is_read_as_the_sops_write_it(text, expected):
    assert parse_waktu(text) == expected


WAKTU_CASES = ["sebentar", "0 menit", "-1 jam", "2,5 jam", "2.5 jam", "10", "10 minggu", "jam 2"]


@pytest.mark.parametrize("waktu", WAKTU_CASES)
def test_an_unreadable_waktu_is_refused_with_its_row_and_value(bengkulu, waktu):
    problems = refused(build(steps=with_step(2, Waktu=waktu)), bengkulu.organisation, f"Baris 3: Waktu “{waktu}”")
    assert len(problems) == 1


def test_zero_time_says_it_must_be_more_than_zero(bengkulu):
    refused(build(steps=with_step(2, Waktu="0 menit")), bengkulu.organisation, "waktu harus lebih dari nol")


VALIDATION_CASES = {
    "no steps": (dict(steps=[]), ["Sheet Prosedur tidak berisi langkah"]),
    "no Pelaksana": (dict(steps=with_step(2, Pelaksana=None)), ["Baris 3: Pelaksana belum diisi."]),
    "unknown position": (
        dict(steps=with_step(3, Pelaksana="Kepala Gudang")),
        ["Baris 4: Pelaksana “Kepala Gudang” bukan jabatan aktif di BKL."],
    ),
    "return to a later step": (
        dict(steps=with_step(3, Kembali_ke=4)), ["Baris 4: Kembali ke 4 bukan langkah sebelum langkah 3."]
    ),
    "return to itself": (dict(steps=with_step(3, Kembali_ke=3)), ["Baris 4: Kembali ke 3 bukan langkah sebelum langkah 3."]),
    "return to no step": (dict(steps=with_step(3, Kembali_ke=0)), ["Baris 4: Kembali ke “0” bukan nomor langkah."]),
    "pemeriksaan without a return": (
        dict(steps=with_step(3, Kembali_ke=None)), ["Baris 4: langkah pemeriksaan harus mengisi Kembali ke"]
    ),
    "return on another kind": (
        dict(steps=with_step(2, Kembali_ke=1)),
        ["Baris 3: Kembali ke hanya diisi untuk langkah pemeriksaan, bukan untuk isian."],
    ),
    "duplicate numbers": (
        dict(steps=with_step(3, No=2)),
        ["Baris 4: No 2 sudah dipakai di baris 3", "berurutan mulai dari 1 tanpa loncatan (tertulis: 1, 2, 4, 5)"],
    ),
    "a gap in the numbers": (
        dict(steps=[row for row in STEPS if row[0] != 4]), ["berurutan mulai dari 1 tanpa loncatan (tertulis: 1, 2, 3, 5)"]
    ),
    "first step a pemeriksaan": (
        dict(steps=[[1, "Memeriksa", "Kepala Seksi", None, "1 jam", None, "pemeriksaan", None, None]]),
        ["Baris 2: langkah pertama harus berjenis perintah atau isian, bukan pemeriksaan."],
    ),
    "first step a penandatanganan": (
        dict(steps=[[1, "Menandatangani", "Kepala Dinas", None, "1 jam", None, "penandatanganan", None, None]]),
        ["Baris 2: langkah pertama harus berjenis perintah atau isian, bukan penandatanganan."],
    ),
    "no Prosedur sheet": (dict(sheets=("Identitas", "Lembar1")), ["Workbook tidak memiliki sheet “Prosedur”"]),
    "an extra column": (
        dict(header=(*COLUMNS, "Catatan"), steps=[[*row, "x"] for row in STEPS]),
        ["Sheet Prosedur: kolom “Catatan” tidak dikenal"],
    ),
    "a missing column": (
        dict(header=[c for c in COLUMNS if c != "Waktu"], steps=[row[:4] + row[5:] for row in STEPS]),
        ["Sheet Prosedur: kolom “Waktu” tidak ada"],
    ),
    "a column twice": (dict(header=(*COLUMNS[:-1], "Output")), ["Sheet Prosedur: kolom “Output” muncul dua kali."]),
    "an unknown kind": (dict(steps=with_step(2, Jenis="rapat")), ["Baris 3: Jenis “rapat” tidak dikenal"]),
    "a built-in kind": (
        dict(steps=with_step(2, Jenis="bawaan: agregasi data kependudukan")),
        ["Baris 3: Jenis “bawaan: agregasi data kependudukan” hanya berjalan di dalam SOP bawaan"],
    ),
    "no Kegiatan": (dict(steps=with_step(4, Kegiatan="   ")), ["Baris 5: Kegiatan belum diisi."]),
    "a bad No": (dict(steps=with_step(4, No="empat")), ["Baris 5: No “empat” bukan nomor langkah"]),
    "a bad date": (
        dict(identity=[*IDENTITY[:2], ("Tanggal Efektif", "kemarin")]),
        ["Identitas baris 3: Tanggal Efektif “kemarin” bukan tanggal"],
    ),
    "an impossible date": (
        dict(identity=[*IDENTITY[:2], ("Tanggal Efektif", "31-02-2024")]), ["Tanggal Efektif “31-02-2024” bukan tanggal"]
    ),
    "an unknown identity key": (
        dict(identity=[*IDENTITY, ("Penanggung Jawab", "x")]), ["Identitas baris 13: kunci “Penanggung Jawab” tidak dikenal"]
    ),
    "no Nama SOP": (dict(identity=IDENTITY[:1]), ["Identitas: Nama SOP belum diisi."]),
    "no Identitas sheet": (dict(sheets=("Prosedur",)), ["Workbook tidak memiliki sheet “Identitas”"]),
    "a cell too long": (dict(steps=with_step(2, Kegiatan="x" * 6000)), ["Baris 3: isi Kegiatan terlalu panjang"]),
    "too many steps": (
        dict(steps=[[n, f"Langkah {n}", "Staf", None, "1 jam", None, "isian", None, None] for n in range(1, MAX_STEPS + 2)]),
        [f"lebih dari {MAX_STEPS} langkah"],
    ),
}


@pytest.mark.parametrize("case", VALIDATION_CASES)
def test_each_problem_has_its_message_and_nothing_is_imported(bengkulu, case):
    changes, expected = VALIDATION_CASES[case]
    refused(build(**changes), bengkulu.organisation, *expected)


def test_every_problem_is_listed_not_only_the_first(bengkulu):
    steps = with_step(2, Waktu="sebentar", Pelaksana="Juru Parkir")
    steps[3][COLUMNS.index("Jenis")] = "rapat"
    problems = refused(build(steps=steps), bengkulu.organisation,
                       "Baris 3: Waktu “sebentar”", "Baris 3: Pelaksana “Juru Parkir”", "Baris 5: Jenis “rapat”")
    assert len(problems) == 3


def test_a_sop_number_already_used_in_the_organisation_is_refused(bengkulu, sumbar):
    user = sop_admin(bengkulu)
    import_workbook(io.BytesIO(build()), bengkulu.organisation, user)
    other_name = [("Nomor SOP", "800/17/LDK/2026"), ("Nama SOP", "Layanan Lain")]
    refused(build(identity=other_name), bengkulu.organisation,
            "Identitas: Nomor SOP “800/17/LDK/2026” sudah dipakai SOP LDK (Layanan Data Kependudukan) di organisasi ini.")
    # Another organisation has its own numbers.
    assert import_workbook(io.BytesIO(build()), sumbar.organisation, sop_admin(sumbar)).definition.nomor == "800/17/LDK/2026"


def test_an_inactive_position_is_unknown(bengkulu):
    Position.objects.create(organisation=bengkulu.organisation, name="Operator Layanan", code="operator", is_active=False)
    refused(build(steps=with_step(2, Pelaksana="Operator Layanan")), bengkulu.organisation,
            "Baris 3: Pelaksana “Operator Layanan” bukan jabatan aktif")
    Position.objects.filter(code="operator").update(is_active=True)
    version = import_workbook(io.BytesIO(build(steps=with_step(2, Pelaksana="operator layanan"))),
                              bengkulu.organisation, sop_admin(bengkulu))
    assert version.ordered_steps[1].position.code == "operator"


def test_another_organisations_position_is_unknown(bengkulu, sumbar):
    Position.objects.create(organisation=sumbar.organisation, name="Operator Layanan", code="operator")
    refused(build(steps=with_step(2, Pelaksana="Operator Layanan")), bengkulu.organisation,
            "Baris 3: Pelaksana “Operator Layanan” bukan jabatan aktif di BKL.")


def xls_bytes():
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 2000


def zip_without_workbook():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("isi.txt", "bukan workbook")
    return buffer.getvalue()


@pytest.mark.parametrize("data, expected", [
    (b"No;Kegiatan;Pelaksana\n1;Memberi disposisi;Kepala Bidang\n", "bukan workbook XLSX"),
    (xls_bytes(), "Excel 97-2003 (.xls)"),
    (zip_without_workbook(), "bukan workbook XLSX"),
    (b"PK\x03\x04 rusak", "bukan workbook XLSX"),
    (b"", "Berkas kosong"),
])
def test_a_file_that_is_not_xlsx_is_refused(bengkulu, data, expected):
    refused(data, bengkulu.organisation, expected)


def test_a_zip_that_inflates_too_far_is_not_opened(bengkulu):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/sharedStrings.xml", b"\0" * (110 * 1024 * 1024))
    assert len(buffer.getvalue()) < 1024 * 1024
    refused(buffer.getvalue(), bengkulu.organisation, "terlalu besar untuk dibaca")


def test_formulas_are_never_evaluated(bengkulu):
    """A formula cell gives its cached value (openpyxl writes none), never a computed one."""
    steps = with_step(2, Kegiatan="=CONCATENATE(\"Meng\",\"isi\")", Waktu="=1+1")
    refused(build(steps=steps), bengkulu.organisation, "Baris 3: Kegiatan belum diisi.", "Baris 3: Waktu belum diisi")


def test_exported_text_that_starts_with_equals_stays_text(bengkulu):
    version = import_workbook(io.BytesIO(build()), bengkulu.organisation, sop_admin(bengkulu))
    VersionStep.objects.filter(version=version, number=2).update(kegiatan="=SUM(A1:A9) bukan rumus")
    version = SopVersion.objects.get(pk=version.pk)
    data = export_workbook(version.as_sop())
    sheet = openpyxl.load_workbook(io.BytesIO(data))["Prosedur"]
    assert sheet["B3"].value == "=SUM(A1:A9) bukan rumus" and sheet["B3"].data_type == "s"


# --- export and round trip ---------------------------------------------------------------


def test_export_layout(bengkulu):
    version = import_workbook(io.BytesIO(build()), bengkulu.organisation, sop_admin(bengkulu), publish=True)
    workbook = openpyxl.load_workbook(io.BytesIO(export_workbook(version.as_sop())))
    assert workbook.sheetnames == ["Identitas", "Prosedur"]
    identity, prosedur = workbook["Identitas"], workbook["Prosedur"]
    assert [cell.value for cell in prosedur[1]] == list(COLUMNS)
    assert all(cell.font.bold for cell in prosedur[1]) and all(row[0].font.bold for row in identity.iter_rows())
    assert prosedur.freeze_panes == "A2"
    assert prosedur.column_dimensions["B"].width > 40 and prosedur["B2"].alignment.wrap_text
    assert [prosedur.cell(row=row, column=5).value for row in range(2, 7)] == ["10 menit", "2 jam", "1 jam", "1 hari", "15 menit"]
    values = dict(identity.iter_rows(values_only=True))
    assert values["Tanggal Pembuatan"] == "12 Januari 2024" and values["Tanggal Efektif"] == "15 Januari 2024"
    assert values["Tanggal Revisi"] == long_date(version.tanggal_revisi)
    assert values["Dasar Hukum"] == "Peraturan Contoh Nomor 1 Tahun 2020\nPeraturan Contoh Nomor 2 Tahun 2021"


def test_round_trip_of_an_authored_sop(bengkulu, sumbar):
    """Export, import (into another organisation: the number is the first one's), export: same cells."""
    first = import_workbook(io.BytesIO(build()), bengkulu.organisation, sop_admin(bengkulu), publish=True)
    exported = export_workbook(first.as_sop())
    second = import_workbook(io.BytesIO(exported), sumbar.organisation, sop_admin(sumbar), publish=True)
    again = export_workbook(second.as_sop())
    assert workbook_values(again) == workbook_values(exported)
    assert len(workbook_values(exported)["Prosedur"]) == len(STEPS) + 1


def test_round_trip_of_a_draft_normalises_only_tanggal_revisi(bengkulu, sumbar):
    first = import_workbook(io.BytesIO(build()), bengkulu.organisation, sop_admin(bengkulu), publish=True)
    exported = workbook_values(export_workbook(first.as_sop()))
    draft = import_workbook(io.BytesIO(export_workbook(first.as_sop())), sumbar.organisation, sop_admin(sumbar))
    again = workbook_values(export_workbook(draft.as_sop()))
    assert again["Prosedur"] == exported["Prosedur"]
    differing = [a for a, b in zip(exported["Identitas"], again["Identitas"]) if a != b]
    assert [row[0] for row in differing] == ["Tanggal Revisi"] and dict(again["Identitas"])["Tanggal Revisi"] is None


@pytest.mark.parametrize("code", list(SOPS))
def test_built_in_sops_export_to_the_layout_and_read_back_the_same(code):
    sop = SOPS[code]
    exported = export_workbook(sop)
    values = workbook_values(exported)
    rows = values["Prosedur"]
    assert rows[0] == COLUMNS and len(rows) == len(sop.steps) + 1
    assert [row[6] for row in rows[1:]] == [step.kind for step in sop.steps]
    assert {row[0]: row[7] for row in rows[1:] if row[7] is not None} == review_returns(sop)
    assert dict(values["Identitas"])["Nama SOP"] == sop.identity.nama
    again = export_workbook(parse_workbook(io.BytesIO(exported)).as_sop())
    assert workbook_values(again) == values


def test_every_built_in_step_has_a_kind_and_the_reviews_return_as_the_flows_do():
    from workflows.authored.models import StepKind

    for sop in REGISTRY:
        special = sop.module("definition").BUILTIN_KINDS
        assert special and all(name.startswith("bawaan: ") for name in special)
        for step in sop.steps:
            assert step.kind in StepKind.values or step.kind in special, (sop.code, step.number, step.kind)
            assert (step.kind == StepKind.PEMERIKSAAN) == (step.number in review_returns(sop)), (sop.code, step.number)
        assert {s.number: s.return_to for s in sop.steps if s.return_to is not None} == review_returns(sop)


@pytest.mark.parametrize("code", list(SOPS))
def test_importing_a_built_in_sops_workbook_is_refused_at_its_special_steps(bengkulu, code):
    sop = SOPS[code]
    special = [step for step in sop.steps if step.kind.startswith("bawaan: ")]
    problems = refused(export_workbook(sop), bengkulu.organisation,
                       *(f"Baris {step.number + 1}: Jenis “{step.kind}” hanya berjalan di dalam SOP bawaan “{sop.name}”"
                         for step in special))
    assert problems


# --- commands ------------------------------------------------------------------------------


@pytest.fixture
def workbook_file(tmp_path):
    path = tmp_path / "sop-layanan.xlsx"
    path.write_bytes(build())
    return path


def test_import_command_publishes_and_prints_code_and_version(bengkulu, workbook_file):
    sop_admin(bengkulu)
    out = StringIO()
    call_command("import_sop", str(workbook_file), "--organisation", "BKL", "--publish", stdout=out)
    assert out.getvalue().strip() == "SOP LDK versi 1 diterbitkan."
    definition = SopDefinition.objects.get(organisation=bengkulu.organisation)
    assert definition.latest_published().number == 1 and definition.created_by == bengkulu["kabid"]


def test_import_command_stores_a_draft_without_publish(bengkulu, workbook_file):
    sop_admin(bengkulu)
    out = StringIO()
    call_command("import_sop", str(workbook_file), "--organisation", "bkl", stdout=out)
    assert out.getvalue().strip() == "SOP LDK disimpan sebagai draf."
    assert SopDefinition.objects.get().draft() is not None


def test_import_command_lists_the_problems_and_stores_nothing(bengkulu, tmp_path):
    sop_admin(bengkulu)
    path = tmp_path / "salah.xlsx"
    path.write_bytes(build(steps=with_step(2, Waktu="sebentar", Pelaksana="Juru Parkir")))
    err = StringIO()
    before = counts()
    with pytest.raises(CommandError, match="Impor dibatalkan: 2 masalah; tidak ada yang disimpan."):
        call_command("import_sop", str(path), "--organisation", "BKL", "--publish", stderr=err)
    assert err.getvalue().splitlines() == [
        "Baris 3: Waktu “sebentar” tidak dapat dibaca: tulis bilangan bulat positif dan satuannya (menit, jam atau "
        "hari), mis. “10 menit”, “2 jam”, “7 hari”.",
        "Baris 3: Pelaksana “Juru Parkir” bukan jabatan aktif di BKL.",
    ]
    assert counts() == before


@pytest.mark.django_db(transaction=True)  # the command line closes the database connections
def test_import_command_exits_non_zero_from_the_command_line(bengkulu, tmp_path, capsys):
    sop_admin(bengkulu)
    path = tmp_path / "data.csv.xlsx"
    path.write_bytes(b"No;Kegiatan\n1;Memberi disposisi\n")
    with pytest.raises(SystemExit) as exit_:
        execute_from_command_line(["manage.py", "import_sop", str(path), "--organisation", "BKL"])
    assert exit_.value.code != 0
    assert "bukan workbook XLSX" in capsys.readouterr().err
    assert counts() == (0, 0, 0)


@pytest.mark.parametrize("args, message", [
    (["--organisation", "TIDAKADA"], "Organisasi 'TIDAKADA' tidak ditemukan"),
    (["--organisation", "SBR"], "SBR belum memiliki administrator SOP"),
    (["--organisation", "BKL", "--user", "sbr.kabid"], "bukan pegawai BKL"),
])
def test_import_command_refuses_an_unknown_organisation_or_author(bengkulu, sumbar, workbook_file, args, message):
    sop_admin(bengkulu)
    with pytest.raises(CommandError, match=message):
        call_command("import_sop", str(workbook_file), *args, stdout=StringIO(), stderr=StringIO())
    assert counts() == (0, 0, 0)


def test_export_command_writes_built_in_and_authored_sops(bengkulu, tmp_path):
    version = import_workbook(io.BytesIO(build()), bengkulu.organisation, sop_admin(bengkulu), publish=True)
    for code in SOPS:
        out = tmp_path / f"sop-{code}.xlsx"
        stdout = StringIO()
        call_command("export_sop", code, "--organisation", "BKL", "--out", str(out), stdout=stdout)
        assert workbook_values(out.read_bytes()) == workbook_values(export_workbook(SOPS[code]))
        assert f"ditulis ke {out}" in stdout.getvalue()
    out = tmp_path / "ldk.xlsx"
    stdout = StringIO()
    call_command("export_sop", "ldk", "--organisation", "BKL", "--out", str(out), stdout=stdout)
    assert "SOP LDK versi 1 ditulis" in stdout.getvalue()
    assert workbook_values(out.read_bytes()) == workbook_values(export_workbook(version.as_sop()))


@pytest.mark.parametrize("code, org, message", [
    ("TIDAKADA", "BKL", "SOP 'TIDAKADA' tidak dikenal di BKL"),
    ("LDK", "SBR", "SOP 'LDK' tidak dikenal di SBR"),  # another organisation's SOP
    ("LDK", "XYZ", "Organisasi 'XYZ' tidak ditemukan"),
])
def test_export_command_refuses_an_unknown_sop_or_organisation(bengkulu, sumbar, tmp_path, code, org, message):
    import_workbook(io.BytesIO(build()), bengkulu.organisation, sop_admin(bengkulu))
    out = tmp_path / "x.xlsx"
    with pytest.raises(CommandError, match=message):
        call_command("export_sop", code, "--organisation", org, "--out", str(out), stdout=StringIO())
    assert not out.exists()


# --- pages ---------------------------------------------------------------------------------


def upload(data, name="sop.xlsx"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def test_import_page_form_and_success(bengkulu):
    client = client_for(sop_admin(bengkulu))
    page = client.get("/sop-organisasi/impor/")
    assert page.status_code == 200
    text = page.content.decode()
    assert 'type="file"' in text and "Langsung terbitkan" in text and 'enctype="multipart/form-data"' in text
    response = client.post("/sop-organisasi/impor/", {"workbook": upload(build()), "publish": "on"})
    definition = SopDefinition.objects.get(organisation=bengkulu.organisation)
    assert response.status_code == 302 and response["Location"] == f"/sop-organisasi/{definition.pk}/"
    assert definition.latest_published().number == 1
    assert [str(message) for message in get_messages(response.wsgi_request)] == ["SOP LDK versi 1 diterbitkan."]
    assert client.get(response["Location"]).status_code == 200


def test_import_page_shows_every_problem_and_stores_nothing(bengkulu, settings):
    client = client_for(sop_admin(bengkulu))
    before = counts()
    steps = with_step(2, Waktu="-1 jam")
    steps[2][COLUMNS.index("Kembali ke")] = 5
    response = client.post("/sop-organisasi/impor/", {"workbook": upload(build(steps=steps))})
    assert response.status_code == 200 and counts() == before
    text = response.content.decode()
    assert "Workbook tidak diimpor: ada 2 masalah. Tidak ada yang disimpan." in text
    assert "Baris 3: Waktu “-1 jam” tidak dapat dibaca" in text
    assert "Baris 4: Kembali ke 5 bukan langkah sebelum langkah 3." in text
    # The upload is read in memory and never stored.
    assert [path for path in settings.PRIVATE_STORAGE_DIR.rglob("*") if path.is_file()] == []


def test_import_page_refuses_a_non_xlsx_upload(bengkulu):
    client = client_for(sop_admin(bengkulu))
    response = client.post("/sop-organisasi/impor/", {"workbook": upload(xls_bytes(), "sop.xls")})
    assert response.status_code == 200 and "Excel 97-2003 (.xls)" in response.content.decode()
    assert counts() == (0, 0, 0)


def test_import_page_refuses_a_workbook_over_its_size_limit(bengkulu, settings):
    settings.SOPFLOW_SOP_WORKBOOK_MAX_MB = 0.01  # about 10 KB
    client = client_for(sop_admin(bengkulu))
    response = client.post("/sop-organisasi/impor/", {"workbook": upload(b"PK\x03\x04" + bytes(range(256)) * 100)})
    assert response.status_code == 200 and "Berkas terlalu besar" in response.content.decode()
    assert counts() == (0, 0, 0)


def test_only_sop_administrators_may_import(bengkulu, outsider):
    before = counts()
    for method in ("get", "post"):
        client = client_for(bengkulu["kabid"])  # an officer, not a SOP administrator
        response = getattr(client, method)("/sop-organisasi/impor/", *([{"workbook": upload(build())}] if method == "post" else []))
        assert response.status_code == 403, method
        assert "Hanya administrator SOP organisasi yang dapat mengimpor SOP." in response.content.decode()
    assert client_for(outsider).get("/sop-organisasi/impor/").status_code == 404
    from django.test import Client

    assert Client().get("/sop-organisasi/impor/").status_code == 302  # to the login page
    assert counts() == before


def test_export_pages(bengkulu, sumbar, outsider):
    version = import_workbook(io.BytesIO(build()), bengkulu.organisation, sop_admin(bengkulu), publish=True)
    pk = version.definition.pk
    officer = client_for(bengkulu["staf"])  # any officer of the organisation
    response = officer.get(f"/sop-organisasi/{pk}/ekspor.xlsx")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert 'filename="sop-ldk-v1.xlsx"' in response["Content-Disposition"]
    assert workbook_values(response.content) == workbook_values(export_workbook(version.as_sop()))
    assert officer.get(f"/sop-organisasi/{pk}/ekspor.xlsx?versi=1").status_code == 200
    assert officer.get(f"/sop-organisasi/{pk}/ekspor.xlsx?versi=2").status_code == 404
    assert officer.get(f"/sop-organisasi/{pk}/ekspor.xlsx?versi=x").status_code == 404
    assert client_for(sumbar["kabid"]).get(f"/sop-organisasi/{pk}/ekspor.xlsx").status_code == 404
    assert client_for(outsider).get(f"/sop-organisasi/{pk}/ekspor.xlsx").status_code == 404
    for code, sop in SOPS.items():
        response = client_for(sumbar["staf"]).get(f"/sop-bawaan/{code}/ekspor.xlsx")
        assert response.status_code == 200 and workbook_values(response.content) == workbook_values(export_workbook(sop))
        assert client_for(outsider).get(f"/sop-bawaan/{code}/ekspor.xlsx").status_code == 404
    assert officer.get("/sop-bawaan/ZZ/ekspor.xlsx").status_code == 404


def test_a_draft_exports_until_a_version_is_published(bengkulu):
    version = import_workbook(io.BytesIO(build()), bengkulu.organisation, sop_admin(bengkulu))
    response = client_for(bengkulu["staf"]).get(f"/sop-organisasi/{version.definition.pk}/ekspor.xlsx")
    assert response.status_code == 200 and 'filename="sop-ldk.xlsx"' in response["Content-Disposition"]
    assert dict(workbook_values(response.content)["Identitas"])["Tanggal Revisi"] is None


def test_a_sheet_claiming_a_million_rows_is_read_only_so_far(bengkulu):
    workbook = openpyxl.load_workbook(io.BytesIO(build()))
    workbook["Prosedur"].cell(row=1_000_000, column=2, value="Langkah tersembunyi")
    buffer = io.BytesIO()
    workbook.save(buffer)
    refused(buffer.getvalue(), bengkulu.organisation, "Sheet Prosedur: lebih dari 5000 baris; sisanya tidak dibaca.")
