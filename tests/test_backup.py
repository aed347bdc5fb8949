"""Encrypted semester backup: opens with the right password (7z tool and py7zr), never otherwise."""

import json
import re
import shutil
import stat
import subprocess
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from workflows.sops.population.backup import BackupError, backup_name, create_backup, semester_members, verify_backup
from workflows.dkb.aggregate import aggregate_file
from workflows.dkb.generator import write_dkb
from workflows.models import SopProcess
from workflows.sops.population.models import DkbUpload

PASSWORD = "Sandi-Cadangan-2025"
SEVEN_ZIP = shutil.which("7z") or ("/usr/bin/7z" if Path("/usr/bin/7z").exists() else None)
needs_7z = pytest.mark.skipif(SEVEN_ZIP is None, reason="7z (p7zip-full) is not installed; CI installs it")


@pytest.fixture(scope="module")
def extract(tmp_path_factory):
    path = tmp_path_factory.mktemp("dkb") / "dkb.csv"
    write_dkb(path, province="17", rows=2000, seed=5)
    return path


@pytest.fixture
def archive(tmp_path, extract):
    files = {"dkb/dkb-17-2025-s1-1.csv": extract, "laporan/laporan.pdf": b"%PDF-1.7 laporan uji", "catatan.txt": b"uji"}
    path, digest = create_backup(tmp_path / "backups", "cadangan-uji", files, PASSWORD)
    return path, digest, files


def test_backup_verifies_with_the_right_password(archive, extract):
    path, digest, _files = archive
    assert path.name == "cadangan-uji.7z"
    report = verify_backup(path, PASSWORD, expected_sha256=digest)
    assert {member["name"] for member in report.members} == {"dkb/dkb-17-2025-s1-1.csv", "laporan/laporan.pdf", "catatan.txt"}
    assert report.total_size == extract.stat().st_size + len(b"%PDF-1.7 laporan uji") + 3
    assert report.sha256 == digest
    assert not list(path.parent.glob("*.part"))  # no temporary file left behind


def test_member_names_are_hidden_without_the_password(archive):
    path, _digest, _files = archive
    assert b"dkb-17-2025" not in path.read_bytes()
    assert b"WARGA SINTETIS" not in path.read_bytes()


def test_wrong_password_is_a_clear_error(archive):
    path, _digest, _files = archive
    for password in ("Sandi-Salah-2025", ""):
        with pytest.raises(BackupError, match="Kata sandi salah"):
            verify_backup(path, password)


@needs_7z
def test_7z_tool_extracts_identical_files_with_the_right_password(archive, tmp_path, extract):
    path, _digest, files = archive
    out = tmp_path / "out"
    result = subprocess.run([SEVEN_ZIP, "x", f"-p{PASSWORD}", f"-o{out}", "-y", str(path)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert (out / "dkb/dkb-17-2025-s1-1.csv").read_bytes() == extract.read_bytes()
    assert (out / "laporan/laporan.pdf").read_bytes() == files["laporan/laporan.pdf"]


@needs_7z
def test_7z_tool_refuses_a_wrong_password_and_lists_nothing(archive):
    path, _digest, _files = archive
    listing = subprocess.run([SEVEN_ZIP, "l", "-pSalah-Sandi-1", str(path)], capture_output=True, text=True)
    assert listing.returncode != 0
    assert "dkb-17-2025" not in listing.stdout
    test = subprocess.run([SEVEN_ZIP, "t", "-pSalah-Sandi-1", str(path)], capture_output=True, text=True)
    assert test.returncode != 0


def test_truncated_archive_is_reported(archive, tmp_path):
    path, _digest, _files = archive
    cut = tmp_path / "terpotong.7z"
    cut.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    with pytest.raises(BackupError, match="terpotong"):
        verify_backup(cut, PASSWORD)


@pytest.mark.parametrize("where", ["data", "header", "signature"])
def test_altered_archive_is_reported(archive, tmp_path, where):
    path, digest, _files = archive
    data = bytearray(path.read_bytes())
    position = {"data": len(data) // 2, "header": len(data) - 10, "signature": 14}[where]
    data[position] ^= 0x5A
    altered = tmp_path / "berubah.7z"
    altered.write_bytes(bytes(data))
    with pytest.raises(BackupError) as caught:
        verify_backup(altered, PASSWORD)
    assert any(word in str(caught.value) for word in ("rusak", "berubah", "Kata sandi salah"))
    with pytest.raises(BackupError, match="SHA-256"):
        verify_backup(altered, PASSWORD, expected_sha256=digest)


def test_an_existing_archive_is_never_overwritten(archive):
    path, _digest, files = archive
    before = path.read_bytes()
    with pytest.raises(BackupError, match="tidak ditimpa"):
        create_backup(path.parent, "cadangan-uji.7z", {"lain.txt": b"lain"}, PASSWORD)
    assert path.read_bytes() == before
    assert not list(path.parent.glob("*.part"))


def test_unsafe_names_short_passwords_and_missing_sources_are_refused(tmp_path):
    with pytest.raises(BackupError, match="minimal"):
        create_backup(tmp_path, "a", {"x.txt": b"x"}, "pendek")
    with pytest.raises(BackupError, match="Nama arsip"):
        create_backup(tmp_path, "../keluar", {"x.txt": b"x"}, PASSWORD)
    with pytest.raises(BackupError, match="tidak sah"):
        create_backup(tmp_path, "a", {"../x.txt": b"x"}, PASSWORD)
    with pytest.raises(BackupError, match="tidak ditemukan"):
        create_backup(tmp_path, "a", {"x.csv": tmp_path / "tidak-ada.csv"}, PASSWORD)
    assert not list(tmp_path.glob("*.7z")) and not list(tmp_path.glob("*.part"))


@pytest.fixture(params=["7z", "py7zr"])
def writer(request, settings):
    """Each test runs with the 7-Zip program (when installed) and with py7zr, its fallback."""
    if request.param == "7z":
        if SEVEN_ZIP is None:
            pytest.skip("7z (p7zip-full) is not installed; CI installs it")
        settings.SEVEN_ZIP = SEVEN_ZIP
    else:
        settings.SEVEN_ZIP = ""
    return request.param


@pytest.fixture(scope="module")
def semester_extract(tmp_path_factory):
    path = tmp_path_factory.mktemp("dkb") / "dkb-semester.csv"
    write_dkb(path, province="17", rows=20_000, seed=3)
    return path


def test_archive_is_at_most_a_quarter_of_the_extract_private_and_opens_in_7z(writer, tmp_path, semester_extract):
    files = {"dkb/dkb-17-2025-s1-1.csv": semester_extract, "MANIFEST.json": b"{}"}
    path, digest = create_backup(tmp_path / "backups", "cadangan", files, PASSWORD)
    assert path.stat().st_size <= semester_extract.stat().st_size * 0.25
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert [entry.name for entry in path.parent.iterdir()] == [path.name]  # no staging folder left
    report = verify_backup(path, PASSWORD, expected_sha256=digest)
    assert report.tool == writer and report.members[0]["size"] + report.members[1]["size"] == (
        semester_extract.stat().st_size + 2)
    if SEVEN_ZIP:
        tested = subprocess.run([SEVEN_ZIP, "t", f"-p{PASSWORD}", str(path)], capture_output=True, text=True)
        assert tested.returncode == 0 and "Everything is Ok" in tested.stdout, tested.stdout + tested.stderr
        listing = subprocess.run([SEVEN_ZIP, "l", "-slt", f"-p{PASSWORD}", str(path)], capture_output=True, text=True)
        assert "Method = LZMA2" in listing.stdout and "7zAES" in listing.stdout


def flipped(path, tmp_path, position):
    data = bytearray(path.read_bytes())
    data[position] ^= 0x01
    altered = tmp_path / f"berubah-{position}.7z"
    altered.write_bytes(bytes(data))
    return altered


def places(path):
    """Offsets in every part of the archive: the signature header (version, CRC, header pointer),
    the packed members (first byte, middle, last byte), the encrypted header and the last byte."""
    size = path.stat().st_size
    header_at = 32 + int.from_bytes(path.read_bytes()[12:20], "little")
    return {"version": 7, "start-crc": 9, "next-header-size": 20, "first-data": 32, "middle": size // 2,
            "last-data": header_at - 1, "header": header_at + 3, "end": size - 1}


def test_a_flipped_bit_anywhere_is_reported_and_a_damaged_member_is_named(writer, tmp_path, extract):
    files = {"dkb/dkb-17-2025-s1-1.csv": extract, "laporan/laporan.pdf": b"%PDF-1.7 laporan uji" * 50}
    path, digest = create_backup(tmp_path / "backups", "cadangan-uji", files, PASSWORD)
    for where, position in places(path).items():
        altered = flipped(path, tmp_path, position)
        with pytest.raises(BackupError, match="SHA-256") as recorded:
            verify_backup(altered, PASSWORD, expected_sha256=digest)
        with pytest.raises(BackupError) as caught:
            verify_backup(altered, PASSWORD)
        message = str(caught.value)
        assert any(word in message for word in ("rusak", "berubah", "Kata sandi salah")), (where, message)
        if where == "middle":  # inside the extract's packed data
            assert caught.value.damaged == ["dkb/dkb-17-2025-s1-1.csv"], (where, message)
            assert "dkb/dkb-17-2025-s1-1.csv" in message and "dkb/dkb-17-2025-s1-1.csv" in str(recorded.value)
    assert verify_backup(path, PASSWORD, expected_sha256=digest).sha256 == digest


def test_appended_bytes_and_an_unknown_format_version_are_reported(archive, tmp_path):
    path, _digest, _files = archive
    longer = tmp_path / "lebih.7z"
    longer.write_bytes(path.read_bytes() + b"\0")
    with pytest.raises(BackupError, match="data tambahan"):
        verify_backup(longer, PASSWORD)
    with pytest.raises(BackupError, match="versi format"):
        verify_backup(flipped(path, tmp_path, 7), PASSWORD)


def test_a_password_with_a_line_break_is_refused(tmp_path):
    with pytest.raises(BackupError, match="baris baru"):
        create_backup(tmp_path, "a", {"x.txt": b"x"}, "Sandi-Cadangan\n2025")
    assert not list(tmp_path.iterdir())


@pytest.mark.django_db
def test_verify_command_prints_ok_and_exits_zero(archive, tmp_path):
    path, digest, _files = archive
    secret = tmp_path / "sandi.txt"
    secret.write_text(PASSWORD + "\n")
    out = StringIO()
    call_command("verify_backup", str(path), "--password-file", str(secret), "--sha256", digest, stdout=out)
    assert out.getvalue().startswith("OK")
    assert PASSWORD not in out.getvalue()


@pytest.mark.django_db
def test_verify_command_fails_with_a_message_and_no_password(archive, tmp_path):
    path, _digest, _files = archive
    secret = tmp_path / "sandi.txt"
    secret.write_text("Sandi-Salah-9999\n")
    out = StringIO()
    with pytest.raises(CommandError) as caught:
        call_command("verify_backup", str(path), "--password-file", str(secret), stdout=out)
    assert str(caught.value).startswith("GAGAL")
    assert "Sandi-Salah-9999" not in str(caught.value) + out.getvalue()


def test_verify_command_exit_code_is_non_zero_on_failure(archive, tmp_path):
    path, _digest, _files = archive
    secret = tmp_path / "sandi.txt"
    secret.write_text("Sandi-Salah-9999\n")
    result = subprocess.run(
        [str(Path(__file__).resolve().parent.parent / ".venv/bin/python"), "manage.py", "verify_backup", str(path),
         "--password-file", str(secret)],
        capture_output=True, text=True, cwd=Path(__file__).resolve().parent.parent,
        env={"DJANGO_DEBUG": "1", "PATH": "/usr/bin:/bin"},
    ) if (Path(__file__).resolve().parent.parent / ".venv/bin/python").exists() else None
    if result is None:
        pytest.skip("the project virtualenv is not at .venv")
    assert result.returncode != 0
    assert "GAGAL" in result.stderr and "Sandi-Salah-9999" not in result.stdout + result.stderr


def test_semester_members_hold_the_extract_tables_report_and_manifest(bengkulu, extract, tmp_path):
    process = SopProcess.objects.create(organisation=bengkulu.organisation, sop="A", year=2025,
                                        period_type="semester", period_number=1)
    result = aggregate_file(extract, cutoff="2025-06-30", province="17").as_dict()
    members = semester_members(process, result=result, report_pdf=b"%PDF-1.7 laporan bertanda tangan",
                               uploads=[extract])
    assert set(members) == {"dkb/dkb-17-2025-s1-1.csv", "tabel/agregat-17-2025-s1.csv", "tabel/agregat-17-2025-s1.xlsx",
                            "laporan/laporan-data-kependudukan-17-2025-s1.pdf", "MANIFEST.json"}
    manifest = json.loads(members["MANIFEST.json"])
    assert manifest["period"] == "Semester I 2025" and len(manifest["members"]) == 4
    path, _digest = create_backup(tmp_path, backup_name(process), members, PASSWORD)
    assert re.fullmatch(r"data-kependudukan-17-2025-semester-1-\d{8}-\d{6}\.7z", path.name)
    assert len(verify_backup(path, PASSWORD).members) == 5


def test_semester_members_default_to_the_unpurged_uploads(bengkulu, extract, monkeypatch):
    process = SopProcess.objects.create(organisation=bengkulu.organisation, sop="A", year=2025,
                                        period_type="semester", period_number=2)

    class Stored:
        def __init__(self, path):
            self.path = str(path)

    upload = DkbUpload(process=process, token="t", suffix=".csv", sha256="ab" * 32, size=1)
    monkeypatch.setattr(SopProcess, "dkb_uploads", property(lambda self: FakeUploads([upload])), raising=False)
    upload.__dict__["file"] = Stored(extract)
    result = aggregate_file(extract, cutoff="2025-12-31", province="17").as_dict()
    members = semester_members(process, result=result, report_pdf=b"%PDF")
    assert members["dkb/dkb-17-2025-s2-1.csv"] == Path(extract)
    assert json.loads(members["MANIFEST.json"])["members"][0]["sha256"] == "ab" * 32


class FakeUploads:
    def __init__(self, uploads):
        self.uploads = uploads

    def filter(self, **kwargs):
        assert kwargs == {"purged_at__isnull": True}
        return self.uploads
