"""The background worker: aggregates uploaded DKB extracts (SOP A step 3).

`make run` starts it beside the web server. In production run it under systemd
(`manage.py run_jobs`), one process per machine is enough.
"""

import signal
import time

from django.core.management.base import BaseCommand

from workflows.aggregation import run_pending


class Command(BaseCommand):
    help = "Process queued background jobs in a loop (Ctrl+C to stop)."

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=float, default=2.0, help="seconds between polls when idle")
        parser.add_argument("--once", action="store_true", help="process what is queued, then exit")

    def handle(self, interval, once, **options):
        self.running = True
        signal.signal(signal.SIGTERM, self.stop)
        while self.running:
            done = run_pending(long_running=not once)
            if done:
                self.stdout.write(f"{done} aggregation run(s) processed")
            if once:
                break
            try:
                time.sleep(interval)
            except KeyboardInterrupt:
                break

    def stop(self, *args):
        self.running = False
