"""Check an encrypted semester backup: ``python manage.py verify_backup ARCHIVE``.

The password is asked with getpass (or read from the first line of ``--password-file``) and is
never printed or logged. Prints OK or GAGAL; the exit code is non-zero on failure, so cron jobs
and monitoring can use it.
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
        try:
            report = verify_backup(options["archive"], password, expected_sha256=options["sha256"])
        except BackupError as error:
            raise CommandError(_("GAGAL: %(reason)s") % {"reason": error}) from None
        self.stdout.write(_("OK: %(count)s berkas utuh, %(size)s bita setelah didekripsi.") % {
            "count": len(report.members), "size": number(report.total_size)})
        for member in report.members:
            self.stdout.write(f"  {member['name']}  {number(member['size'])}")
        self.stdout.write(f"SHA-256 {report.sha256}")
