"""SOP A step 9: the semester's data as ONE AES-256 encrypted, LZMA2-compressed 7z archive.

Header encryption is on, so without the password not even the member names show. The archive
is written by the 7-Zip program (``settings.SEVEN_ZIP``: multithreaded LZMA2, non-solid so that
damage stays in one member) and, where it is not installed, by py7zr in-process (single-threaded
LZMA2: the same format, about twice the wall time on two cores). The password reaches 7-Zip on
its standard input, never on its command line. Members are hard-linked (or copied) under their
archive names into a private staging folder in the destination folder, whose name carries the
temporary mark so that the sweep removes what a crash leaves. The written archive (0600) is
checked (structure, decrypted header, every member and its size), then linked into place:
atomic, and never over an existing archive.

``verify_backup`` checks the signature header (magic, version, CRCs, size), decrypts every member
and checks its CRC (``7z t`` when 7-Zip is installed, py7zr otherwise) and, when given, the SHA-256
recorded when the archive was made: it names each damaged member. Every failure is a
``BackupError`` with an Indonesian message. Passwords are never logged or stored.

Coverage, measured by flipping one bit at every offset of a small archive: with 7-Zip every flip
is reported even without the SHA-256 (7-Zip checks the header's CRC and the whole of every
packed stream). py7zr alone does neither for the encrypted header: in an archive py7zr wrote, 18
of 635 offsets (times and attributes in the header) passed; the recorded SHA-256, which
``verify_backup`` the command looks up in the database, catches those too.
"""

import hashlib
import json
import logging
import os
import re
import secrets
import shutil
import struct
import subprocess
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from workflows.stored_files import TEMPORARY_MARK

logger = logging.getLogger(__name__)

SIGNATURE = b"7z\xbc\xaf\x27\x1c"
# (major, minor) format versions 7-Zip and py7zr write; a single flipped bit in 0.4 is none of them.
VERSIONS = {(0, 2), (0, 3), (0, 4)}
MIN_PASSWORD = 8
SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
CHUNK = 1024 * 1024
# LZMA2 level 1 ("fastest"): 18 % of a DKB extract's size; level 3 gains half a point for twice
# the CPU. py7zr's preset 1 is the same codec and level.
SEVEN_ZIP_WRITE = ("-t7z", "-mhe=on", "-ms=off", "-m0=LZMA2", "-mx1", "-mmt", "-spd")
PY7ZR_PRESET = 1
SEVEN_ZIP_TIMEOUT = 3600  # seconds; a stuck 7-Zip must not hold the request forever


class BackupError(Exception):
    """The backup could not be written or verified; ``str(error)`` is an Indonesian message.
    ``damaged`` names the members whose content failed its check."""

    def __init__(self, message, damaged=()):
        super().__init__(message)
        self.damaged = list(damaged)


@dataclass
class BackupReport:
    path: Path
    sha256: str
    size: int
    members: list = field(default_factory=list)  # [{"name", "size", "crc32"}]
    tool: str = ""  # "7z" or "py7zr": what tested the members

    @property
    def total_size(self):
        return sum(member["size"] for member in self.members)


def seven_zip():
    """The 7-Zip program to use, or None for py7zr."""
    tool = getattr(settings, "SEVEN_ZIP", "")
    return tool if tool and Path(tool).exists() else None


def _check_arcname(arcname):
    parts = Path(arcname).parts
    if (not parts or Path(arcname).is_absolute() or ".." in parts or "\\" in arcname
            or any(part.startswith("-") for part in parts)):
        raise BackupError(_("Nama berkas dalam arsip tidak sah: %(name)s") % {"name": arcname})


def _check_password(password):
    if not password or len(password) < MIN_PASSWORD:
        raise BackupError(_("Kata sandi arsip minimal %(n)s karakter.") % {"n": MIN_PASSWORD})
    if any(ord(character) < 32 for character in password):
        raise BackupError(_("Kata sandi arsip tidak boleh berisi baris baru atau karakter kendali."))


def _sha256_file(path):
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(CHUNK), b""):
            digest.update(block)
    return digest.hexdigest()


def _fsync(path):
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    except OSError:
        pass  # some file systems cannot sync a directory; the archive itself is synced
    finally:
        os.close(descriptor)


def _run_7z(tool, arguments, password_lines, cwd=None):
    """Run 7-Zip with the password on its standard input (it prompts for it)."""
    environment = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"}
    try:
        return subprocess.run([tool, *arguments], input="".join(f"{password}\n" for password in password_lines),
                              cwd=cwd, env=environment, capture_output=True, text=True, timeout=SEVEN_ZIP_TIMEOUT)
    except (OSError, subprocess.TimeoutExpired) as error:
        logger.warning("7-Zip could not run: %s", type(error).__name__)
        raise BackupError(_("Program 7-Zip tidak dapat dijalankan atau tidak selesai; arsip tidak dibuat.")) from None


def _stage(files, staging):
    """Put every member under its archive name in ``staging`` (0700 folders, 0600 files)."""
    for arcname, source in files.items():
        target = staging / arcname
        target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        if isinstance(source, (bytes, bytearray, memoryview)):
            descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(source)
            continue
        try:
            os.link(source, target)  # no copy of a 200 MB extract when on the same file system
        except FileNotFoundError:
            raise BackupError(_("Berkas sumber tidak ditemukan: %(name)s") % {"name": Path(source).name}) from None
        except OSError:
            shutil.copyfile(source, target)
            os.chmod(target, 0o600)


def _write_7z(tool, files, password, written, staging):
    members = staging / "isi"
    members.mkdir(mode=0o700)
    _stage(files, members)
    result = _run_7z(tool, ["a", "-p", *SEVEN_ZIP_WRITE, "-bso0", "-bsp0", "--", str(written), *files],
                     [password, password], cwd=members)
    if result.returncode != 0 or not written.is_file():
        logger.warning("7-Zip exited with %s: %s", result.returncode, result.stderr.strip()[-500:])
        raise BackupError(_("Program 7-Zip gagal menulis arsip (kode %(code)s); arsip tidak dibuat.")
                          % {"code": result.returncode})


def _write_py7zr(files, password, written):
    import py7zr
    from py7zr import FILTER_CRYPTO_AES256_SHA256, FILTER_LZMA2

    filters = [{"id": FILTER_LZMA2, "preset": PY7ZR_PRESET}, {"id": FILTER_CRYPTO_AES256_SHA256}]
    try:
        with py7zr.SevenZipFile(written, "w", password=password, header_encryption=True, filters=filters) as archive:
            for arcname, source in files.items():
                if isinstance(source, (bytes, bytearray, memoryview)):
                    archive.writestr(bytes(source), arcname)
                else:
                    archive.write(Path(source), arcname)
    except FileNotFoundError as missing:
        raise BackupError(_("Berkas sumber tidak ditemukan: %(name)s") % {"name": Path(missing.filename).name}) from None


def create_backup(dest_dir, name, files, password, *, temporary=None):
    """Write ``files`` ({arcname: path or bytes}) into ``dest_dir/name`` (.7z added if missing).

    Returns ``(path, sha256 of the archive)``. Refuses an existing archive, an unsafe name, a
    password shorter than ``MIN_PASSWORD`` and a source file that does not exist. The archive is
    checked (``_check_written``) before it is returned: the step deletes the raw extract after it.

    ``temporary``: write the archive there and leave it there; the caller moves it to the
    returned path once the archive is recorded (``FileScope.place``). Without it the archive is
    linked into place here.
    """
    _check_password(password)
    name = name if name.endswith(".7z") else f"{name}.7z"
    if not SAFE_NAME.match(name):
        raise BackupError(_("Nama arsip hanya boleh berisi huruf, angka, titik, garis bawah dan tanda hubung."))
    for arcname in files:
        _check_arcname(arcname)
    dest = Path(dest_dir)
    dest.mkdir(parents=True, exist_ok=True, mode=0o700)
    target = dest / name
    if target.exists():
        raise BackupError(_("Arsip %(name)s sudah ada; arsip yang ada tidak ditimpa.") % {"name": name})
    for source in files.values():
        if not isinstance(source, (bytes, bytearray, memoryview)) and not Path(source).is_file():
            raise BackupError(_("Berkas sumber tidak ditemukan: %(name)s") % {"name": Path(source).name})

    staging = dest / f"{TEMPORARY_MARK}{secrets.token_hex(8)}.stage"
    staging.mkdir(mode=0o700)
    try:
        written = staging / "arsip.7z"
        tool = seven_zip()
        if tool:
            _write_7z(tool, files, password, written, staging)
        else:
            _write_py7zr(files, password, written)
        os.chmod(written, 0o600)
        _fsync(written)
        digest = _check_written(written, password, files)
        if temporary is not None:
            os.replace(written, temporary)
            return target, digest
        _link_into_place(written, target, name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    _fsync(dest)
    return target, digest


def _check_written(path, password, files):
    """What a failed write leaves (a cut file, a wrong password, a missing member) shows in the
    structure and the decrypted header; decompressing every member (``verify_backup``) would cost
    another 2 s of CPU per semester and is left to ``verify_backup``. Returns the SHA-256."""
    _check_structure(path, path.stat().st_size)
    members = {member["name"]: member["size"] for member in _list_members(path, password, intact=True)}
    expected = {arcname: len(source) if isinstance(source, (bytes, bytearray, memoryview)) else Path(source).stat().st_size
                for arcname, source in files.items()}
    if members != expected:
        raise BackupError(_("Arsip yang baru ditulis tidak memuat semua berkas; arsip tidak dibuat."))
    return _sha256_file(path)


def _link_into_place(temporary, target, name):
    # A hard link fails if the target exists, so two simultaneous backups cannot overwrite each
    # other; file systems without hard links fall back to an exclusive check and rename.
    try:
        os.link(temporary, target)
    except FileExistsError:
        raise BackupError(_("Arsip %(name)s sudah ada; arsip yang ada tidak ditimpa.") % {"name": name}) from None
    except OSError:
        if target.exists():
            raise BackupError(_("Arsip %(name)s sudah ada; arsip yang ada tidak ditimpa.") % {"name": name}) from None
        os.rename(temporary, target)


# Verification ----------------------------------------------------------------------------------

def _check_structure(path, size):
    """The 32-byte signature header: magic, version, its own CRC, and the (encrypted) header that
    must end the file; the header's own CRC covers its bytes."""
    with open(path, "rb") as handle:
        head = handle.read(32)
        if len(head) < 32 or head[:6] != SIGNATURE:
            raise BackupError(_("Berkas ini bukan arsip 7z, atau bagian awalnya rusak."))
        if (head[6], head[7]) not in VERSIONS:
            raise BackupError(_("Kepala arsip rusak (versi format tidak dikenal); arsip telah berubah."))
        start_crc, = struct.unpack("<I", head[8:12])
        if zlib.crc32(head[12:32]) != start_crc:
            raise BackupError(_("Kepala arsip rusak (CRC tidak cocok); arsip telah berubah."))
        offset, length, header_crc = struct.unpack("<QQI", head[12:32])
        if 32 + offset + length > size:
            raise BackupError(_("Arsip terpotong: ukurannya lebih kecil daripada yang tercatat di kepala arsip."))
        if 32 + offset + length < size:
            raise BackupError(_("Arsip memuat data tambahan di belakang kepala arsip; arsip telah berubah."))
        handle.seek(32 + offset)
        if length > 64 * CHUNK or zlib.crc32(handle.read(length)) != header_crc:
            raise BackupError(_("Kepala arsip rusak (CRC daftar isi tidak cocok); arsip telah berubah."))


def _unreadable():
    # py7zr on a damaged or hostile archive raises whatever its parser meets (an AssertionError in
    # the header's time fields, among others): each of them means "cannot be read".
    return (Exception,)


def _list_members(path, password, intact):
    """Decrypt the header: [{"name", "size", "crc32"}] of the members."""
    import py7zr

    wrong = _("Kata sandi salah.") if intact else _("Kata sandi salah, atau kepala arsip rusak.")
    if not password:
        raise BackupError(wrong)
    try:
        with py7zr.SevenZipFile(path, "r", password=password) as archive:
            return [{"name": info.filename, "size": info.uncompressed, "crc32": info.crc32}
                    for info in archive.list() if not info.is_directory]
    except _unreadable():
        # With the header encrypted, a wrong password and a damaged header both give garbage.
        raise BackupError(wrong) from None


def _test_with_7z(tool, path, password, members):
    """``7z t``: the names of the damaged members ([] when all are intact, [None] when 7-Zip
    finds damage it does not attribute to a member)."""
    result = _run_7z(tool, ["t", "-bsp0", "--", str(path)], [password])
    output = result.stdout + "\n" + result.stderr
    if result.returncode == 0 and "Everything is Ok" in output and "WARNING" not in output.upper():
        return []
    names = {member["name"] for member in members}
    damaged = []
    for line in output.splitlines():
        candidate = line.rsplit(" : ", 1)[-1].strip() if " : " in line else ""
        if candidate in names and candidate not in damaged:
            damaged.append(candidate)
    return damaged or [None]


def _test_with_py7zr(path, password, members):
    """Decompress every member through py7zr, counting its bytes and CRC."""
    import py7zr
    from py7zr.exceptions import CrcError
    from py7zr.io import Py7zIO, WriterFactory

    class Counter(Py7zIO):
        def __init__(self):
            self.crc, self.length = 0, 0

        def write(self, data):
            self.crc, self.length = zlib.crc32(data, self.crc), self.length + len(data)
            return len(data)

        def read(self, size=None):
            return b""

        def seek(self, offset, whence=0):
            return 0

        def flush(self):
            pass

        def size(self):
            return self.length

    class Factory(WriterFactory):
        def __init__(self):
            self.counters, self.current = {}, None

        def create(self, filename):
            self.current = filename
            self.counters[filename] = Counter()
            return self.counters[filename]

    factory = Factory()
    try:
        with py7zr.SevenZipFile(path, "r", password=password) as archive:
            archive.extract(factory=factory)
    except CrcError as error:
        return [error.args[2] or factory.current]
    except _unreadable():
        return [factory.current]
    damaged = []
    for member in members:
        counter = factory.counters.get(member["name"])
        if counter is None or counter.length != member["size"] or (
                member["crc32"] is not None and counter.crc != member["crc32"]):
            damaged.append(member["name"])
    return damaged


def verify_backup(path, password, *, expected_sha256=None):
    """Check the archive's structure, decrypt every member and check its CRC, and compare the
    archive's SHA-256 with ``expected_sha256`` when given. Return a ``BackupReport`` or raise a
    ``BackupError`` that names the damaged members (``error.damaged``)."""
    path = Path(path)
    if not path.is_file():
        raise BackupError(_("Arsip tidak ditemukan: %(name)s") % {"name": path.name})
    size = path.stat().st_size
    digest = _sha256_file(path)
    changed = bool(expected_sha256) and digest != expected_sha256.strip().lower()
    intact = bool(expected_sha256) and not changed
    prefix = _("Sidik SHA-256 arsip tidak cocok dengan yang tercatat; arsip telah berubah.") + " " if changed else ""
    try:
        _check_structure(path, size)
        members = _list_members(path, password, intact)
    except BackupError as error:
        raise BackupError(prefix + str(error)) from None
    tool = seven_zip()
    damaged = _test_with_7z(tool, path, password, members) if tool else _test_with_py7zr(path, password, members)
    named = [name for name in damaged if name]
    if named:
        raise BackupError(prefix + _("Arsip rusak: isi berkas %(names)s tidak cocok dengan CRC-nya atau tidak dapat "
                                     "didekompresi.") % {"names": ", ".join(named)}, damaged=named)
    if damaged:
        raise BackupError(prefix + _("Arsip rusak: isi arsip tidak dapat didekripsi atau didekompresi."))
    if changed:
        raise BackupError(prefix + _("Isi setiap berkas masih cocok dengan CRC-nya; yang berubah bagian lain arsip."))
    return BackupReport(path=path, sha256=digest, size=size, members=members, tool="7z" if tool else "py7zr")


# Members of a semester backup ------------------------------------------------------------------

def backup_name(process, moment=None):
    """Archive name for one attempt at SOP A step 9:
    'data-kependudukan-17-2025-semester-1-20260105-101500.7z'. The moment makes each attempt's
    name its own, so a file left by a failed attempt never blocks the next one."""
    moment = timezone.localtime(moment)
    return (f"data-kependudukan-{process.organisation.province_code}-{process.year}-"
            f"semester-{process.period_number}-{moment:%Y%m%d-%H%M%S}.7z")


def semester_members(process, *, result, report_pdf, uploads=None):
    """{arcname: path or bytes} for a semester: the DKB extract(s), the aggregate tables as CSV and
    XLSX, the signed report, and a MANIFEST.json with each member's size and SHA-256.

    ``uploads`` defaults to the process's DkbUpload rows not yet purged; paths are accepted too.
    Stored names never carry the uploader's original file name (it may hold personal data).
    """
    from .aggregation import export_csv, export_xlsx

    if uploads is None:
        uploads = list(process.dkb_uploads.filter(purged_at__isnull=True))
    tag = f"{process.organisation.province_code}-{process.year}-s{process.period_number}"
    members, manifest = {}, []
    for index, upload in enumerate(uploads, start=1):
        if isinstance(upload, (str, Path)):
            path, digest = Path(upload), None
            suffix = "".join(path.suffixes[-2:]) if path.name.endswith(".gz") else path.suffix
        else:
            path, digest, suffix = Path(upload.file.path), upload.sha256, upload.suffix
        arcname = f"dkb/dkb-{tag}-{index}{suffix}"
        members[arcname] = path
        manifest.append({"name": arcname, "size": path.stat().st_size, "sha256": digest or _sha256_file(path)})
    for arcname, data in ((f"tabel/agregat-{tag}.csv", export_csv(result)),
                          (f"tabel/agregat-{tag}.xlsx", export_xlsx(result)),
                          (f"laporan/laporan-data-kependudukan-{tag}.pdf", report_pdf)):
        members[arcname] = data
        manifest.append({"name": arcname, "size": len(data), "sha256": hashlib.sha256(data).hexdigest()})
    members["MANIFEST.json"] = json.dumps({
        "sop": process.catalogue.name if getattr(process, "sop", None) else "",
        "organisation": process.organisation.name,
        "period": process.period_label,
        "cutoff": result.get("cutoff"),
        "created": timezone.now().isoformat(timespec="seconds"),
        "members": manifest,
    }, indent=2, ensure_ascii=False).encode("utf-8")
    return members
