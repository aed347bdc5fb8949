"""Write one SOP as an XLSX workbook in the table layout (sheets Identitas and Prosedur).

    python manage.py export_sop LDK --organisation BKL --out sop-ldk.xlsx

The code is a built-in SOP's code or the code of one of the organisation's own SOPs (its latest
published version, else its draft). The workbook imports again with import_sop.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from workflows.authored.commands import organisation_named
from workflows.authored.workbook import export_workbook


class Command(BaseCommand):
    help = _("Menulis satu SOP ke workbook XLSX (sheet Identitas dan Prosedur).")

    def add_arguments(self, parser):
        parser.add_argument("sop", help=_("Kode SOP: SOP bawaan atau SOP organisasi itu."))
        parser.add_argument("--organisation", required=True, help=_("Singkatan organisasi."))
        parser.add_argument("--out", required=True, help=_("Berkas XLSX yang ditulis."))

    def handle(self, *args, sop, organisation, out, **options):
        from workflows.authored.models import SopDefinition
        from workflows.catalogue import SOPS

        organisation = organisation_named(organisation)
        code = sop.strip().upper()
        if code in SOPS:
            spec, label = SOPS[code], code
        else:
            definition = SopDefinition.objects.filter(organisation=organisation, code=code).first()
            version = (definition.latest_published() or definition.draft()) if definition else None
            if version is None:
                known = ", ".join([*SOPS, *SopDefinition.objects.filter(organisation=organisation)
                                   .values_list("code", flat=True)])
                raise CommandError(_("SOP %(code)s tidak dikenal di %(organisation)s. SOP yang ada: %(known)s.")
                                   % {"code": repr(sop), "organisation": organisation.short_name, "known": known})
            spec = version.as_sop()
            label = (_("%(code)s versi %(number)s") % {"code": code, "number": version.number}
                     if version.is_published else _("%(code)s (draf)") % {"code": code})
        data = export_workbook(spec)
        target = Path(out)
        try:
            target.write_bytes(data)
        except OSError as error:
            raise CommandError(_("Tidak dapat menulis %(file)s: %(reason)s.") % {"file": out, "reason": error.strerror})
        self.stdout.write(_("SOP %(sop)s ditulis ke %(file)s (%(steps)s langkah).")
                          % {"sop": label, "file": target, "steps": len(spec.steps)})
