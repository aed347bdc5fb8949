"""manage.py generate_dkb: write a synthetic DKB extract (the project's test and demo data)."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from workflows.dkb.generator import AS_OF, write_dkb


class Command(BaseCommand):
    # The engine needs neither the database nor URLs; the system checks would only add start-up time.
    requires_system_checks = []
    help = "Tulis berkas DKB sintetis (.csv, .csv.gz atau .parquet) untuk uji coba dan demo."

    def add_arguments(self, parser):
        parser.add_argument(
            "--province", default="17", help="Kode provinsi: 17 (Bengkulu) atau 13 (Sumatera Barat)."
        )
        parser.add_argument("--rows", type=int, default=1000, help="Jumlah penduduk (baris).")
        parser.add_argument("--seed", type=int, default=0, help="Benih acak: benih sama, berkas sama persis.")
        parser.add_argument("--out", required=True, help="Berkas keluaran; format dari akhiran nama.")
        parser.add_argument(
            "--as-of", type=date.fromisoformat, default=AS_OF, help="Tanggal acuan umur (YYYY-MM-DD)."
        )

    def handle(self, *args, **options):
        try:
            path = write_dkb(
                options["out"],
                province=options["province"],
                rows=options["rows"],
                seed=options["seed"],
                as_of=options["as_of"],
            )
        except (ValueError, OSError) as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"{options['rows']} baris ditulis ke {path}")
