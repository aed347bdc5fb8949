"""Check an encrypted semester backup: ``python manage.py verify_backup ARCHIVE``.

The password is asked with getpass (or read from the first line of ``--password-file``) and is
never printed or logged. The archive's SHA-256 is compared with ``--sha256`` or, without it, with
the one the database recorded for that archive at step 9 (so a change anywhere in the file is
caught); every member is decrypted and its CRC checked, and a damaged member is named. Prints OK or
GAGAL; the exit code is non-zero on failure, so cron jobs and monitoring can use it.
"""

import getpass
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from workflows.sops.population.backup import BackupError, verify_backup
from workflows.reports.formatting import number


class Command(BaseCommand):
    help = _("Memeriksa keutuhan arsip cadangan terenkripsi (semua berkas didekripsi dan CRC dicocokkan).")

    def add_arguments(self, parser):
        parser.add_argument("archive", help=_("berkas arsip .7z"))
        parser.add_argument("--password-file", help=_("berkas berisi kata sandi (baris pertama)"))
        parser.add_argument("--sha256", help=_("sidik SHA-256 arsip yang tercatat saat pencadangan"))

    def handle(self, *args, **options):
        if options["password_file"]:
            try:
                lines = Path(options["password_file"]).read_text(encoding="utf-8").splitlines()
            except OSError:
                raise CommandError(_("GAGAL: berkas kata sandi tidak dapat dibaca.")) from None
            password = lines[0] if lines else ""
        else:
            password = getpass.getpass(_("Kata sandi arsip: "))
        expected, recorded = options["sha256"], None
        if not expected:
            recorded = recorded_sha256(options["archive"])
            expected = recorded
        try:
            report = verify_backup(options["archive"], password, expected_sha256=expected)
        except BackupError as error:
            raise CommandError(_("GAGAL: %(reason)s") % {"reason": error}) from None
        self.stdout.write(_("OK: %(count)s berkas utuh, %(size)s bita setelah didekripsi.") % {
            "count": len(report.members), "size": number(report.total_size)})
        for member in report.members:
            self.stdout.write(f"  {member['name']}  {number(member['size'])}")
        self.stdout.write(f"SHA-256 {report.sha256}")
        if recorded:
            self.stdout.write(_("SHA-256 cocok dengan yang tercatat di basis data saat pencadangan."))
        elif not options["sha256"]:
            self.stdout.write(_("Arsip ini tidak tercatat di basis data; SHA-256 tidak dapat dicocokkan."))


def recorded_sha256(archive):
    """The SHA-256 step 9 recorded for this archive (matched by its full path), or None."""
    from django.db import DatabaseError

    from workflows.sops.population.models import BackupRecord

    path = Path(archive).resolve()
    try:
        rows = list(BackupRecord.objects.filter(location__endswith=path.name).values_list("location", "sha256"))
    except DatabaseError:  # a copy checked on a machine without SOPFlow's database
        return None
    for location, sha256 in rows:
        if Path(location).resolve() == path and sha256:
            return sha256
    return None
