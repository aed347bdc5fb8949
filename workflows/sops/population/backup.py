"""SOP A step 9: the semester's data as ONE AES-256 encrypted 7z archive.

Header encryption is on, so without the password not even the member names show. The archive
opens with the standard tool (``7z x -p... ARCHIVE``) as well as with py7zr. It is written to a
temporary file in the destination folder and then linked into place, which is atomic and never
replaces an existing archive. ``verify_backup`` decrypts every member and checks its CRC; every
failure is a ``BackupError`` with an Indonesian message. Passwords are never logged or stored.
"""

import hashlib
import json
import os
import re
import struct
import tempfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from django.utils import timezone
from django.utils.translation import gettext as _

SIGNATURE = b"7z\xbc\xaf\x27\x1c"
MIN_PASSWORD = 8
# Above this much raw data the members are stored (encrypted, not compressed): LZMA in py7zr runs
# at a few MB/s on the 2-core server, and a 2-million-row extract must back up within 15 s.
AUTO_STORE_BYTES = 64 * 1024 * 1024
SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
CHUNK = 1024 * 1024


class BackupError(Exception):
    """The backup could not be written or verified; ``str(error)`` is an Indonesian message."""


@dataclass
class BackupReport:
    path: Path
    sha256: str
    size: int
    members: list = field(default_factory=list)  # [{"name", "size", "crc32"}]

    @property
    def total_size(self):
        return sum(member["size"] for member in self.members)


def _filters(compression, raw_size):
    from py7zr import FILTER_COPY, FILTER_CRYPTO_AES256_SHA256, FILTER_LZMA2

    if compression == "auto":
        compression = "store" if raw_size > AUTO_STORE_BYTES else "lzma2"
    if compression == "store":
        first = {"id": FILTER_COPY}
    elif compression == "lzma2":
        first = {"id": FILTER_LZMA2, "preset": 1}
    else:
        raise ValueError(f"unknown compression {compression!r}")
    return [first, {"id": FILTER_CRYPTO_AES256_SHA256}]


def _check_arcname(arcname):
    parts = Path(arcname).parts
    if not parts or Path(arcname).is_absolute() or ".." in parts or "\\" in arcname:
        raise BackupError(_("Nama berkas dalam arsip tidak sah: %(name)s") % {"name": arcname})


def _sha256_file(path):
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(CHUNK), b""):
            digest.update(block)
    return digest.hexdigest()


def _raw_size(files):
    return sum(len(source) if isinstance(source, (bytes, bytearray, memoryview)) else Path(source).stat().st_size
               for source in files.values())


def create_backup(dest_dir, name, files, password, *, compression="auto", temporary=None):
    """Write ``files`` ({arcname: path or bytes}) into ``dest_dir/name`` (.7z added if missing).

    Returns ``(path, sha256 of the archive)``. Refuses an existing archive, an unsafe name, a
    password shorter than ``MIN_PASSWORD`` and a source file that does not exist.

    ``temporary``: write the archive there and leave it there; the caller moves it to the
    returned path once the archive is recorded (``FileScope.place``). Without it the archive is
    linked into place here.
    """
    import py7zr

    if not password or len(password) < MIN_PASSWORD:
        raise BackupError(_("Kata sandi arsip minimal %(n)s karakter.") % {"n": MIN_PASSWORD})
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
    try:
        raw_size = _raw_size(files)
    except FileNotFoundError as missing:
        raise BackupError(_("Berkas sumber tidak ditemukan: %(name)s") % {"name": Path(missing.filename).name}) from None

    keep_temporary = temporary is not None
    if keep_temporary:
        temporary = Path(temporary)
        os.close(os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600))
    else:
        handle, temporary = tempfile.mkstemp(prefix=f".{name}.", suffix=".part", dir=dest)
        os.close(handle)
        temporary = Path(temporary)
    try:
        with py7zr.SevenZipFile(temporary, "w", password=password, header_encryption=True,
                                filters=_filters(compression, raw_size)) as archive:
            for arcname, source in files.items():
                if isinstance(source, (bytes, bytearray, memoryview)):
                    archive.writestr(bytes(source), arcname)
                else:
                    archive.write(Path(source), arcname)
        with open(temporary, "rb+") as written:
            os.fsync(written.fileno())
        digest = _sha256_file(temporary)
        if keep_temporary:
            return target, digest
        _link_into_place(temporary, target, name)
    except BaseException:
        if keep_temporary:
            temporary.unlink(missing_ok=True)
        raise
    finally:
        if not keep_temporary:
            temporary.unlink(missing_ok=True)
    try:
        directory = os.open(dest, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)
    except OSError:
        pass  # some file systems cannot sync a directory; the archive itself is synced
    return target, digest


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


def _check_structure(path, size):
    """The 32-byte signature header: magic, its own CRC, and where the (encrypted) header ends."""
    with open(path, "rb") as handle:
        head = handle.read(32)
    if len(head) < 32 or head[:6] != SIGNATURE:
        raise BackupError(_("Berkas ini bukan arsip 7z, atau bagian awalnya rusak."))
    start_crc, = struct.unpack("<I", head[8:12])
    if zlib.crc32(head[12:32]) != start_crc:
        raise BackupError(_("Kepala arsip rusak (CRC tidak cocok); arsip telah berubah."))
    offset, length = struct.unpack("<QQ", head[12:28])
    if 32 + offset + length > size:
        raise BackupError(_("Arsip terpotong: ukurannya lebih kecil daripada yang tercatat di kepala arsip."))


def verify_backup(path, password, *, expected_sha256=None):
    """Decrypt every member and check its CRC; return a ``BackupReport`` or raise ``BackupError``."""
    import lzma

    import py7zr
    from py7zr.exceptions import ArchiveError, PasswordRequired

    path = Path(path)
    if not path.is_file():
        raise BackupError(_("Arsip tidak ditemukan: %(name)s") % {"name": path.name})
    size = path.stat().st_size
    digest = _sha256_file(path)
    if expected_sha256 and digest != expected_sha256.lower():
        raise BackupError(_("Sidik SHA-256 arsip tidak cocok dengan yang tercatat; arsip telah berubah."))
    _check_structure(path, size)
    unreadable = (ArchiveError, PasswordRequired, lzma.LZMAError, ValueError, KeyError, IndexError, TypeError,
                  struct.error, EOFError, OSError, UnicodeDecodeError, OverflowError, MemoryError)
    try:
        with py7zr.SevenZipFile(path, "r", password=password) as archive:
            members = [{"name": info.filename, "size": info.uncompressed, "crc32": info.crc32}
                       for info in archive.list() if not info.is_directory]
            try:
                bad = archive.testzip()
            except unreadable:
                raise BackupError(_("Arsip rusak: isi arsip tidak dapat didekripsi atau didekompresi.")) from None
    except BackupError:
        raise
    except unreadable:
        # With the header encrypted, a wrong password and a damaged header both give garbage.
        raise BackupError(_("Kata sandi salah, atau kepala arsip rusak.")) from None
    if bad:
        raise BackupError(_("Arsip rusak: isi berkas %(name)s tidak cocok dengan CRC-nya.") % {"name": bad})
    return BackupReport(path=path, sha256=digest, size=size, members=members)


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
