"""Import one SOP of an organisation from an XLSX workbook in the table layout.

    python manage.py import_sop sop-layanan.xlsx --organisation BKL [--publish]

The layout and its checks are those of the import page (workflows/authored/workbook.py). On
success the new SOP's code and version are printed; on failure every problem is printed, one a
line, the exit status is non-zero and nothing is stored.
"""

import logging

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from workflows.authored.commands import organisation_named
from workflows.authored.workbook import WorkbookError, import_workbook

logger = logging.getLogger("workflows.authored")


class Command(BaseCommand):
    help = _("Mengimpor satu SOP organisasi dari workbook XLSX (sheet Identitas dan Prosedur).")

    def add_arguments(self, parser):
        parser.add_argument("file", help=_("Berkas XLSX yang diimpor."))
        parser.add_argument("--organisation", required=True, help=_("Singkatan organisasi pemilik SOP."))
        parser.add_argument("--publish", action="store_true", help=_("Langsung terbitkan sebagai versi 1."))
        parser.add_argument(
            "--user", default=None,
            help=_("Nama pengguna yang tercatat sebagai pembuat (bawaan: administrator SOP organisasi itu)."),
        )

    def handle(self, *args, file, organisation, publish, user, **options):
        organisation = organisation_named(organisation)
        author = self.author(organisation, user)
        try:
            handle = open(file, "rb")
        except OSError as error:
            raise CommandError(_("Berkas %(file)s tidak dapat dibuka: %(reason)s.") % {"file": file, "reason": error.strerror})
        try:
            with handle:
                version = import_workbook(handle, organisation, author, publish=publish)
        except WorkbookError as error:
            for problem in error.problems:
                self.stderr.write(problem)
            logger.info("SOP workbook refused for organisation %s: %s problem(s)", organisation.pk, len(error.problems))
            raise CommandError(
                _("Impor dibatalkan: %(count)s masalah; tidak ada yang disimpan.") % {"count": len(error.problems)}
            )
        code = version.definition.code
        logger.info("SOP workbook imported for organisation %s: %s (%s)", organisation.pk, code, version.status)
        if version.is_published:
            self.stdout.write(_("SOP %(code)s versi %(number)s diterbitkan.") % {"code": code, "number": version.number})
        else:
            self.stdout.write(_("SOP %(code)s disimpan sebagai draf.") % {"code": code})

    def author(self, organisation, username):
        """Who the new SOP is recorded as created by: ``--user``, else the organisation's SOP administrator."""
        from django.contrib.auth import get_user_model

        from workflows.models import Officer

        if username:
            user = get_user_model().objects.filter(username=username, is_active=True).first()
            if user is None:
                raise CommandError(_("Pengguna %(name)s tidak ditemukan atau tidak aktif.") % {"name": repr(username)})
            officer = Officer.objects.filter(user=user).first()
            if not user.is_superuser and (officer is None or officer.organisation_id != organisation.pk):
                raise CommandError(_("Pengguna %(name)s bukan pegawai %(organisation)s.")
                                   % {"name": repr(username), "organisation": organisation.short_name})
            return user
        officer = (
            Officer.objects.filter(organisation=organisation, is_sop_admin=True, user__is_active=True)
            .select_related("user").order_by("pk").first()
        )
        if officer is None:
            raise CommandError(_(
                "%(organisation)s belum memiliki administrator SOP: tandai seorang pegawai sebagai administrator SOP "
                "di admin, atau sebutkan --user."
            ) % {"organisation": organisation.short_name})
        return officer.user
