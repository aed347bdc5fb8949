"""Write the SOP document (PDF) of one SOP as run by one organisation: a built-in SOP, or one of
the organisation's own SOPs by its code, at its latest published version or the one named.

    python manage.py sop_document A --organisation "Disdukcapil Bengkulu" --out sop-a.pdf
    python manage.py sop_document LAYANAN-DATA --organisation "Disdukcapil Bengkulu" --version 1 --out sop.pdf
"""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

from ...catalogue import SOPS
from ...models import Organisation
from ...reports.sop_document import PAGE_SIZES, render_sop_document

CURRENT_VERSION = 1  # built-in SOPs have one version: their current definition


class Command(BaseCommand):
    help = "Menulis dokumen SOP (PDF, format Permenpan RB 35/2012) untuk satu SOP dan satu organisasi."

    def create_parser(self, prog_name, subcommand, **kwargs):
        # "--version N" is the SOP version here, not Django's "show the Django version".
        return super().create_parser(prog_name, subcommand, conflict_handler="resolve", **kwargs)

    def add_arguments(self, parser):
        parser.add_argument("sop", help="Kode SOP: SOP bawaan (A, B) atau kode SOP organisasi itu.")
        parser.add_argument("--organisation", required=True, help="Singkatan atau nama organisasi.")
        parser.add_argument("--version", type=int, default=None, help="Nomor versi SOP (bawaan: versi berlaku).")
        parser.add_argument("--out", required=True, help="Berkas PDF yang ditulis.")
        parser.add_argument("--paper", default=None, help="Ukuran kertas: A4 atau F4 (bawaan: SOPFLOW_SOP_PAPER).")

    def handle(self, *args, sop, organisation, version, out, paper, **options):
        matches = list(Organisation.objects.filter(Q(short_name__iexact=organisation) | Q(name__iexact=organisation)))
        if len(matches) != 1:
            raise CommandError(
                f"Organisasi {organisation!r} tidak ditemukan." if not matches
                else f"Nama {organisation!r} cocok dengan lebih dari satu organisasi; pakai nama lengkapnya."
            )
        definition, number, code = self.sop_version(sop.strip(), matches[0], version)
        paper = (paper or getattr(settings, "SOPFLOW_SOP_PAPER", "A4")).strip().upper()
        if paper not in PAGE_SIZES:
            raise CommandError(f"Ukuran kertas {paper!r} tidak dikenal; pilih {' atau '.join(PAGE_SIZES)}.")
        pdf = render_sop_document(definition, matches[0], paper=paper, version=number, code=code)
        target = Path(out)
        try:
            target.write_bytes(pdf)
        except OSError as error:
            raise CommandError(f"Tidak dapat menulis {out}: {error.strerror}.")
        self.stdout.write(f"Dokumen SOP {code} versi {number} ditulis ke {target} ({len(pdf)} bita).")

    def sop_version(self, code, organisation, version):
        """(the Sop to print, its version number, its printed code)."""
        from ...authored.models import SopDefinition, SopVersion

        builtin = SOPS.get(code.upper())
        if builtin is not None:
            if version is not None and version != CURRENT_VERSION:
                raise CommandError(
                    f"SOP {builtin.code} adalah SOP bawaan dan hanya punya versi {CURRENT_VERSION} (versi berlaku); "
                    f"versi {version} tidak ada."
                )
            return builtin, CURRENT_VERSION, builtin.code
        own = SopDefinition.objects.filter(organisation=organisation, code__iexact=code).first()
        if own is None:
            known = ", ".join([*sorted(SOPS), *organisation.sop_definitions.order_by("code").values_list("code", flat=True)])
            raise CommandError(f"SOP {code!r} tidak dikenal di {organisation.short_name}. SOP yang ada: {known}.")
        published = own.versions.filter(status=SopVersion.PUBLISHED)
        chosen = published.filter(number=version).first() if version is not None else published.order_by("-number").first()
        if chosen is None:
            numbers = ", ".join(str(n) for n in published.order_by("number").values_list("number", flat=True)) or "belum ada"
            raise CommandError(f"SOP {own.code} tidak punya versi terbit {version or ''}".rstrip() + f"; versi terbit: {numbers}.")
        return chosen.as_sop(), chosen.number, own.code
