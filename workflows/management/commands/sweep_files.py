"""Report and remove the files no row records (see workflows/stored_files.py).

The timers loop runs the same sweep once an hour; this command is for an operator, or cron.
"""

from django.core.management.base import BaseCommand

from workflows.stored_files import sweep


class Command(BaseCommand):
    help = "Remove temporary files older than an hour and unrecorded files older than SOPFLOW_STRAY_FILE_AGE_HOURS."

    def add_arguments(self, parser):
        parser.add_argument("--max-age-hours", type=float, default=None,
                            help="age after which an unrecorded file is removed (default: the setting)")

    def handle(self, max_age_hours, **options):
        report = sweep(stray_age_hours=max_age_hours)
        for path in report.removed_temporary + report.removed_strays:
            self.stdout.write(f"removed {path}")
        for path in report.young_strays:
            self.stdout.write(f"kept (younger than the limit) {path}")
        self.stdout.write(str(report) or "nothing to remove")
