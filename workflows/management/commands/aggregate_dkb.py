"""manage.py aggregate_dkb: run the population-data engine alone on one extract."""

import json
import sys
from datetime import date

from django.core.management.base import BaseCommand, CommandError

from workflows.dkb.aggregate import aggregate_file
from workflows.dkb.errors import DkbFileError


class Command(BaseCommand):
    # The engine needs neither the database nor URLs; the system checks would only add start-up time.
    requires_system_checks = []
    help = "Hitung tabel agregat kependudukan dari satu berkas DKB/DWH (CSV, CSV.GZ, Parquet)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="Berkas ekstrak DKB/DWH.")
        parser.add_argument(
            "--cutoff", required=True, type=date.fromisoformat, help="Tanggal batas, YYYY-MM-DD."
        )
        parser.add_argument("--province", required=True, help="Kode provinsi organisasi, misalnya 17.")
        parser.add_argument(
            "--json", dest="json_path", help="Tulis hasil JSON ke berkas ini ('-' untuk layar)."
        )
        parser.add_argument(
            "--full",
            action="store_true",
            help="Sertakan tabel kecamatan, indikator turunan dan nama wilayah.",
        )
        parser.add_argument("--memory-limit", help="Batas memori DuckDB, misalnya 1GB.")
        parser.add_argument("--threads", type=int, help="Jumlah thread DuckDB.")

    def handle(self, *args, **options):
        def report(fraction, message):
            if options["verbosity"] >= 2:
                self.stderr.write(f"{fraction:4.0%} {message}")

        try:
            result = aggregate_file(
                options["file"],
                # call_command() passes keyword options through without the argparse type.
                cutoff=date.fromisoformat(str(options["cutoff"])),
                province=options["province"],
                progress=report,
                memory_limit=options["memory_limit"],
                threads=options["threads"],
            )
        except DkbFileError as error:
            raise CommandError(str(error)) from None

        data = result.as_dict() if options["full"] else result.as_contract_dict()
        path = options["json_path"]
        if path == "-":
            json.dump(data, sys.stdout, ensure_ascii=False)
            sys.stdout.write("\n")
        elif path:
            with open(path, "w", encoding="utf-8") as handle:
                json.dump(data, handle, ensure_ascii=False)
        rows = result.rows
        if path != "-":
            self.stdout.write(
                f"Dibaca {rows['read']} baris, dipakai {rows['used']}, ditolak {rows['rejected']}."
            )
            for key, problem in result.quality.items():
                self.stdout.write(f"  {key}: {problem['count']} (contoh baris {problem['examples']})")
